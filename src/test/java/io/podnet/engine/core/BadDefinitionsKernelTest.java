package io.podnet.engine.core;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.podnet.engine.DnsRequest;
import io.podnet.engine.EngineSettings;
import io.podnet.engine.RejectedRequestException;
import io.podnet.testing.RequiresRoot;

/**
 * A node whose networks directory holds bad definitions next to a good one: the engine opens,
 * the good network works, and a pod asking for a bad one is refused naming the file and the
 * problem, with nothing built.
 */
@RequiresRoot
class BadDefinitionsKernelTest {
    @Test
    void onlyTheBadNetworksAreUnavailable() throws IOException {
        // SandboxEngine writes net0.json, net1.json, ... in this order
        try (SandboxEngine env = new SandboxEngine("nameserver 192.0.2.53\n",
                """
                {"name": "good", "network_interface": "pngood0", "subnets": [{"subnet": "10.120.0.0/24"}]}""",
                "{\"name\": \"malformed\", \"network_interface\": ",
                """
                {"name": "plugin", "driver": "my-plugin", "subnets": [{"subnet": "10.121.0.0/24"}]}""",
                """
                {"name": "fancy", "network_interface": "pnfancy0", "subnets": [{"subnet": "10.122.0.0/24"}], "options": {"colour": "blue"}}""",
                """
                {"name": "hostbits", "network_interface": "pnhb0", "subnets": [{"subnet": "10.123.0.7/24"}]}""",
                """
                {"name": "overlap", "network_interface": "pnov0", "subnets": [{"subnet": "10.120.0.128/25"}]}""")) {
            assertThat(env.definitions.all()).extracting(d -> d.name()).containsExactly("good");
            Path dir = env.networksDir;
            Map<String, String[]> refused = Map.of(
                    // not even a name could be read: the network is known by its file's name
                    "net1", new String[] {"InvalidNetworkDefinition", dir.resolve("net1.json") + ": invalid JSON"},
                    "plugin", new String[] {"UnsupportedNetworkDriver", dir.resolve("net2.json") + ": network \"plugin\": driver \"my-plugin\""},
                    "fancy", new String[] {"UnsupportedNetworkOption", dir.resolve("net3.json") + ": network \"fancy\": option \"colour\""},
                    "hostbits", new String[] {"InvalidNetworkDefinition", dir.resolve("net4.json") + ": network \"hostbits\": subnet 10.123.0.7/24 has host bits set"},
                    "overlap", new String[] {"InvalidNetworkDefinition", dir.resolve("net5.json")
                            + ": subnet 10.120.0.128/25 overlaps subnet 10.120.0.0/24 of the network in " + dir.resolve("net0.json")});
            refused.forEach((network, expected) -> {
                String id = env.newPod();
                assertThatThrownBy(() -> env.engine.setup(SandboxEngine.request(id, DnsRequest.NONE, network)))
                        .as(network).isInstanceOfSatisfying(RejectedRequestException.class, e -> {
                            assertThat(e.reason()).isEqualTo(expected[0]);
                            assertThat(e.getMessage()).startsWith("network \"" + network + "\" is unavailable on this node: its definition "
                                    + expected[1]);
                        });
                assertThat(Path.of("/run/netns", "podnet-" + id)).doesNotExist();
            });
            assertThat(ipJson(env.sandbox.name(), "link", "show").toString()).doesNotContain("pnfancy0", "pnhb0", "pnov0");

            String ok = env.newPod();
            env.engine.setup(SandboxEngine.request(ok, DnsRequest.NONE, "good"));
            assertThat(ipJson("podnet-" + ok, "addr", "show", "eth0").toString()).contains("10.120.0.2");

            EngineSettings settings = EngineSettings.of(env.sandbox.path(), Path.of("/run/netns"), env.state, env.dir.resolve("run"),
                    env.definitions);
            assertThat(settings.definitionProblems()).hasSize(5).allMatch(p -> p.startsWith(dir.toString()));
            assertThat(settings.describe()).contains("good (bridge pngood0)", "5 unusable definition(s)");
        }
    }
}
