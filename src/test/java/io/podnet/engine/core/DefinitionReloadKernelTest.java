package io.podnet.engine.core;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.podnet.engine.DnsRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.testing.RequiresRoot;

/**
 * An admin edits the networks dir while the agent runs: a new file is usable at the next node
 * resync, a bad one is reported then, and a changed network keeps what its pods were built with
 * until the last of them is gone, then runs with the new file.
 */
@RequiresRoot
class DefinitionReloadKernelTest {
    private static final String FRONT = """
            {"name": "front", "network_interface": "pnrl0", "subnets": [{"subnet": "10.140.0.0/24"}]}""";

    @Test
    void filesAddedChangedAndBrokenWhileRunningTakeEffectAtTheNextResync() throws IOException {
        try (SandboxEngine env = new SandboxEngine("nameserver 192.0.2.53\n", FRONT)) {
            Path dir = env.networksDir;
            String a = env.newPod();
            env.engine.setup(SandboxEngine.request(a, DnsRequest.NONE, "front"));
            assertThat(ipJson("podnet-" + a, "addr", "show", "eth0").toString()).contains("10.140.0.2");

            Files.writeString(dir.resolve("net0.json"), FRONT.replace("10.140.0.0/24", "10.142.0.0/24"));
            Files.writeString(dir.resolve("net1.json"), """
                    {"name": "late", "network_interface": "pnrl1", "subnets": [{"subnet": "10.141.0.0/24"}]}""");
            Files.writeString(dir.resolve("net2.json"), "{\"name\": \"broken\", ");
            String late = env.newPod();
            assertThatThrownBy(() -> env.engine.setup(SandboxEngine.request(late, DnsRequest.NONE, "late")))
                    .as("nothing is read before the resync").isInstanceOf(RejectedRequestException.class);

            env.engine.repairNode();

            env.engine.setup(SandboxEngine.request(late, DnsRequest.NONE, "late"));
            assertThat(ipJson("podnet-" + late, "addr", "show", "eth0").toString()).contains("10.141.0.2");
            assertThat(env.engine.networkDefinitionProblems()).singleElement().asString().startsWith(dir.resolve("net2.json") + ": ");
            assertThat(env.engine.usableNetworkDefinitions()).isEqualTo(2);
            assertThat(env.engine.pendingNetworkDefinitions()).singleElement().asString()
                    .startsWith("network \"front\" (" + dir.resolve("net0.json") + ") changed");

            // front's pods, old and new, run with the definition they were built with
            env.engine.setup(SandboxEngine.request(a, DnsRequest.NONE, "front"));
            String b = env.newPod();
            env.engine.setup(SandboxEngine.request(b, DnsRequest.NONE, "front"));
            assertThat(ipJson("podnet-" + a, "addr", "show", "eth0").toString()).contains("10.140.0.2");
            assertThat(ipJson("podnet-" + b, "addr", "show", "eth0").toString()).contains("10.140.0.3");
            assertThat(ipJson(env.sandbox.name(), "addr", "show", "pnrl0").toString()).contains("10.140.0.1").doesNotContain("10.142.");

            env.engine.teardown(a);
            env.engine.teardown(b);
            env.engine.repairNode();

            assertThat(env.engine.pendingNetworkDefinitions()).isEmpty();
            String c = env.newPod();
            env.engine.setup(SandboxEngine.request(c, DnsRequest.NONE, "front"));
            assertThat(ipJson("podnet-" + c, "addr", "show", "eth0").toString()).contains("10.142.0.2");
            assertThat(ipJson(env.sandbox.name(), "addr", "show", "pnrl0").toString()).contains("10.142.0.1").doesNotContain("10.140.");

            Files.delete(dir.resolve("net2.json"));
            env.engine.repairNode();
            assertThat(env.engine.networkDefinitionProblems()).isEmpty();
        }
    }
}
