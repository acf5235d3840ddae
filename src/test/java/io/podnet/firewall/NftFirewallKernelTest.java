package io.podnet.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.netns.Netns;
import io.podnet.ports.Protocol;
import io.podnet.testing.RequiresRoot;

@RequiresRoot
class NftFirewallKernelTest {
    private Topology topo;
    private NftFirewall fw;
    private Netns podA;

    @BeforeEach
    void start() {
        topo = new Topology();
        podA = topo.pod("a", "10.89.0.2", "fd00:89::2");
        topo.closeLater(Servers.start(podA, "a", List.of(80), List.of(53)));
        fw = topo.closeLater(NftFirewall.open(topo.hostPath()));
        fw.ensureNetwork(Topology.BRIDGE, List.of(Cidr.parse("10.89.0.0/24"), Cidr.parse("fd00:89::/64")), false);
    }

    @AfterEach
    void stop() {
        topo.close();
    }

    @Test
    void smoke() {
        fw.applyPod("pod-a", List.of(new DnatRule(null, Protocol.TCP, 8080, 1, IpAddresses.parse("10.89.0.2"), 80)));
        System.out.println(topo.nft("list", "table", "inet", "podnet").output());
        System.out.println(Servers.tcp(topo.host.netns(), Topology.HOST_V4, 8080));
        System.out.println(Servers.tcp(topo.host.netns(), "127.0.0.1", 8080));
        System.out.println(Servers.tcp(topo.client, Topology.HOST_V4, 8080));
        assertThat(fw.ruleCount()).isEqualTo(12);
    }
}
