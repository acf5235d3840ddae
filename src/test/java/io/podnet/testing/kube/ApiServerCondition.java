package io.podnet.testing.kube;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

public final class ApiServerCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (KubeBinaries.find().isPresent()) {
            return ConditionEvaluationResult.enabled("kube-apiserver and etcd at " + KubeBinaries.find().get());
        }
        if (underCi()) {
            throw new IllegalStateException("CI=true and the API server tier cannot run: no kube-apiserver, etcd and kubectl; "
                    + KubeBinaries.HOW_TO_BUILD);
        }
        return ConditionEvaluationResult.disabled("API server tier skipped: no kube-apiserver, etcd and kubectl; " + KubeBinaries.HOW_TO_BUILD);
    }

    static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }
}
