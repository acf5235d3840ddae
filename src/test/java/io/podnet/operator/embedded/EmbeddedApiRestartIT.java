package io.podnet.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.podnet.testing.Trees;
import io.podnet.testing.kube.AgentProcess;
import io.podnet.testing.kube.Kubectl;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * The README's newcomer flow across a crash: the examples applied through the embedded API,
 * the agent killed with SIGKILL and started again, and the same PodNetworks Ready with the same
 * UIDs, namespaces, interface names, MACs and addresses, adopted rather than rebuilt; then
 * everything deleted, and nothing of it left in the kernel.
 */
@RequiresRoot
@RequiresApiServer
class EmbeddedApiRestartIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> EXAMPLES = List.of("web", "db", "isolated");

    @Test
    void afterKillMinusNineTheSamePodNetworksAreReadyWithTheSameNetworking() throws Exception {
        Path home = Files.createTempDirectory("podnet-embedded-restart-");
        Path kubeconfig = home.resolve("kubeconfig");
        try (AgentProcess agent = AgentProcess.start("local", Map.of(
                "PODNET_EMBEDDED_ENABLED", "true",
                "PODNET_EMBEDDED_KUBECONFIG", kubeconfig.toString()))) {
            Kubectl kubectl = new Kubectl(kubeconfig);
            for (String example : List.of("podnetwork-basic.yaml", "podnetwork-static.yaml", "podnetwork-loopback.yaml")) {
                assertThat(kubectl.run("apply", "-f", Path.of("examples", example).toString()).ok()).isTrue();
            }
            awaitReady(kubectl);
            JsonNode before = podNetworks(kubectl);
            String webNetns = before.path("web").at("/status/netnsPath").asText();
            String webMac = before.path("web").at("/status/networks/podnet/interfaces/eth0/macAddress").asText();
            assertThat(webMac).matches("([0-9a-f]{2}:){5}[0-9a-f]{2}");
            String inode = Shell.ok("stat", "-L", "-c", "%i", webNetns).trim();

            agent.kill();
            agent.restart();

            awaitReady(kubectl);
            JsonNode after = podNetworks(kubectl);
            for (String name : EXAMPLES) {
                assertThat(after.path(name).at("/metadata/uid").asText()).as("%s's UID", name).isEqualTo(before.path(name).at("/metadata/uid").asText());
                assertThat(after.path(name).at("/status/networks")).as("%s's interfaces, MACs and addresses", name)
                        .isEqualTo(before.path(name).at("/status/networks"));
                assertThat(after.path(name).at("/status/netnsPath")).isEqualTo(before.path(name).at("/status/netnsPath"));
            }
            assertThat(Shell.ok("stat", "-L", "-c", "%i", webNetns).trim()).as("the same namespace, adopted").isEqualTo(inode);
            assertThat(Shell.ipJson(webNetns, "link", "show", "eth0").get(0).path("address").asText()).isEqualTo(webMac);

            assertThat(kubectl.run("delete", "-f", "examples/", "--wait=true", "--timeout=60s").ok()).isTrue();
            for (String name : EXAMPLES) {
                assertThat(Path.of(after.path(name).at("/status/netnsPath").asText("/nonexistent"))).as("%s's namespace", name).doesNotExist();
            }
        } finally {
            Trees.delete(home);
        }
    }

    private static void awaitReady(Kubectl kubectl) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> {
            JsonNode all = podNetworks(kubectl);
            return EXAMPLES.stream().allMatch(n -> all.path(n).at("/status/phase").asText().equals("Ready"));
        });
    }

    /** The PodNetworks by name, as kubectl gets them. */
    private static JsonNode podNetworks(Kubectl kubectl) throws IOException {
        Kubectl.Result r = kubectl.run("get", "pn", "-o", "json");
        var byName = JSON.createObjectNode();
        if (r.ok()) {
            for (JsonNode item : JSON.readTree(r.stdout()).path("items")) {
                byName.set(item.at("/metadata/name").asText(), item);
            }
        }
        return byName;
    }
}
