package io.podnet.operator;

import static io.podnet.testing.PodNetworks.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.podnet.api.PodNetwork;
import io.podnet.api.PortMappingSpec;
import io.podnet.api.PortStatus;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.podnet.testing.TcpProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Port mappings through the whole agent: status, traffic, conflicts, policy, and repair after a firewall flush. */
@QuarkusTest
@RequiresRoot
@WithTestResource(SandboxHostResource.class)
class PortsTest extends OperatorTestBase {
    /** Creates the PodNetwork and waits for the phase the test expects (a transient Pending is not an answer). */
    private PodNetwork create(String name, String phase, PortMappingSpec... ports) {
        PodNetwork pn = podNetwork(name, "local", network("podnet"));
        pn.getSpec().setPortMappings(List.of(ports));
        return createAndAwait(pn, phase);
    }

    @Test
    void theStatusShowsPortsCompactedWithRandomHostPortsResolved() {
        PodNetwork pn = create("compacted", "Ready", port(18081, 81, "tcp", 1), port(18082, 82, "tcp", 1), port(0, 53, "tcp,udp", 1));
        assertThat(pn.getStatus().getPhase()).isEqualTo("Ready");
        assertThat(condition(pn, "PortsReady").getReason()).isEqualTo("PortsApplied");
        List<PortStatus> ports = pn.getStatus().getPorts();
        assertThat(ports).anySatisfy(p -> {
            assertThat(p.getHostPort()).isEqualTo(18081);
            assertThat(p.getContainerPort()).isEqualTo(81);
            assertThat(p.getRange()).isEqualTo(2); // neighbours merged
            assertThat(p.getProtocol()).isEqualTo("tcp");
        });
        List<PortStatus> random = ports.stream().filter(p -> p.getContainerPort() == 53).toList();
        assertThat(random).extracting(PortStatus::getProtocol).containsExactlyInAnyOrder("tcp", "udp");
        assertThat(random).allSatisfy(p -> assertThat(p.getHostPort()).isBetween(32768, 60999));
        assertThat(random.get(0).getHostPort()).isEqualTo(random.get(1).getHostPort()); // the same port for both protocols
        String rules = Shell.ok("ip", "netns", "exec", sandbox(), "nft", "list", "table", "inet", "podnet");
        assertThat(rules).contains("18081", "18082", pn.getMetadata().getUid());
    }

    @Test
    void aServerInThePodIsReachedThroughItsHostPortAndTheFirewallIsRepairedAfterAFlush() throws Exception {
        PodNetwork pn = create("served", "Ready", port(18090, 8080, "tcp", 1));
        assertThat(pn.getStatus().getPhase()).isEqualTo("Ready");
        Netns podNs = NetnsManager.join(Path.of(pn.getStatus().getNetnsPath()));
        closeFirst(podNs);
        ServerSocket server = podNs.run(() -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(8080));
            return s;
        });
        closeFirst(server);
        Thread acceptor = TcpProbe.answering(server, "hello from the pod");
        closeFirst(acceptor::interrupt);

        assertThat(TcpProbe.fetch(SandboxHostResource.sandbox.netns(), "127.0.0.1", 18090)).isEqualTo("hello from the pod");
        assertThat(TcpProbe.fetch(SandboxHostResource.sandbox.netns(), "10.89.0.1", 18090)).isEqualTo("hello from the pod");
        assertThat(TcpProbe.fetch(podNs, "10.89.0.1", 18090)).as("hairpin: the pod reaches its own host port").isEqualTo("hello from the pod");

        // a second pod asking for the same host port is refused, naming who holds it; the first keeps working
        PodNetwork taker = create("taker", "Failed", port(18090, 9090, "tcp", 1));
        assertThat(taker.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(condition(taker, "PortsReady").getReason()).isEqualTo("PortConflict");
        assertThat(condition(taker, "PortsReady").getMessage()).contains("18090", "default/served");
        assertThat(TcpProbe.fetch(SandboxHostResource.sandbox.netns(), "127.0.0.1", 18090)).isEqualTo("hello from the pod");

        // someone flushes the firewall: the next resync (2s here) restores it
        Shell.ok("ip", "netns", "exec", sandbox(), "nft", "flush", "ruleset");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> "hello from the pod".equals(TcpProbe.tryFetch(SandboxHostResource.sandbox.netns(), "127.0.0.1", 18090)));
        assertThat(Shell.ok("ip", "netns", "exec", sandbox(), "nft", "list", "table", "inet", "podnet"))
                .contains("18090");
        // and says what it restored: the table went with the flush
        await().atMost(TIMEOUT).until(() -> metricValue(metrics(), "podnet_repairs_total", "kind=\"firewall-table\"") >= 1);
    }

    @Test
    void portsOnALoopbackOnlyPodAreRefusedAndNothingIsApplied() {
        PodNetwork pn = podNetwork("no-network", "local");
        pn.getSpec().setPortMappings(List.of(port(18097, 80, "tcp", 1)));
        PodNetwork got = createAndAwait(pn, "Failed");
        assertThat(condition(got, "PortsReady").getReason()).isEqualTo("PortsNeedANetwork");
        assertThat(condition(got, "Ready").getReason()).isEqualTo("PortsNeedANetwork");
        assertThat(Shell.run("ip", "netns", "exec", sandbox(), "nft", "list", "ruleset").output())
                .doesNotContain("18097");
    }

    @Test
    void aDeniedHostPortIsRefusedAndNothingIsApplied() {
        PodNetwork pn = create("ssh", "Failed", port(18095, 80, "tcp", 1), port(22, 22, "tcp", 1));
        assertThat(pn.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(condition(pn, "PortsReady").getReason()).isEqualTo("PortDenied");
        assertThat(Shell.run("ip", "netns", "exec", sandbox(), "nft", "list", "table", "inet", "podnet").output())
                .doesNotContain("18095");
    }
}
