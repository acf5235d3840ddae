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
        // counters appear with their first increment: make a refusal, a kernel failure and a repair happen first
        PodNetwork pn = readyPod("dashboard");
        client.resource(PodNetworkOperatorTest.podNetwork("dashboard-refused", "local", PodNetworkOperatorTest.network("nope"))).create();
        Shell.ok("ip", "-n", SandboxHostResource.sandbox.name(), "link", "del", hostVethOf(pn));
        try (BridgeNameTaken blocker = new BridgeNameTaken()) {
            client.resource(PodNetworkOperatorTest.podNetwork("dashboard-failing", "local", PodNetworkOperatorTest.network("backend"))).create();
            await().atMost(TIMEOUT).untilAsserted(() -> {
                String m = metrics();
                assertThat(m).contains("podnet_failures_total{").contains("podnet_repairs_total{")
                        .contains("reconciliations_failure_total{").contains("reconciliations_retries_total{");
            });
        }
        String metrics = metrics();
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(Path.of("helm/podnet/dashboards/podnet.json")));
        Matcher m = Pattern.compile("\\b((?:podnet|reconciliations)_[a-z_]+)").matcher(dashboard.findValuesAsText("expr").toString());
        java.util.Set<String> checked = new java.util.TreeSet<>();
        while (m.find()) {
            String name = m.group(1);
            checked.add(name);
            assertThat(metrics).as("the dashboard queries %s", name).containsPattern("(?m)^" + Pattern.quote(name) + "[{ ]");
        }
        System.out.println("metrics the dashboard queries, all exported: " + checked);
        assertThat(checked).hasSizeGreaterThan(10);
    }

    @Test
    void aKernelFailureIsRolledBackRetriedCountedOnceAndReadyOnceTheCauseIsGone() {
        double failuresBefore = Math.max(0, value(metrics(), "podnet_failures_total", "reason=\"BridgeNameTaken\""));
        double retriesBefore = Math.max(0, value(metrics(), "reconciliations_retries_total", "controller_name=\"podnetwork\""));
        PodNetwork failing;
        try (BridgeNameTaken blocker = new BridgeNameTaken()) {
            client.resource(PodNetworkOperatorTest.podNetwork("kernel-failure", "local", PodNetworkOperatorTest.network("backend"))).create();
            await().atMost(TIMEOUT).until(() -> {
                PodNetwork got = client.resources(PodNetwork.class).inNamespace("default").withName("kernel-failure").get();
                return got != null && got.getStatus() != null && got.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Ready") && "BridgeNameTaken".equals(c.getReason()));
            });
            failing = client.resources(PodNetwork.class).inNamespace("default").withName("kernel-failure").get();
            assertThat(failing.getStatus().getPhase()).as("retried, so not Failed").isEqualTo("Pending");
            assertThat(failing.getStatus().getConditions()).filteredOn(c -> c.getType().equals("NetworksReady"))
                    .singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"));
            // a fresh pod whose kernel step failed is rolled back: no namespace, no veth
            assertThat(Path.of("/run/netns", "podnet-" + failing.getMetadata().getUid())).doesNotExist();
            assertThat(Shell.ipJson(SandboxHostResource.sandbox.name(), "link", "show").toString()).doesNotContain("\"pn");
            // JOSDK retries with back-off; podnet counts the failure once, not once per retry
            await().atMost(TIMEOUT).until(() -> value(metrics(), "reconciliations_retries_total", "controller_name=\"podnetwork\"")
                    >= retriesBefore + 2);
            assertThat(value(metrics(), "reconciliations_failure_total", "controller_name=\"podnetwork\"")).isGreaterThanOrEqualTo(2);
            assertThat(value(metrics(), "podnet_failures_total", "reason=\"BridgeNameTaken\"", "stage=\"networks\""))
                    .isEqualTo(failuresBefore + 1);
        }
        // the blocking interface is gone: a later retry builds the pod
        await().atMost(Duration.ofSeconds(60)).until(() -> "Ready".equals(
                client.resources(PodNetwork.class).inNamespace("default").withName("kernel-failure").get().getStatus().getPhase()));
    }

    @Test
    void aDeletedAddressAndRouteAreRestoredByTheResyncAndCounted() {
        PodNetwork pn = readyPod("readdressed");
        String ns = "podnet-" + pn.getMetadata().getUid();
        String ip = pn.getStatus().getInspect().getIpAddress();
        double addresses = Math.max(0, value(metrics(), "podnet_repairs_total", "kind=\"address\""));
        double routes = Math.max(0, value(metrics(), "podnet_repairs_total", "kind=\"route\""));
        Shell.ok("ip", "-n", ns, "route", "del", "default");
        Shell.ok("ip", "-n", ns, "addr", "del", ip + "/24", "dev", "eth0");
        // the resync (2s here) puts both back with the same values, and says so
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(Shell.ipJson(ns, "addr", "show", "eth0").toString()).contains("\"" + ip + "\"");
            assertThat(Shell.ipJson(ns, "route", "show", "default").toString()).contains("10.89.0.1");
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            String m = metrics();
            assertThat(value(m, "podnet_repairs_total", "kind=\"address\"")).isGreaterThanOrEqualTo(addresses + 1);
            assertThat(value(m, "podnet_repairs_total", "kind=\"route\"")).isGreaterThanOrEqualTo(routes + 1);
        });
    }

    @Test
    void aTeardownIsTimedAndTheGonePodIsNoLongerCountedInAnyPhase() {
        PodNetwork pn = readyPod("timed-teardown");
        double before = Math.max(0, value(metrics(), "podnet_teardown_duration_seconds_count", "mode=\"rootful\"", "outcome=\"ok\""));
        client.resource(pn).delete();
        await().atMost(TIMEOUT).until(() -> client.resources(PodNetwork.class).inNamespace("default").withName("timed-teardown").get() == null);
        String m = metrics();
        assertThat(value(m, "podnet_teardown_duration_seconds_count", "mode=\"rootful\"", "outcome=\"ok\"")).isGreaterThanOrEqualTo(before + 1);
        assertThat(value(m, "podnet_teardown_step_duration_seconds_count")).isGreaterThanOrEqualTo(1);
        // the gauge has a Terminating series, and the gone pod is no longer counted in any phase
        assertThat(value(m, "podnet_podnetworks", "phase=\"Terminating\"")).isZero();
    }

    /** A veth holding the backend network's bridge name (podnet1) in the sandbox: creating that bridge fails until it goes. */
    private static final class BridgeNameTaken implements AutoCloseable {
        BridgeNameTaken() {
            Shell.ok("ip", "-n", SandboxHostResource.sandbox.name(), "link", "add", "podnet1", "type", "veth", "peer", "name", "podnet1p");
        }

        @Override
        public void close() {
            Shell.ok("ip", "-n", SandboxHostResource.sandbox.name(), "link", "del", "podnet1");
        }
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
