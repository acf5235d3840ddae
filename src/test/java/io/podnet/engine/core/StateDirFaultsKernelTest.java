package io.podnet.engine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.podnet.engine.DnsRequest;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.plan.KernelNames;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Sandbox;
import io.podnet.testing.Shell;

/**
 * A state dir that refuses writes (read-only here, by a read-only bind mount over the engine's
 * own temporary pod state dir, <run dir>/state) fails a setup with StateWriteFailed saying so, not an internal
 * error, leaves nothing of the pod, and the same setup succeeds once the dir is writable again.
 * The resources campaign found the InternalError.
 */
@RequiresRoot
class StateDirFaultsKernelTest {
    private static final String NETWORK = """
            {"name": "podnet", "driver": "bridge", "network_interface": "pnstate0",
             "subnets": [{"subnet": "10.93.0.0/24", "gateway": "10.93.0.1"}]}
            """;

    @Test
    void aReadOnlyStateDirGivesStateWriteFailedAndNothingHalfBuilt() throws IOException {
        try (SandboxEngine e = new SandboxEngine("nameserver 192.0.2.53\n", NETWORK)) {
            Files.createDirectories(e.kernelState);
            String id = e.newPod();
            Shell.ok("mount", "--bind", e.kernelState.toString(), e.kernelState.toString());
            try {
                Shell.ok("mount", "-o", "remount,bind,ro", e.kernelState.toString());
                assertThatThrownBy(() -> e.engine.setup(SandboxEngine.request(id, DnsRequest.NONE, "podnet")))
                        .isInstanceOfSatisfying(SetupFailedException.class, f -> assertThat(f.reason()).isEqualTo("StateWriteFailed"))
                        .hasMessageContaining("the state dir is read-only");
                assertThat(Sandbox.NETNS_DIR.resolve(KernelNames.netns(id))).as("the pod's namespace").doesNotExist();
                assertThat(Shell.run("ip", "-n", e.sandbox.name(), "link", "show", KernelNames.hostVeth(id, "podnet")).ok())
                        .as("the pod's host veth").isFalse();
            } finally {
                Shell.run("umount", e.kernelState.toString());
            }
            assertThat(e.engine.setup(SandboxEngine.request(id, DnsRequest.NONE, "podnet")).toString()).isNotEmpty();
            assertThat(Sandbox.NETNS_DIR.resolve(KernelNames.netns(id))).exists();
            try (var files = Files.walk(e.kernelState)) {
                assertThat(files.map(Path::toString)).as("state written once writable").anyMatch(p -> p.endsWith(id + ".json"));
            }
        }
    }
}
