package io.podnet.firewall;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.podnet.inet.IpAddresses;
import io.podnet.netns.Netns;

/**
 * TCP and UDP servers inside a namespace that answer "<label> tcp/<port> from <peer>": the
 * sockets are opened on a thread inside the namespace (they stay bound to it), and served by
 * plain daemon threads outside it. Also the matching clients, run inside a namespace with
 * bounded timeouts; a client returns "failed: ..." instead of throwing.
 */
final class Servers implements AutoCloseable {
    private static final int TIMEOUT_MS = 1500;
    private final List<AutoCloseable> sockets = new ArrayList<>();

    static Servers start(Netns ns, String label, List<Integer> tcp, List<Integer> udp) {
        Servers s = new Servers();
        List<Object> opened = ns.run(() -> {
            List<Object> out = new ArrayList<>();
            for (int port : tcp) {
                ServerSocket ss = new ServerSocket();
                ss.setReuseAddress(true);
                ss.bind(new InetSocketAddress(port), 50);
                out.add(ss);
            }
            for (int port : udp) {
                out.add(new DatagramSocket(port));
            }
            return out;
        });
        for (Object o : opened) {
            s.sockets.add((AutoCloseable) o);
            Thread t = o instanceof ServerSocket ss ? new Thread(() -> serveTcp(ss, label)) : new Thread(() -> serveUdp((DatagramSocket) o, label));
            t.setDaemon(true);
            t.start();
        }
        return s;
    }

    private static void serveTcp(ServerSocket ss, String label) {
        while (!ss.isClosed()) {
            try (Socket c = ss.accept()) {
                String reply = label + " tcp/" + ss.getLocalPort() + " from " + IpAddresses.format(c.getInetAddress()) + "\n";
                c.getOutputStream().write(reply.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // closed, or the client went away
            }
        }
    }

    private static void serveUdp(DatagramSocket ds, String label) {
        byte[] buf = new byte[512];
        while (!ds.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                ds.receive(p);
                byte[] reply = (label + " udp/" + ds.getLocalPort() + " from " + IpAddresses.format(p.getAddress()))
                        .getBytes(StandardCharsets.UTF_8);
                ds.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
            } catch (IOException e) {
                // closed
            }
        }
    }

    /**
     * Connects from inside {@code ns} and returns the first line the server sends. A connect
     * that times out is tried again, three times at most (neighbour discovery can hold the first
     * SYN); a refused one is final.
     */
    static String tcp(Netns ns, String address, int port) {
        String result = "";
        for (int attempt = 0; attempt < 3; attempt++) {
            result = tcpOnce(ns, address, port);
            if (!result.contains("SocketTimeoutException")) {
                return result;
            }
        }
        return result;
    }

    private static String tcpOnce(Netns ns, String address, int port) {
        return ns.run(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(IpAddresses.parse(address), port), TIMEOUT_MS);
                s.setSoTimeout(TIMEOUT_MS);
                InputStream in = s.getInputStream();
                StringBuilder sb = new StringBuilder();
                int c;
                while ((c = in.read()) >= 0 && c != '\n') {
                    sb.append((char) c);
                }
                return sb.toString();
            } catch (IOException e) {
                return "failed: " + e;
            }
        });
    }

    /** Sends a datagram from inside {@code ns} (six tries, half a second each) and returns the answer. */
    static String udp(Netns ns, String address, int port) {
        return ns.run(() -> {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout(500);
                byte[] ping = "ping".getBytes(StandardCharsets.UTF_8);
                InetAddress to = IpAddresses.parse(address);
                for (int attempt = 0; attempt < 6; attempt++) {
                    s.send(new DatagramPacket(ping, ping.length, to, port));
                    DatagramPacket reply = new DatagramPacket(new byte[512], 512);
                    try {
                        s.receive(reply);
                        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
                    } catch (SocketTimeoutException e) {
                        // try again
                    }
                }
                return "failed: no answer";
            } catch (IOException e) {
                return "failed: " + e;
            }
        });
    }

    @Override
    public void close() {
        for (AutoCloseable s : sockets) {
            try {
                s.close();
            } catch (Exception ignored) {
                // closing
            }
        }
    }
}
