package io.podnet.operator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.api.PodNetwork;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Scrapes /q/metrics and the health endpoints of an agent working in a sandbox. */
@QuarkusTest
@RequiresRoot
@WithTestResource(SandboxHostResource.class)
class ObservabilityTest extends OperatorTestBase {
    private PodNetwork readyPod(String name) {
        return createAndAwait(podNetwork(name, "local", network("podnet")), "Ready");
    }

    @Test
    void reconcileAndSetupMetricsMoveAndPerPodTrafficSeriesFollowThePod() {
        PodNetwork pn = readyPod("metered");
        String ns = podNetns(pn);

        String before = metrics();
        assertThat(metricValue(before, "reconciliations_started_total", "controller_name=\"podnetwork\"")).isGreaterThanOrEqualTo(1);
        assertThat(metricValue(before, "reconciliations_success_total", "controller_name=\"podnetwork\"")).isGreaterThanOrEqualTo(1);
        assertThat(metricValue(before, "podnet_setup_duration_seconds_count", "mode=\"rootful\"", "outcome=\"ok\"")).isGreaterThanOrEqualTo(1);
        assertThat(metricValue(before, "podnet_setup_step_duration_seconds_count", "step=\"netns\"")).isGreaterThanOrEqualTo(1);
        assertThat(metricValue(before, "podnet_podnetworks", "phase=\"Ready\"")).isGreaterThanOrEqualTo(1);
        String series = "name=\"metered\"";
        double tx = metricValue(before, "podnet_interface_transmit_bytes_total", series, "interface=\"eth0\"", "namespace=\"default\"");
        double rxPackets = metricValue(before, "podnet_interface_receive_packets_total", series, "interface=\"eth0\"");
        assertThat(tx).isGreaterThanOrEqualTo(0);

        // traffic through the pod's interface: 5 pings of 1000 bytes to the gateway, and their replies
        Shell.ok(Shell.in(ns, "ping", "-c", "5", "-i", "0.2", "-s", "1000", "-W", "2", "10.89.0.1"));
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            String after = metrics();
            assertThat(metricValue(after, "podnet_interface_transmit_bytes_total", series, "interface=\"eth0\"")).isGreaterThanOrEqualTo(tx + 5 * 1000);
            assertThat(metricValue(after, "podnet_interface_receive_packets_total", series, "interface=\"eth0\"")).isGreaterThanOrEqualTo(rxPackets + 5);
        });

        client.resource(pn).delete();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(metrics()).doesNotContain(series));
    }

    @Test
    void aRefusalIsCountedByReason() {
        // other tests of this class refuse UnknownNetwork too: count from here
        double before = Math.max(0, metricValue(metrics(), "podnet_failures_total", "reason=\"UnknownNetwork\"", "stage=\"networks\""));
        client.resource(podNetwork("refused", "local", network("no-such-network"))).create();
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(metricValue(metrics(), "podnet_failures_total", "reason=\"UnknownNetwork\"",
                "stage=\"networks\"")).isGreaterThanOrEqualTo(before + 1));
        assertThat(metricValue(metrics(), "podnet_podnetworks", "phase=\"Failed\"")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aDeletedVethIsRepairedByTheResyncAndCounted() {
        PodNetwork pn = readyPod("drifting");
        String ns = podNetns(pn);
        double repairs = Math.max(0, metricValue(metrics(), "podnet_repairs_total", "kind=\"veth\""));
        Shell.ok("ip", "-n", sandbox(), "link", "del", hostVethOf(pn));
        // the resync (2s in this test) restores it with the same name, address and MAC
        await().atMost(TIMEOUT).untilAsserted(() ->
                assertThat(metricValue(metrics(), "podnet_repairs_total", "kind=\"veth\"")).isGreaterThanOrEqualTo(repairs + 1));
        assertThat(Shell.ipJson(ns, "link", "show", "eth0").get(0).get("address").asText())
                .isEqualTo(pn.getStatus().getNetworks().get("podnet").getInterfaces().get("eth0").getMacAddress());
        Shell.ok(Shell.in(ns, "ping", "-c", "1", "-W", "2", "10.89.0.1"));
    }

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        // counters appear with their first increment: make a refusal, a kernel failure and a repair happen first
        PodNetwork pn = readyPod("dashboard");
        client.resource(podNetwork("dashboard-refused", "local", network("nope"))).create();
        Shell.ok("ip", "-n", sandbox(), "link", "del", hostVethOf(pn));
        try (BridgeNameTaken blocker = new BridgeNameTaken()) {
            client.resource(podNetwork("dashboard-failing", "local", network("backend"))).create();
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
        double failuresBefore = Math.max(0, metricValue(metrics(), "podnet_failures_total", "reason=\"BridgeNameTaken\""));
        double retriesBefore = Math.max(0, metricValue(metrics(), "reconciliations_retries_total", "controller_name=\"podnetwork\""));
        PodNetwork failing;
        try (BridgeNameTaken blocker = new BridgeNameTaken()) {
            client.resource(podNetwork("kernel-failure", "local", network("backend"))).create();
            await().atMost(TIMEOUT).until(() -> {
                PodNetwork got = get("kernel-failure");
                return got != null && got.getStatus() != null && got.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Ready") && "BridgeNameTaken".equals(c.getReason()));
            });
            failing = get("kernel-failure");
            assertThat(failing.getStatus().getPhase()).as("retried, so not Failed").isEqualTo("Pending");
            assertThat(failing.getStatus().getConditions()).filteredOn(c -> c.getType().equals("NetworksReady"))
                    .singleElement().satisfies(c -> assertThat(c.getStatus()).isEqualTo("False"));
            // a fresh pod whose kernel step failed is rolled back: no namespace, no veth
            assertThat(podNetnsPath(failing)).doesNotExist();
            assertThat(sandboxLinks().toString()).doesNotContain("\"pn");
            // JOSDK retries with back-off; podnet counts the failure once, not once per retry
            await().atMost(TIMEOUT).until(() -> metricValue(metrics(), "reconciliations_retries_total", "controller_name=\"podnetwork\"")
                    >= retriesBefore + 2);
            assertThat(metricValue(metrics(), "reconciliations_failure_total", "controller_name=\"podnetwork\"")).isGreaterThanOrEqualTo(2);
            assertThat(metricValue(metrics(), "podnet_failures_total", "reason=\"BridgeNameTaken\"", "stage=\"networks\""))
                    .isEqualTo(failuresBefore + 1);
        }
        // the blocking interface is gone: a later retry builds the pod
        await().atMost(Duration.ofSeconds(60)).until(() -> "Ready".equals(
                get("kernel-failure").getStatus().getPhase()));
    }

    @Test
    void aDeletedAddressAndRouteAreRestoredByTheResyncAndCounted() {
        PodNetwork pn = readyPod("readdressed");
        String ns = podNetns(pn);
        String ip = pn.getStatus().getInspect().getIpAddress();
        double addresses = Math.max(0, metricValue(metrics(), "podnet_repairs_total", "kind=\"address\""));
        double routes = Math.max(0, metricValue(metrics(), "podnet_repairs_total", "kind=\"route\""));
        Shell.ok(Shell.ip(ns, "route", "del", "default"));
        Shell.ok(Shell.ip(ns, "addr", "del", ip + "/24", "dev", "eth0"));
        // the resync (2s here) puts both back with the same values, and says so
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(Shell.ipJson(ns, "addr", "show", "eth0").toString()).contains("\"" + ip + "\"");
            assertThat(Shell.ipJson(ns, "route", "show", "default").toString()).contains("10.89.0.1");
        });
        await().atMost(TIMEOUT).untilAsserted(() -> {
            String m = metrics();
            assertThat(metricValue(m, "podnet_repairs_total", "kind=\"address\"")).isGreaterThanOrEqualTo(addresses + 1);
            assertThat(metricValue(m, "podnet_repairs_total", "kind=\"route\"")).isGreaterThanOrEqualTo(routes + 1);
        });
    }

    @Test
    void aTeardownIsTimedAndTheGonePodIsNoLongerCountedInAnyPhase() {
        PodNetwork pn = readyPod("timed-teardown");
        double before = Math.max(0, metricValue(metrics(), "podnet_teardown_duration_seconds_count", "mode=\"rootful\"", "outcome=\"ok\""));
        client.resource(pn).delete();
        awaitGone("timed-teardown");
        String m = metrics();
        assertThat(metricValue(m, "podnet_teardown_duration_seconds_count", "mode=\"rootful\"", "outcome=\"ok\"")).isGreaterThanOrEqualTo(before + 1);
        assertThat(metricValue(m, "podnet_teardown_step_duration_seconds_count")).isGreaterThanOrEqualTo(1);
        // the gauge has a Terminating series, and the gone pod is no longer counted in any phase
        assertThat(metricValue(m, "podnet_podnetworks", "phase=\"Terminating\"")).isZero();
    }

    /** A veth holding the backend network's bridge name (podnet1) in the sandbox: creating that bridge fails until it goes. */
    private static final class BridgeNameTaken implements AutoCloseable {
        BridgeNameTaken() {
            Shell.ok("ip", "-n", sandbox(), "link", "add", "podnet1", "type", "veth", "peer", "name", "podnet1p");
        }

        @Override
        public void close() {
            Shell.ok("ip", "-n", sandbox(), "link", "del", "podnet1");
        }
    }

    private static String hostVethOf(PodNetwork pn) {
        // the pod's veth is the only port of podnet0 whose peer is in this pod's namespace: find it by its peer's ifindex
        int peerIndex = Shell.ipJson(podNetns(pn), "link", "show", "eth0").get(0).get("ifindex").asInt();
        for (JsonNode l : Shell.ipJson(sandbox(), "link", "show", "master", "podnet0")) {
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
