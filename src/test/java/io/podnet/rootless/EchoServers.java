package io.podnet.rootless;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

import io.podnet.netns.Netns;

/**
 * Echo servers whose sockets are opened inside a namespace (a socket stays in the namespace it
 * was created in) and served from ordinary threads. TCP: echoes everything until EOF, then
 * sends "EOF:" and the number of bytes it got, and closes (so a half-close must have passed and
 * the other direction still work). UDP: echoes each datagram prefixed with "echo:". All bounded by timeouts.
 */
final class EchoServers implements AutoCloseable {
    private final ServerSocket tcp;
    private final DatagramSocket udp;
    private final Thread tcpThread;
    private final Thread udpThread;
    private volatile boolean closed;
    /** The remote address of the last TCP connection, as the server saw it. */
    volatile InetSocketAddress lastTcpPeer;
    volatile InetSocketAddress lastUdpPeer;

    private EchoServers(ServerSocket tcp, DatagramSocket udp) {
        this.tcp = tcp;
        this.udp = udp;
        this.tcpThread = new Thread(this::serveTcp, "echo-tcp");
        this.udpThread = new Thread(this::serveUdp, "echo-udp");
        tcpThread.setDaemon(true);
        udpThread.setDaemon(true);
        tcpThread.start();
        udpThread.start();
    }

    /** Opens both servers inside {@code ns} on {@code address} (port 0: any free port, the same for both if possible). */
    static EchoServers openIn(Netns ns, InetAddress address) {
        return openIn(ns, address, 0);
    }

    static EchoServers openIn(Netns ns, InetAddress address, int port) {
        return ns.run(() -> {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, port));
            DatagramSocket d = new DatagramSocket(new InetSocketAddress(address, s.getLocalPort()));
            return new EchoServers(s, d);
        });
    }

    int port() {
        return tcp.getLocalPort();
    }

    private void serveTcp() {
        while (!closed) {
            try {
                Socket c = tcp.accept();
                lastTcpPeer = (InetSocketAddress) c.getRemoteSocketAddress();
                Thread t = new Thread(() -> echo(c), "echo-tcp-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void echo(Socket c) {
        try (c) {
            c.setSoTimeout(10_000);
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            byte[] buf = new byte[65536];
            long total = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
                total += n;
            }
            out.write(("EOF:" + total).getBytes(StandardCharsets.US_ASCII));
            c.shutdownOutput();
        } catch (IOException e) {
            // the test sees what arrived
        }
    }

    private void serveUdp() {
        byte[] buf = new byte[65536];
        while (!closed) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                udp.receive(p);
                lastUdpPeer = (InetSocketAddress) p.getSocketAddress();
                byte[] reply = ("echo:" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                        .getBytes(StandardCharsets.UTF_8);
                udp.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            tcp.close();
        } catch (IOException e) {
            // closing
        }
        udp.close();
    }

    /** Connects from the calling thread's namespace, sends {@code text}, half-closes, returns all it gets back. */
    static String tcpRoundTrip(InetSocketAddress to, String text) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(to, 3000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /**
     * Connects, sends one line, reads one line back and closes, without a half-close: pasta
     * 2023-03-09 repeats data it has already delivered once the namespace side sends FIN first
     * (seen with socat: "hi" echoed eighteen times), so egress checks through pasta must not
     * depend on it.
     */
    static String tcpLine(InetSocketAddress to, String text) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(to, 3000);
            s.setSoTimeout(5000);
            s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            return line.toString(StandardCharsets.UTF_8);
        }
    }

    /** Sends one datagram from a fresh socket and waits up to 5 s (a loaded machine) for one answer; null on timeout. */
    static String udpRoundTrip(InetSocketAddress to, String text) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(5000);
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(b, b.length, to));
            byte[] buf = new byte[65536];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
        }
    }

    /** Runs {@code c} and turns checked exceptions into unchecked ones, for lambdas. */
    static <T> T unchecked(Callable<T> c) {
        try {
            return c.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}
