package io.podnet.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.Protocol;
import io.podnet.testing.RequiresRoot;

/**
 * SCTP port mappings evaluated by the kernel on this machine, whose kernel has no SCTP sockets
 * (so {@link NftFirewallKernelTest}'s SCTP traffic skips): raw INIT packets from the outside
 * and from the host itself ({@link RawSctp}) must reach the pod at the mapped address and port.
 */
@RequiresRoot
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SctpDnatKernelTest {
    private static final String POD = "10.89.0.2";

    private Topology topo;

    @BeforeEach
    void start() {
        Assumptions.assumeTrue(RawSctp.available(), "python3 is needed to send raw SCTP packets (apt-get install python3)");
        topo = new Topology();
        topo.pod("a", POD, null);
        NftFirewall fw = topo.closeLater(NftFirewall.open(topo.hostPath()));
        fw.ensureNetwork(Topology.BRIDGE, List.of(Cidr.parse("10.89.0.0/24")), false);
        fw.applyPod("pod-a", List.of(new DnatRule(null, Protocol.SCTP, 8300, 1, IpAddresses.parse(POD), 300),
                new DnatRule(null, Protocol.SCTP, 8400, 2, IpAddresses.parse(POD), 8400)));
    }

    @AfterEach
    void stop() {
        if (topo != null) {
            topo.close();
        }
    }

    @Test
    void anInitToAMappedPortReachesThePodOnItsPortFromOutsideAndFromTheHost() throws Exception {
        try (RawSctp.Listener pod = new RawSctp.Listener(topo.nsName("a"))) {
            assertThat(arrival(pod, topo.nsName("out"), 8300)).as("outside, a port changed").isEqualTo(POD + ":300");
            assertThat(arrival(pod, topo.nsName("out"), 8401)).as("outside, a range kept").isEqualTo(POD + ":8401");
            assertThat(arrival(pod, topo.host.name(), 8300)).as("the host itself").isEqualTo(POD + ":300");
            assertThat(arrival(pod, topo.nsName("out"), 8402)).as("a port not mapped").isNull();
        }
    }

    /** Where an INIT sent from {@code from} to the host's address and {@code port} reached the pod; null when it did not. */
    private static String arrival(RawSctp.Listener pod, String from, int port) throws InterruptedException {
        RawSctp.sendInit(from, Topology.HOST_V4, port);
        return pod.next(1500);
    }
}
