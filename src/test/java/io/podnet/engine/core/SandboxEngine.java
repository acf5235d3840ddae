package io.podnet.engine.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.EngineSettings;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.policy.NodePolicy;
import io.podnet.policy.Tenant;
import io.podnet.ports.PortPolicy;
import io.podnet.rootless.RootlessConfig;
import io.podnet.testing.Sandbox;
import io.podnet.testing.Trees;

/**
 * A rootful engine on a sandbox playing the host, with its state and run dirs, its network
 * definitions and the host's resolv.conf in a temporary directory; {@link #close()} tears down
 * the pods it made and removes it all.
 */
final class SandboxEngine implements AutoCloseable {
    final Sandbox sandbox;
    final Path dir;
    final Path state;
    /** Where the engine keeps pod state, IPAM and bridge markers: {@code <run dir>/state}. */
    final Path kernelState;
    final Path hostResolvConf;
    final NetworkEngine engine;
    /** The definitions as loaded, bad files' problems included. */
    final NetworkDefinitions definitions;
    final Path networksDir;
    private final List<String> pods = new ArrayList<>();

    /** @param networks netavark network definitions (JSON), one per file */
    SandboxEngine(String hostResolvConfText, String... networks) throws IOException {
        this(NodePolicy.defaults(), hostResolvConfText, networks);
    }

    /** @param policy the node policy, for tests that need what the defaults do not grant (joining a namespace) */
    SandboxEngine(NodePolicy policy, String hostResolvConfText, String... networks) throws IOException {
        this(policy, RootlessConfig.defaults(), hostResolvConfText, networks);
    }

    /** @param rootless the rootless settings, for tests of the helper (its program, say) */
    SandboxEngine(NodePolicy policy, RootlessConfig rootless, String hostResolvConfText, String... networks) throws IOException {
        dir = Files.createTempDirectory("podnet-engine-test-");
        state = dir.resolve("state");
        kernelState = dir.resolve("run").resolve("state");
        hostResolvConf = dir.resolve("host-resolv.conf");
        Files.writeString(hostResolvConf, hostResolvConfText);
        networksDir = Files.createDirectories(dir.resolve("networks"));
        for (int i = 0; i < networks.length; i++) {
            Files.writeString(networksDir.resolve("net" + i + ".json"), networks[i]);
        }
        definitions = NetworkDefinitions.load(networksDir);
        sandbox = new Sandbox();
        try {
            engine = NetworkEngine.open(new EngineSettings(sandbox.path(), Sandbox.NETNS_DIR, state, dir.resolve("run"),
                    definitions, networksDir, List.of(Sandbox.NETNS_DIR), hostResolvConf, PortPolicy.defaults(),
                    rootless, policy));
        } catch (RuntimeException e) {
            sandbox.close();
            Trees.delete(dir);
            throw e;
        }
    }

    /** A new pod's id, torn down at {@link #close()} if the test did not. */
    String newPod() {
        String id = UUID.randomUUID().toString();
        pods.add(id);
        return id;
    }

    static PodRequest request(String id, DnsRequest dns, String... networks) {
        return new PodRequest(id, "test/" + id, "pod-" + id.substring(0, 4), Tenant.named("test"), PodMode.ROOTFUL, NetnsRequest.NEW,
                Arrays.stream(networks).map(AttachmentRequest::of).toList(), List.of(), dns);
    }

    @Override
    public void close() {
        try {
            pods.forEach(engine::teardown);
            engine.close();
        } finally {
            sandbox.close();
            Trees.delete(dir);
        }
    }
}
