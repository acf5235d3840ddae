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
    public static volatile Sandbox sandbox;
    public static volatile Path stateDir;
    public static volatile Path runDir;
    /** Where the agent makes pod namespaces: the test's own, so that none lands in the host's /run/netns. */
    public static volatile Path netnsDir;

    @Override
    public Map<String, String> start() {
        if (!RootCondition.isRoot()) {
            return Map.of(); // the test class is skipped; nothing to prepare
        }
        Path networks;
        try {
            stateDir = Files.createTempDirectory("podnet-state");
            runDir = Files.createTempDirectory("podnet-run");
            netnsDir = Files.createTempDirectory("podnet-netns");
            networks = Files.createDirectories(stateDir.resolve("networks"));
            Files.writeString(networks.resolve("podnet.json"), """
                    {"name": "podnet", "driver": "bridge", "network_interface": "podnet0",
                     "subnets": [{"subnet": "10.89.0.0/24", "gateway": "10.89.0.1"}], "dns_enabled": true}
                    """);
            Files.writeString(networks.resolve("backend.json"), """
                    {"name": "backend", "driver": "bridge", "network_interface": "podnet1", "internal": true,
                     "subnets": [{"subnet": "10.90.0.0/24", "gateway": "10.90.0.1"}]}
                    """);
            Files.writeString(networks.resolve("dual.json"), """
                    {"name": "dual", "driver": "bridge", "network_interface": "podnet2", "ipv6_enabled": true,
                     "subnets": [{"subnet": "10.91.0.0/24", "gateway": "10.91.0.1"}, {"subnet": "fd00:91::/64", "gateway": "fd00:91::1"}]}
                    """);
            // bad definitions the agent must start with, their networks unavailable and the others fine
            Files.writeString(networks.resolve("broken.json"), "{\"name\": \"broken\", \"driver\": ");
            Files.writeString(networks.resolve("tunnel.json"), """
                    {"name": "tunnel", "driver": "bridge", "network_interface": "podnet9",
                     "subnets": [{"subnet": "10.99.0.0/24"}], "options": {"vrf": "blue"}}
                    """);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        sandbox = io.podnet.testing.SandboxUplink.add(new Sandbox()); // a node-like interface: pasta needs one
        return Map.ofEntries(
                Map.entry("podnet.host-netns", sandbox.path().toString()),
                Map.entry("podnet.state-dir", stateDir.toString()),
                Map.entry("podnet.netns-dir", netnsDir.toString()),
                Map.entry("podnet.run-dir", runDir.toString()),
                Map.entry("podnet.networks-dir", networks.toString()),
                Map.entry("podnet.embedded.enabled", "true"),
                Map.entry("podnet.resync-interval", "2s"),
                Map.entry("podnet.rootless.allow-host-loopback", "true"));
    }

    /**
     * Ends the sandbox and what a failed test left: the pod namespaces still in the test's netns
     * dir (each a bind mount, as is the dir itself once the agent shared it), and the temporary
     * folders.
     */
    @Override
    public void stop() {
        if (sandbox != null) {
            sandbox.close();
            sandbox = null;
        }
        if (netnsDir != null) {
            io.podnet.testing.Shell.run("umount", "--recursive", "--lazy", netnsDir.toString()); // not mounted when no pod was built
        }
        io.podnet.testing.Trees.delete(netnsDir);
        io.podnet.testing.Trees.delete(stateDir);
        io.podnet.testing.Trees.delete(runDir);
        netnsDir = null;
        stateDir = null;
        runDir = null;
    }
}
