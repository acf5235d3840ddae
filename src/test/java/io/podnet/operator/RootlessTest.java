package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import io.podnet.api.Mode;
import io.podnet.api.PodNetwork;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.podnet.testing.TcpProbe;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Rootless PodNetworks through the whole agent: the shared rootless netns behind pasta, egress
 * through the helper, ports through the userspace forwarder, a killed helper restarted by the
 * resync, and nothing left after the last rootless PodNetwork goes.
 */
@QuarkusTest
@RequiresRoot
@WithTestResource(SandboxHostResource.class)
class RootlessTest extends OperatorTestBase {
    /** The helper and the forwarder start with the first rootless pod, and restart after a kill. */
    @Override
    Duration timeout() {
        return Duration.ofSeconds(40);
    }

    /** A server on every address of the pod, on {@code port}. */
    private static ServerSocket listenInPod(Netns podNs, int port) throws Exception {
        return podNs.run(() -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(port));
            return s;
        });
    }

    /** Creates the rootless PodNetwork and waits for the phase the test expects (a transient Pending is not an answer). */
    private PodNetwork rootlessPod(String name, String phase, io.podnet.api.PortMappingSpec... ports) {
        PodNetwork pn = podNetwork(name, "local", network("podnet"));
        pn.getSpec().setMode(Mode.Rootless);
        pn.getSpec().setPortMappings(List.of(ports));
        return createAndAwait(pn, phase);
    }

    @Test
    void aRootlessPodSitsInTheRootlessNetnsReachesOutThroughTheHelperAndIsServedByTheForwarder() throws Exception {
        PodNetwork pn = rootlessPod("quiet", "Ready", PodNetworks.port(18200, 8080, "tcp", 1));
        assertThat(pn.getStatus().getPhase()).as(String.valueOf(pn.getStatus().getConditions())).isEqualTo("Ready");
        String ip = pn.getStatus().getNetworks().get("podnet").getInterfaces().get("eth0").getSubnets().get(0).getIpnet().split("/")[0];
        // nothing of it in the host namespace: no veth end, no bridge, no firewall element
        String hostLinks = sandboxLinks().toString();
        assertThat(hostLinks).doesNotContain("\"pn").doesNotContain("podnet0");
        assertThat(rootlessDirs()).hasSize(1);
        assertThat(helperPids()).isNotEmpty();

        Netns podNs = NetnsManager.join(Path.of(pn.getStatus().getNetnsPath()));
        closeFirst(podNs);
        // egress: a server on the sandbox host's loopback, reached through pasta's gateway (host loopback allowed here)
        ServerSocket hostServer = SandboxHostResource.sandbox.netns().run(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s;
        });
        closeFirst(hostServer);
        closeFirst(TcpProbe.answering(hostServer, "hello from the host")::interrupt);
        assertThat(TcpProbe.fetch(podNs, "10.0.2.2", hostServer.getLocalPort())).isEqualTo("hello from the host");

        // ingress: a server in the pod, reached from the host through the forwarder
        ServerSocket podServer = listenInPod(podNs, 8080);
        closeFirst(podServer);
        closeFirst(TcpProbe.answering(podServer, "hello from the pod at " + ip)::interrupt);
        assertThat(TcpProbe.fetch(SandboxHostResource.sandbox.netns(), "127.0.0.1", 18200)).isEqualTo("hello from the pod at " + ip);
        assertThat(pn.getStatus().getPorts()).singleElement().satisfies(p -> assertThat(p.getHostPort()).isEqualTo(18200));

        // kill -9 the helper: the resync (2s) starts it again and egress works again
        assertThat(helperPids()).as("the helper runs").isNotEmpty();
        for (long pid : helperPids()) {
            Shell.ok("kill", "-9", Long.toString(pid));
        }
        // the restart is counted when the resync has started the helper again; egress works after it
        await().atMost(timeout()).pollInterval(Duration.ofMillis(500)).until(() -> metricValue(metrics(),
                "podnet_rootless_helper_restarts_total") >= 1);
        await().atMost(timeout()).pollInterval(Duration.ofMillis(500))
                .until(() -> "hello from the host".equals(TcpProbe.tryFetch(podNs, "10.0.2.2", hostServer.getLocalPort())));
        String metrics = metrics();
        assertThat(metrics).contains("podnet_rootless_helper_up 1.0");
        assertThat(metricValue(metrics, "podnet_forwarder_connections_total")).isGreaterThanOrEqualTo(1);

        // the last rootless PodNetwork goes: no helper, no mount, no directory
        podNs.close();
        client.resource(pn).delete();
        awaitGone("quiet");
        await().atMost(timeout()).untilAsserted(() -> {
            assertThat(helperPids()).isEmpty();
            assertThat(rootlessDirs()).isEmpty();
            assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).doesNotContain(SandboxHostResource.runDir.toString() + "/rootless");
        });
    }

    /**
     * The forwarder targets the pod's address on its first network: when the spec swaps that
     * network for another, the old address is gone from the pod and the forward must follow the new
     * one. What it carried shows in the forwarder's byte counters.
     */
    @Test
    void forwardsFollowAChangedFirstNetworkAndTheirBytesAreCounted() throws Exception {
        PodNetwork pn = rootlessPod("mover", "Ready", PodNetworks.port(18201, 8080, "tcp", 1));
        String before = pn.getStatus().getNetworks().get("podnet").getInterfaces().get("eth0").getSubnets().get(0).getIpnet();
        Netns podNs = NetnsManager.join(Path.of(pn.getStatus().getNetnsPath()));
        closeFirst(podNs);
        ServerSocket podServer = listenInPod(podNs, 8080);
        closeFirst(podServer);
        closeFirst(TcpProbe.answering(podServer, "hello from the mover")::interrupt);
        assertThat(TcpProbe.fetch(SandboxHostResource.sandbox.netns(), "127.0.0.1", 18201)).isEqualTo("hello from the mover");
        double toPod = metricValue(metrics(), "podnet_forwarder_bytes_total", "direction=\"to_pod\"");
        double fromPod = metricValue(metrics(), "podnet_forwarder_bytes_total", "direction=\"from_pod\"");
        assertThat(fromPod).as("the pod's answer went through the forwarder").isGreaterThanOrEqualTo("hello from the mover".length());

        PodNetwork moved = get("mover");
        moved.getSpec().setNetworks(List.of(network("backend")));
        client.resource(moved).update();
        await().atMost(timeout()).pollInterval(Duration.ofMillis(250)).until(() -> {
            PodNetwork now = get("mover");
            return now.getStatus() != null && "Ready".equals(now.getStatus().getPhase()) && now.getStatus().getNetworks().containsKey("backend")
                    && !now.getStatus().getNetworks().containsKey("podnet");
        });
        String after = get("mover").getStatus().getNetworks().get("backend").getInterfaces().values().iterator().next().getSubnets().get(0)
                .getIpnet();
        assertThat(after).isNotEqualTo(before);
        assertThat(Shell.ok(Shell.ip(podNetns(pn), "-o", "addr"))).doesNotContain(before).contains(after);
        await().atMost(timeout()).pollInterval(Duration.ofMillis(250))
                .until(() -> "hello from the mover".equals(TcpProbe.tryFetch(SandboxHostResource.sandbox.netns(), "127.0.0.1", 18201)));
        assertThat(metricValue(metrics(), "podnet_forwarder_bytes_total", "direction=\"from_pod\"")).isGreaterThan(fromPod);
        assertThat(metricValue(metrics(), "podnet_forwarder_bytes_total", "direction=\"to_pod\"")).isGreaterThanOrEqualTo(toPod);
        assertThat(metrics()).contains("podnet_forwarder_connections_active");
    }

    @Test
    void aHostPortTakenByAnotherProcessIsReportedOnPortsReadyAndTheRetryWinsOnceItIsFree() throws Exception {
        ServerSocket squatter = SandboxHostResource.sandbox.netns().run(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(18210));
            return s;
        });
        closeFirst(squatter);
        PodNetwork pn = rootlessPod("squatted", "Pending", PodNetworks.port(18210, 8080, "tcp", 1));
        await().atMost(timeout()).until(() -> {
            PodNetwork got = get("squatted");
            return got.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("PortsReady") && c.getStatus().equals("False") && c.getReason().equals("HostPortInUse"));
        });
        squatter.close();
        await().atMost(timeout()).pollInterval(Duration.ofMillis(500)).until(() -> "Ready".equals(
                get(pn.getMetadata().getName()).getStatus().getPhase()));
    }

    private static List<Path> rootlessDirs() throws IOException {
        try (Stream<Path> s = Files.list(SandboxHostResource.runDir)) {
            return s.filter(p -> p.getFileName().toString().startsWith("rootless-") && Files.isDirectory(p)).toList();
        }
    }

    /** pasta processes started for this agent's rootless netns. */
    private static List<Long> helperPids() {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> (c.contains("pasta") || c.contains("passt"))
                        && c.contains(SandboxHostResource.runDir.toString())).orElse(false))
                .map(ProcessHandle::pid).toList();
    }
}
