package io.podnet.ports;

import io.podnet.inet.Protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

import io.podnet.inet.IpAddresses;

class ListeningSocketsTest {
    // captured from /proc/net/{tcp,tcp6,udp} on a little-endian machine
    private static final String TCP = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0 100 0 0 10 0
               1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0 100 0 0 10 0
               2: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0 20 4 30 10 -1
            """;
    private static final String TCP6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0 100 0 0 10 0
               1: 0000000000000000FFFF00000200000A:2382 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0 100 0 0 10 0
               2: 000080FE0000000053FEFF005E02FE99:1389 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2003 1 0 100 0 0 10 0
            """;
    private static final String UDP = """
               sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              100: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 3001 2 0 0
              101: 0100000A:A000 0200000A:0035 01 00000000:00000000 00:00000000 00000000     0        0 3002 2 0 0
            """;
    private static final String SCTP_EPS = """
             ENDPT     SOCK   STY SST HBKT LPORT   UID INODE LADDRS
             0        0        2   10  31   3868      0 4001 10.0.0.2 192.168.1.5
            """;

    private static ListeningSockets sockets() {
        java.util.List<ListeningSockets.Listener> all = new java.util.ArrayList<>();
        all.addAll(ListeningSockets.parse(Protocol.TCP, TCP));
        all.addAll(ListeningSockets.parse(Protocol.TCP, TCP6));
        all.addAll(ListeningSockets.parse(Protocol.UDP, UDP));
        all.addAll(ListeningSockets.parseSctp(SCTP_EPS));
        return new ListeningSockets(all);
    }

    private static InetAddress ip(String s) {
        return IpAddresses.parse(s);
    }

    @Test
    void parsesListenersOnly() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return; // the captured tables are little-endian
        }
        assertThat(sockets().listeners()).containsExactly(
                new ListeningSockets.Listener(Protocol.TCP, ip("127.0.0.1"), 8080),
                new ListeningSockets.Listener(Protocol.TCP, ip("0.0.0.0"), 22),
                new ListeningSockets.Listener(Protocol.TCP, ip("::"), 80),
                new ListeningSockets.Listener(Protocol.TCP, ip("10.0.0.2"), 9090),
                new ListeningSockets.Listener(Protocol.TCP, ip("fe80::ff:fe53:99fe:25e"), 5001),
                new ListeningSockets.Listener(Protocol.UDP, ip("127.0.0.53"), 53),
                new ListeningSockets.Listener(Protocol.SCTP, ip("10.0.0.2"), 3868),
                new ListeningSockets.Listener(Protocol.SCTP, ip("192.168.1.5"), 3868));
    }

    @Test
    void aListenerConflictsWhenAddressesOverlap() {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            return;
        }
        ListeningSockets s = sockets();
        assertThat(s.inUse(null, Protocol.TCP, 8080)).isTrue();
        assertThat(s.inUse(ip("127.0.0.1"), Protocol.TCP, 8080)).isTrue();
        assertThat(s.inUse(ip("10.0.0.9"), Protocol.TCP, 8080)).isFalse();
        assertThat(s.inUse(ip("10.0.0.9"), Protocol.TCP, 22)).isTrue(); // 0.0.0.0 listener
        assertThat(s.inUse(ip("10.0.0.9"), Protocol.TCP, 80)).isTrue(); // :: listener takes IPv4 too
        assertThat(s.inUse(ip("10.0.0.2"), Protocol.TCP, 9090)).isTrue(); // IPv4-mapped
        assertThat(s.inUse(null, Protocol.UDP, 8080)).isFalse();
        assertThat(s.inUse(null, Protocol.UDP, 53)).isTrue();
        assertThat(s.inUse(null, Protocol.UDP, 40960)).isFalse(); // connected, not listening
        assertThat(s.inUse(null, Protocol.TCP, 50000)).isFalse(); // established
        assertThat(s.inUse(ip("192.168.1.5"), Protocol.SCTP, 3868)).isTrue();
    }

    @Test
    void readsThisThreadsNamespace() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ListeningSockets s = ListeningSockets.read();
            assertThat(s.inUse(null, Protocol.TCP, server.getLocalPort())).isTrue();
            assertThat(s.inUse(ip("127.0.0.1"), Protocol.TCP, server.getLocalPort())).isTrue();
            assertThat(s.inUse(null, Protocol.UDP, server.getLocalPort())).isFalse();
        }
    }
}
