package io.podnet.ports;

import io.podnet.inet.PortMapping;
import io.podnet.inet.PortRange;
import io.podnet.inet.Protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Set;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

import io.podnet.inet.IpAddresses;

class HostPortRegistryTest {
    private final HostPortRegistry registry = new HostPortRegistry(40000, 40009, n -> 0);
    private final PortPolicy policy = PortPolicy.defaults();

    private static PortMapping tcp(int host, int container) {
        return new PortMapping(null, host, container, Protocol.TCP, 1);
    }

    private static PortMapping on(String ip, int host, Protocol protocol, int range) {
        InetAddress a = ip == null ? null : IpAddresses.parse(ip);
        return new PortMapping(a, host, 80, protocol, range);
    }

    private List<PortMapping> reserve(String owner, PortMapping... ports) {
        return registry.reserve(owner, List.of(ports), policy, HostPortProbe.NONE);
    }

    private static void assertRefused(ThrowingCallable call, String reason, int port, String holder) {
        assertThatThrownBy(call).isInstanceOfSatisfying(PortRefusedException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.port()).isEqualTo(port);
            assertThat(e.holder()).isEqualTo(holder);
            if (port != 0) {
                assertThat(e.getMessage()).contains(Integer.toString(port));
            }
            if (holder != null) {
                assertThat(e.getMessage()).contains(holder);
            }
        });
    }

    @Test
    void theSamePortAndProtocolIsRefusedForASecondPodNamingTheFirst() {
        reserve("pod-a", tcp(8080, 80));
        assertRefused(() -> reserve("pod-b", tcp(8080, 8080)), PortRefusedException.CONFLICT, 8080, "pod-a");
        assertThat(registry.reserved("pod-b")).isEmpty();
        assertThat(registry.reserved("pod-a")).containsExactly(tcp(8080, 80));
    }

    @Test
    void overlappingRangesConflictAtTheFirstSharedPort() {
        reserve("pod-a", on(null, 8000, Protocol.TCP, 10));
        assertRefused(() -> reserve("pod-b", on(null, 8005, Protocol.TCP, 10)), PortRefusedException.CONFLICT, 8005, "pod-a");
        assertRefused(() -> reserve("pod-b", on(null, 7995, Protocol.TCP, 6)), PortRefusedException.CONFLICT, 8000, "pod-a");
        reserve("pod-b", on(null, 8010, Protocol.TCP, 10));
    }

    @Test
    void anotherProtocolOrAnotherSpecificAddressDoesNotConflict() {
        reserve("pod-a", on("192.168.1.1", 8080, Protocol.TCP, 1));
        reserve("pod-b", on(null, 8080, Protocol.UDP, 1));
        reserve("pod-c", on("192.168.1.2", 8080, Protocol.TCP, 1));
        reserve("pod-d", on("fd00::1", 8080, Protocol.TCP, 1));
        assertThat(registry.snapshot()).hasSize(4);
    }

    @Test
    void anyAddressOverlapsEverySpecificAddressAndWildcardsTheirFamily() {
        reserve("pod-a", on("192.168.1.1", 8080, Protocol.TCP, 1));
        assertRefused(() -> reserve("pod-b", on(null, 8080, Protocol.TCP, 1)), PortRefusedException.CONFLICT, 8080, "pod-a");
        assertRefused(() -> reserve("pod-b", on("0.0.0.0", 8080, Protocol.TCP, 1)), PortRefusedException.CONFLICT, 8080, "pod-a");
        reserve("pod-b", on("::", 8080, Protocol.TCP, 1)); // IPv6 wildcard: another family
        assertRefused(() -> reserve("pod-c", on(null, 8080, Protocol.TCP, 1)), PortRefusedException.CONFLICT, 8080, "pod-a");
    }

    @Test
    void theDenyListIsReadFromConfigurationWithNoneForNothing() {
        assertThat(PortPolicy.parseDenied("22, 6443,22")).containsExactlyInAnyOrder(22, 6443);
        assertThat(PortPolicy.parseDenied("none")).isEmpty();
        assertThatThrownBy(() -> PortPolicy.parseDenied("22,ssh")).hasMessageContaining("\"ssh\" is not a port");
        assertThatThrownBy(() -> new PortPolicy(PortPolicy.parseDenied("70000"), 1)).hasMessageContaining("70000");
    }

    @Test
    void deniedPortsAndPortsUnderTheMinimumAreRefusedByPolicy() {
        assertRefused(() -> reserve("pod-a", tcp(22, 22)), PortRefusedException.DENIED, 22, "policy");
        assertRefused(() -> reserve("pod-a", on(null, 10240, Protocol.UDP, 20)), PortRefusedException.DENIED, 10250, "policy");
        PortPolicy strict = new PortPolicy(Set.of(9999), 1024);
        assertRefused(() -> registry.reserve("pod-a", List.of(tcp(80, 80)), strict, HostPortProbe.NONE),
                PortRefusedException.BELOW_MINIMUM, 80, "policy");
        assertRefused(() -> registry.reserve("pod-a", List.of(tcp(9999, 80)), strict, HostPortProbe.NONE),
                PortRefusedException.DENIED, 9999, "policy");
        // the deny list is configurable: without 22 on it, 22 is fine
        assertThat(registry.reserve("pod-a", List.of(tcp(22, 22)), new PortPolicy(Set.of(), 1), HostPortProbe.NONE))
                .containsExactly(tcp(22, 22));
    }

    @Test
    void invalidNumbersAreRefused() {
        assertRefused(() -> reserve("pod-a", new PortMapping(null, 8080, 0, Protocol.TCP, 1)), PortRefusedException.INVALID, 0, null);
        assertRefused(() -> reserve("pod-a", new PortMapping(null, 65530, 80, Protocol.TCP, 10)), PortRefusedException.INVALID, 65530, null);
        assertRefused(() -> reserve("pod-a", new PortMapping(null, 8080, 65530, Protocol.TCP, 10)), PortRefusedException.INVALID, 65530, null);
        assertRefused(() -> reserve("pod-a", new PortMapping(null, 8080, 80, Protocol.TCP, 0)), PortRefusedException.INVALID, 8080, null);
        assertRefused(() -> reserve("pod-a", new PortMapping(null, 70000, 80, Protocol.TCP, 1)), PortRefusedException.INVALID, 70000, null);
        // 65535 itself is fine
        reserve("pod-a", new PortMapping(null, 65526, 65526, Protocol.TCP, 10));
    }

    @Test
    void aRefusalReservesNothingOfThePod() {
        reserve("pod-a", tcp(8080, 80));
        assertRefused(() -> reserve("pod-b", tcp(9090, 90), tcp(0, 91), tcp(8080, 80)), PortRefusedException.CONFLICT, 8080, "pod-a");
        assertThat(registry.reserved("pod-b")).isEmpty();
        // 9090 and the random port stayed free
        reserve("pod-c", tcp(9090, 90));
        assertThat(reserve("pod-d", tcp(0, 91))).containsExactly(tcp(40000, 91));
    }

    @Test
    void aRefusedReReserveKeepsThePreviousReservation() {
        reserve("pod-a", tcp(8080, 80));
        reserve("pod-b", tcp(9090, 90));
        assertRefused(() -> reserve("pod-a", tcp(9090, 90)), PortRefusedException.CONFLICT, 9090, "pod-b");
        assertThat(registry.reserved("pod-a")).containsExactly(tcp(8080, 80));
    }

    @Test
    void reReservingForTheSameOwnerReplacesItsPorts() {
        reserve("pod-a", tcp(8080, 80), tcp(8081, 81));
        assertThat(reserve("pod-a", tcp(8080, 80))).containsExactly(tcp(8080, 80));
        assertThat(registry.reserved("pod-a")).containsExactly(tcp(8080, 80));
        reserve("pod-b", tcp(8081, 81)); // released by the re-reserve
    }

    @Test
    void reReservingKeepsTheRandomPortAlreadyPicked() {
        HostPortRegistry r = new HostPortRegistry(40000, 40009, new java.util.function.IntUnaryOperator() {
            private int next;

            @Override
            public int applyAsInt(int bound) {
                return next++ % bound; // a different start every time
            }
        });
        List<PortMapping> first = r.reserve("pod-a", List.of(tcp(0, 80), new PortMapping(null, 0, 80, Protocol.UDP, 1)), policy, HostPortProbe.NONE);
        java.util.concurrent.atomic.AtomicInteger snapshots = new java.util.concurrent.atomic.AtomicInteger();
        HostPortProbe counted = HostPortProbe.lazy(() -> {
            snapshots.incrementAndGet();
            return HostPortProbe.NONE;
        });
        List<PortMapping> again = r.reserve("pod-a", List.of(tcp(0, 80), new PortMapping(null, 0, 80, Protocol.UDP, 1)), policy, counted);
        assertThat(again).isEqualTo(first);
        assertThat(snapshots).as("a port already picked needs no look at the host's sockets").hasValue(0);
        // once the port is denied by policy, a new one is picked
        int port = first.get(0).hostPort();
        List<PortMapping> moved = r.reserve("pod-a", List.of(tcp(0, 80)), new PortPolicy(Set.of(port), 1), HostPortProbe.NONE);
        assertThat(moved.get(0).hostPort()).isNotEqualTo(port);
    }

    @Test
    void theSamePortTwiceInOneRequestIsAConflictWithItself() {
        assertRefused(() -> reserve("pod-a", tcp(8080, 80), on(null, 8079, Protocol.TCP, 3)), PortRefusedException.CONFLICT, 8080, "pod-a");
    }

    @Test
    void aRandomPortAvoidsOtherPodsListenersAndTheDenyList() {
        reserve("pod-a", tcp(40000, 80));
        HostPortProbe listening = (ip, proto, port) -> proto == Protocol.TCP && port == 40001;
        PortPolicy denying = new PortPolicy(Set.of(40002), 1);
        List<PortMapping> got = registry.reserve("pod-b", List.of(tcp(0, 80)), denying, listening);
        assertThat(got).containsExactly(tcp(40003, 80));
    }

    @Test
    void aRandomRangeIsOneFreeBlockAndTcpUdpShareOnePort() {
        reserve("pod-a", new PortMapping(null, 40001, 80, Protocol.UDP, 1));
        List<PortMapping> got = reserve("pod-b", new PortMapping(null, 0, 53, Protocol.TCP, 3), new PortMapping(null, 0, 53, Protocol.UDP, 3));
        // 40000-40002 holds the udp port of pod-a: the first block free for both protocols starts at 40002
        assertThat(got).containsExactly(new PortMapping(null, 40002, 53, Protocol.TCP, 3), new PortMapping(null, 40002, 53, Protocol.UDP, 3));
    }

    @Test
    void aRandomPortStartsAtTheGivenOffsetAndWraps() {
        HostPortRegistry r = new HostPortRegistry(40000, 40009, n -> n - 1);
        assertThat(r.reserve("pod-a", List.of(tcp(0, 80)), policy, HostPortProbe.NONE)).containsExactly(tcp(40009, 80));
        assertThat(r.reserve("pod-b", List.of(tcp(0, 80)), policy, HostPortProbe.NONE)).containsExactly(tcp(40000, 80));
    }

    @Test
    void aFullRangeGivesNoFreePort() {
        reserve("pod-a", on(null, 40000, Protocol.TCP, 10));
        assertRefused(() -> reserve("pod-b", tcp(0, 80)), PortRefusedException.NO_FREE_PORT, 0, null);
        reserve("pod-b", on(null, 0, Protocol.UDP, 10)); // udp is free
        assertRefused(() -> reserve("pod-c", on(null, 0, Protocol.SCTP, 11)), PortRefusedException.NO_FREE_PORT, 0, null);
    }

    @Test
    void onlyGrantedPortsAreTakenAndRandomOnesArePickedInTheGrant() {
        HostPortRegistry registry = new HostPortRegistry(32768, 60999, n -> 0);
        PortPolicy granted = policy.grantedOnly(List.of(PortRange.parse("30000-30002"), PortRange.parse("40005-40010")));
        assertRefused(() -> registry.reserve("pod-a", List.of(tcp(30003, 80)), granted, HostPortProbe.NONE),
                PortRefusedException.NOT_GRANTED, 30003, "policy");
        assertRefused(() -> registry.reserve("pod-a", List.of(on(null, 30001, Protocol.TCP, 3)), granted, HostPortProbe.NONE),
                PortRefusedException.NOT_GRANTED, 30001, "policy");
        assertThat(registry.reserve("pod-a", List.of(on(null, 30000, Protocol.TCP, 3)), granted, HostPortProbe.NONE)).hasSize(1);
        // 30000-30002 lies outside the random range (32768-60999) and is taken; 40005-40010 meets it: the pick is there
        for (int i = 0; i < 6; i++) {
            int port = registry.reserve("pod-r" + i, List.of(tcp(0, 80)), granted, HostPortProbe.NONE).get(0).hostPort();
            assertThat(port).isBetween(40005, 40010);
        }
        assertRefused(() -> registry.reserve("pod-full", List.of(tcp(0, 80)), granted, HostPortProbe.NONE),
                PortRefusedException.NO_FREE_PORT, 0, null);
        // a grant wholly below the random range gives its own ports
        PortPolicy low = policy.grantedOnly(List.of(PortRange.parse("20000-20001")));
        assertThat(registry.reserve("pod-low", List.of(on(null, 0, Protocol.TCP, 2)), low, HostPortProbe.NONE))
                .containsExactly(on(null, 20000, Protocol.TCP, 2));
    }

    @Test
    void releaseAndRestore() {
        reserve("pod-a", tcp(8080, 80));
        registry.release("pod-a");
        registry.release("pod-a");
        reserve("pod-b", tcp(8080, 80));
        registry.restore("pod-a", List.of(tcp(22, 22)));
        assertThat(registry.reserved("pod-a")).containsExactly(tcp(22, 22));
        assertRefused(() -> reserve("pod-c", tcp(0, 80), tcp(8080, 80)), PortRefusedException.CONFLICT, 8080, "pod-b");
        assertThatThrownBy(() -> registry.restore("pod-d", List.of(tcp(0, 80)))).isInstanceOf(IllegalArgumentException.class);
    }
}
