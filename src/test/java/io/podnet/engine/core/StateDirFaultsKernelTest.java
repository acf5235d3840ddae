package io.podnet.engine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.plan.KernelNames;
import io.podnet.policy.NodePolicy;
import io.podnet.policy.Tenant;
import io.podnet.rootless.RootlessConfig;
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

    /** The resources campaign found the lease kept: the plan had taken it before the helper failed. */
    @Test
    void aMissingHelperProgramGivesHelperMissingAndKeepsNoLease() throws IOException {
        Path missing = Files.createTempDirectory("podnet-no-helper-").resolve("pasta");
        RootlessConfig rootless = RootlessConfig.defaults().withHelperBinary(missing);
        try (SandboxEngine e = new SandboxEngine(NodePolicy.defaults(), rootless, "nameserver 192.0.2.53\n", NETWORK)) {
            String id = e.newPod();
            PodRequest request = new PodRequest(id, "test/" + id, "rl", Tenant.named("test"), PodMode.ROOTLESS, NetnsRequest.NEW,
                    List.of(AttachmentRequest.of("podnet")), List.of(), DnsRequest.NONE);
            assertThatThrownBy(() -> e.engine.setup(request))
                    .isInstanceOfSatisfying(SetupFailedException.class, f -> assertThat(f.reason()).isEqualTo("HelperMissing"))
                    .hasMessageContaining(missing.toString());
            assertThat(Sandbox.NETNS_DIR.resolve(KernelNames.netns(id))).as("the pod's namespace").doesNotExist();
            try (var files = Files.walk(e.kernelState)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(f)).as("no lease or state of the pod in " + f).doesNotContain(id);
                }
            }
        } finally {
            Files.deleteIfExists(missing.getParent());
        }
    }
}
