package io.podnet.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Forwards a query that came over TCP to the upstreams over TCP, on the connection's own thread
 * (which lives in the server's namespace): the upstreams in order, each within its share of the
 * total timeout; SERVFAIL or REFUSED passes the query on to the next.
 */
final class TcpForwarding {
    private static final int UPSTREAM_PORT = 53;

    private final long timeoutNanos;
    private final UpstreamAnswers answers = new UpstreamAnswers();

    TcpForwarding(Duration timeout) {
        this.timeoutNanos = timeout.toNanos();
    }

    /** The answer for the client, and how it ended. */
    record Result(byte[] wire, QueryResult result) {
    }

    Result forward(Answerer.Forward query) {
        long share = Math.max(timeoutNanos / query.upstreams().size(), 1_000_000);
        byte[] fallback = null;
        for (int i = 0; i < query.upstreams().size(); i++) {
            byte[] answer = ask(query, query.upstreams().get(i), share);
            if (answer == null) {
                continue;
            }
            if (!UpstreamAnswers.tryNext(answer) || i == query.upstreams().size() - 1) {
                return new Result(answer, QueryResult.FORWARDED);
            }
            fallback = answer;
        }
        return fallback != null ? new Result(fallback, QueryResult.FORWARDED) : new Result(query.failure(), QueryResult.FAILED);
    }

    private byte[] ask(Answerer.Forward query, InetAddress upstream, long budgetNanos) {
        long deadline = System.nanoTime() + budgetNanos;
        int id;
        synchronized (answers) {
            id = answers.nextId();
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(upstream, UPSTREAM_PORT), millisLeft(deadline));
            s.setSoTimeout(millisLeft(deadline));
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] wire = UpstreamAnswers.withId(query.wire(), id);
            out.writeShort(wire.length);
            out.write(wire);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int length = in.readUnsignedShort();
            s.setSoTimeout(millisLeft(deadline));
            byte[] answer = new byte[length];
            in.readFully(answer);
            return UpstreamAnswers.accept(answer, id, query.query());
        } catch (IOException | IllegalArgumentException e) {
            return null; // refused, timed out, cut off: the next upstream
        }
    }

    private static int millisLeft(long deadline) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new IllegalArgumentException("no time left");
        }
        return (int) Math.min(left, Integer.MAX_VALUE);
    }
}
