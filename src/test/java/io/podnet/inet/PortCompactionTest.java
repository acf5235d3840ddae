package io.podnet.inet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The seed's ocicniPortsToNetTypesPorts behaviour: sort, then merge neighbours into ranges. */
class PortCompactionTest {
    private static PortMapping tcp(int host, int container) {
        return new PortMapping(null, host, container, Protocol.TCP, 1);
    }

    private static PortMapping map(String hostIp, int host, int container, Protocol protocol, int range) {
        InetAddress ip = hostIp == null ? null : IpAddresses.parse(hostIp);
        return new PortMapping(ip, host, container, protocol, range);
    }

    @Test
    void noPortsGiveNoPorts() {
        assertThat(PortCompaction.compact(List.of())).isEmpty();
    }

    @Test
    void aSinglePortStaysAsItIs() {
        assertThat(PortCompaction.compact(List.of(tcp(8080, 80)))).containsExactly(tcp(8080, 80));
    }

    @Test
    void portsFarApartAreNotMerged() {
        assertThat(PortCompaction.compact(List.of(tcp(9000, 90), tcp(8080, 80)))).containsExactly(tcp(8080, 80), tcp(9000, 90));
    }

    @Test
    void neighboursAreMerged() {
        assertThat(PortCompaction.compact(List.of(tcp(8080, 80), tcp(8081, 81)))).containsExactly(map(null, 8080, 80, Protocol.TCP, 2));
    }

    @Test
    void neighbouringHostPortsWithUnrelatedContainerPortsAreNotMerged() {
        assertThat(PortCompaction.compact(List.of(tcp(8080, 80), tcp(8081, 79), tcp(8082, 82))))
                .containsExactly(tcp(8080, 80), tcp(8081, 79), tcp(8082, 82));
    }

    @Test
    void unsortedNeighboursAreSortedThenMerged() {
        assertThat(PortCompaction.compact(List.of(tcp(8081, 81), tcp(8080, 80), tcp(8082, 82))))
                .containsExactly(map(null, 8080, 80, Protocol.TCP, 3));
    }

    @Test
    void differentProtocolsAreNotMerged() {
        assertThat(PortCompaction.compact(List.of(map(null, 8081, 81, Protocol.UDP, 1), tcp(8080, 80))))
                .containsExactly(tcp(8080, 80), map(null, 8081, 81, Protocol.UDP, 1));
    }

    @Test
    void differentHostIpsAreNotMerged() {
        assertThat(PortCompaction.compact(List.of(map("192.168.1.2", 8081, 81, Protocol.TCP, 1), map("192.168.1.1", 8080, 80, Protocol.TCP, 1))))
                .containsExactly(map("192.168.1.1", 8080, 80, Protocol.TCP, 1), map("192.168.1.2", 8081, 81, Protocol.TCP, 1));
    }

    @Test
    void orderIsHostIpTextThenProtocolNameThenPorts() {
        List<PortMapping> out = PortCompaction.compact(List.of(
                map("10.0.0.1", 1, 1, Protocol.TCP, 1),
                map(null, 5, 5, Protocol.UDP, 1),
                map(null, 7, 7, Protocol.SCTP, 1),
                map(null, 3, 10, Protocol.TCP, 1),
                map(null, 2, 9, Protocol.TCP, 1)));
        // "" < "10.0.0.1"; sctp < tcp < udp, as the seed compares the protocol strings
        assertThat(out).containsExactly(
                map(null, 7, 7, Protocol.SCTP, 1),
                map(null, 2, 9, Protocol.TCP, 2),
                map(null, 5, 5, Protocol.UDP, 1),
                map("10.0.0.1", 1, 1, Protocol.TCP, 1));
    }

    @Test
    void rangesMergeWithWhatContinuesThem() {
        assertThat(PortCompaction.compact(List.of(map(null, 8080, 80, Protocol.TCP, 10), map(null, 8090, 90, Protocol.TCP, 5), tcp(8095, 95))))
                .containsExactly(map(null, 8080, 80, Protocol.TCP, 16));
    }

    @Test
    void aProtocolSetExpandsIntoOneMappingPerProtocol() {
        assertThat(PortMapping.forProtocols(null, 53, 53, Set.of(Protocol.UDP, Protocol.TCP), 1))
                .containsExactly(map(null, 53, 53, Protocol.TCP, 1), map(null, 53, 53, Protocol.UDP, 1));
    }
}
