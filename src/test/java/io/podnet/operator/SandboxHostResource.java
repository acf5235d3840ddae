package io.podnet.operator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.podnet.testing.RootCondition;
import io.podnet.testing.Sandbox;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the agent of an operator test against a sandbox: a fresh namespace plays the node's
 * host namespace, state goes to a temporary directory, and the embedded API is forced on.
 */
public class SandboxHostResource implements QuarkusTestResourceLifecycleManager {
    static volatile Sandbox sandbox;
    static volatile Path stateDir;
    static volatile Path runDir;

    @Override
    public Map<String, String> start() {
        if (!RootCondition.isRoot()) {
            return Map.of(); // the test class is skipped; nothing to prepare
        }
        try {
            stateDir = Files.createTempDirectory("podnet-state");
            runDir = Files.createTempDirectory("podnet-run");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        sandbox = new Sandbox();
        return Map.of(
                "podnet.host-netns", sandbox.path().toString(),
                "podnet.state-dir", stateDir.toString(),
                "podnet.run-dir", runDir.toString(),
                "podnet.networks-dir", stateDir.resolve("no-networks-dir").toString(),
                "podnet.embedded.enabled", "true",
                "podnet.resync-interval", "2s");
    }

    @Override
    public void stop() {
        if (sandbox != null) {
            sandbox.close();
            sandbox = null;
        }
    }
}
