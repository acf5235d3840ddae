package io.podnet.rootless;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.junit.jupiter.api.Test;

import io.podnet.inet.Protocol;

/** The holder of a bound port, read from /proc the way a HostPortInUse condition names it. */
class PortHoldersTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String ME = "pid " + ProcessHandle.current().pid() + " (java)";

    @Test
    void aListeningTcpPortIsHeldByTheProcessThatListens() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            assertThat(PortHolders.of(Protocol.TCP, server.getLocalPort())).containsExactly(ME);
            assertThat(PortHolders.of(Protocol.UDP, server.getLocalPort())).as("another protocol's port").isEmpty();
        }
    }

    @Test
    void aBoundUdpPortIsHeldByItsProcess() throws IOException {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            assertThat(PortHolders.of(Protocol.UDP, socket.getLocalPort())).containsExactly(ME);
        }
    }

    @Test
    void aClientConnectionsLocalPortHoldsNothingToListenOn() throws IOException {
        int port;
        try (ServerSocket server = new ServerSocket(0, 1, LOOPBACK)) {
            try (Socket client = new Socket(LOOPBACK, server.getLocalPort())) {
                port = client.getLocalPort();
                assertThat(PortHolders.of(Protocol.TCP, port)).as("an established socket is no listener").isEmpty();
            }
        }
    }
}
