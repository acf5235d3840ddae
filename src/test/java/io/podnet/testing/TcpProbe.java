package io.podnet.testing;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.podnet.netns.Netns;

/** Real TCP across namespaces for tests: a server that answers each connection with a text, and a client that reads it. */
public final class TcpProbe {
    private TcpProbe() {
    }

    /** Answers every connection to {@code server} with {@code text}, on a daemon thread; interrupt it or close the server to stop. */
    public static Thread answering(ServerSocket server, String text) {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    return;
                }
            }
        }, "test-server");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Connects from a thread inside {@code from} (the socket stays in that namespace) and reads until EOF, 2 s at most. */
    public static String fetch(Netns from, String host, int port) throws Exception {
        Socket socket = from.run(() -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(InetAddress.getByName(host), port), 2000);
            return s;
        });
        try (socket) {
            socket.setSoTimeout(2000);
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** As {@link #fetch}, null when it fails. */
    public static String tryFetch(Netns from, String host, int port) {
        try {
            return fetch(from, host, port);
        } catch (Exception e) {
            return null;
        }
    }
}
