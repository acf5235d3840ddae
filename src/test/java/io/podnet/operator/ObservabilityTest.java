package io.podnet.operator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.PodNetwork;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Scrapes /q/metrics and the health endpoints of an agent working in a sandbox. */
@QuarkusTest
@RequiresRoot
@WithTestResource(SandboxHostResource.class)
class ObservabilityTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    KubernetesClient client;

    @AfterEach
    void deleteAll() {
        PodNetworkOperatorTest.deleteAllAndWait(client, TIMEOUT);
    }

    private static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the first series of {@code name} whose labels contain every fragment; -1 when absent. */
    static double value(String metrics, String name, String... labelFragments) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})? ([0-9.eE+-]+)$").matcher(metrics);
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (List.of(labelFragments).stream().allMatch(labels::contains)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return -1;
    }

    private PodNetwork readyPod(String name) {
        client.resource(PodNetworkOperatorTest.podNetwork(name, "local", PodNetworkOperatorTest.network("podnet"))).create();
        await().atMost(TIMEOUT).until(() -> {
            PodNetwork pn = client.resources(PodNetwork.class).inNamespace("default").withName(name).get();
            return pn != null && pn.getStatus() != null && "Ready".equals(pn.getStatus().getPhase());
        });
        return client.resources(PodNetwork.class).inNamespace("default").withName(name).get();
    }

    @Test
    void reconcileAndSetupMetricsMoveAndPerPodTrafficSeriesFollowThePod() {
        PodNetwork pn = readyPod("metered");
        String ns = "podnet-" + pn.getMetadata().getUid();

        String before = metrics();
        assertThat(value(before, "reconciliations_started_total", "controller_name=\"podnetwork\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(before, "reconciliations_success_total", "controller_name=\"podnetwork\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(before, "podnet_setup_duration_seconds_count", "mode=\"rootful\"", "outcome=\"ok\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(before, "podnet_setup_step_duration_seconds_count", "step=\"netns\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(before, "podnet_podnetworks", "phase=\"Ready\"")).isGreaterThanOrEqualTo(1);
        String series = "name=\"metered\"";
        double tx = value(before, "podnet_interface_transmit_bytes_total", series, "interface=\"eth0\"", "namespace=\"default\"");
        double rxPackets = value(before, "podnet_interface_receive_packets_total", series, "interface=\"eth0\"");
        assertThat(tx).isGreaterThanOrEqualTo(0);

        // traffic through the pod's interface: 5 pings of 1000 bytes to the gateway, and their replies
        Shell.ok("ip", "netns", "exec", ns, "ping", "-c", "5", "-i", "0.2", "-s", "1000", "-W", "2", "10.89.0.1");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String after = metrics();
            assertThat(value(after, "podnet_interface_transmit_bytes_total", series, "interface=\"eth0\"")).isGreaterThanOrEqualTo(tx + 5 * 1000);
            assertThat(value(after, "podnet_interface_receive_packets_total", series, "interface=\"eth0\"")).isGreaterThanOrEqualTo(rxPackets + 5);
        });

        client.resource(pn).delete();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(metrics()).doesNotContain(series));
    }

    @Test
    void aRefusalIsCountedByReason() {
        // other tests of this class refuse UnknownNetwork too: count from here
        double before = Math.max(0, value(metrics(), "podnet_failures_total", "reason=\"UnknownNetwork\"", "stage=\"networks\""));
        client.resource(PodNetworkOperatorTest.podNetwork("refused", "local", PodNetworkOperatorTest.network("no-such-network"))).create();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(value(metrics(), "podnet_failures_total", "reason=\"UnknownNetwork\"",
                "stage=\"networks\"")).isGreaterThanOrEqualTo(before + 1));
        assertThat(value(metrics(), "podnet_podnetworks", "phase=\"Failed\"")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aDeletedVethIsRepairedByTheResyncAndCounted() {
        PodNetwork pn = readyPod("drifting");
        String ns = "podnet-" + pn.getMetadata().getUid();
        double repairs = Math.max(0, value(metrics(), "podnet_repairs_total", "kind=\"veth\""));
        Shell.ok("ip", "-n", SandboxHostResource.sandbox.name(), "link", "del", hostVethOf(pn));
        // the resync (2s in this test) restores it with the same name, address and MAC
        await().atMost(TIMEOUT).untilAsserted(() ->
                assertThat(value(metrics(), "podnet_repairs_total", "kind=\"veth\"")).isGreaterThanOrEqualTo(repairs + 1));
        assertThat(Shell.ipJson(ns, "link", "show", "eth0").get(0).get("address").asText())
                .isEqualTo(pn.getStatus().getNetworks().get("podnet").getInterfaces().get("eth0").getMacAddress());
        Shell.ok("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "2", "10.89.0.1");
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        // counters appear with their first increment: make a refusal and a repair happen first
        PodNetwork pn = readyPod("dashboard");
        client.resource(PodNetworkOperatorTest.podNetwork("dashboard-refused", "local", PodNetworkOperatorTest.network("nope"))).create();
        Shell.ok("ip", "-n", SandboxHostResource.sandbox.name(), "link", "del", hostVethOf(pn));
        await().atMost(TIMEOUT).untilAsserted(() -> {
            String m = metrics();
            assertThat(m).contains("podnet_failures_total{").contains("podnet_repairs_total{");
        });
        String metrics = metrics();
        // JOSDK registers these two only after the first failed reconcile; their names are its constants
        java.util.Set<String> onFirstFailure = java.util.Set.of(
                io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2.RECONCILIATIONS_FAILED.replace('.', '_'),
                io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2.RECONCILIATIONS_RETRIES_NUMBER.replace('.', '_'));
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(Path.of("helm/podnet/dashboards/podnet.json")));
        Matcher m = Pattern.compile("\\b((?:podnet|reconciliations)_[a-z_]+)").matcher(dashboard.findValuesAsText("expr").toString());
        int checked = 0;
        while (m.find()) {
            String name = m.group(1);
            checked++;
            if (onFirstFailure.contains(name)) {
                continue;
            }
            assertThat(metrics).as("the dashboard queries %s", name).containsPattern("(?m)^" + Pattern.quote(name) + "[{ ]");
        }
        assertThat(checked).isGreaterThan(10);
    }

    private static String hostVethOf(PodNetwork pn) {
        // the pod's veth is the only port of podnet0 whose peer is in this pod's namespace: find it by its peer's ifindex
        int peerIndex = Shell.ipJson("podnet-" + pn.getMetadata().getUid(), "link", "show", "eth0").get(0).get("ifindex").asInt();
        for (JsonNode l : Shell.ipJson(SandboxHostResource.sandbox.name(), "link", "show", "master", "podnet0")) {
            if (l.path("link_index").asInt() == peerIndex) {
                return l.get("ifname").asText();
            }
        }
        throw new AssertionError("no host veth for " + pn.getMetadata().getName());
    }

    @Test
    void livenessAndReadinessAnswer() {
        String live = given().when().get("/q/health/live").then().statusCode(200).extract().asString();
        assertThat(live).contains("podnet reconcile loop").contains("\"UP\"");
        String ready = given().when().get("/q/health/ready").then().statusCode(200).extract().asString();
        assertThat(ready).contains("podnet agent", "Quarkus Operator SDK health check").doesNotContain("DOWN");
    }
}
