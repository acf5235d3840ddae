package io.podnet.testing;

import io.podnet.sys.ProcessIdentity;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

public final class RootCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return isRoot()
                ? ConditionEvaluationResult.enabled("running as root")
                : ConditionEvaluationResult.disabled(
                        "needs root: this test creates network namespaces, links and nftables rules in its own sandbox; run the test command as root");
    }

    public static boolean isRoot() {
        return ProcessIdentity.isRoot();
    }
}
