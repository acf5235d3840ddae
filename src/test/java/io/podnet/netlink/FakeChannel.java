package io.podnet.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;

/**
 * A scripted netlink peer for unit tests: records what is sent and hands out queued
 * datagrams. Queued replies are by default re-addressed to the request being answered (every
 * message's nlmsg_seq set to the last request's, nlmsg_pid to this channel's port id), so
 * fixtures captured from the kernel under other numbers can be replayed.
 */
final class FakeChannel implements NetlinkChannel {
    static final int PORT_ID = 4242;

    private record Queued(byte[] bytes, boolean readdress) {
    }

    private final Deque<Queued> replies = new ArrayDeque<>();
    final List<byte[]> sent = new ArrayList<>();
    boolean closed;

    FakeChannel reply(byte[]... datagrams) {
        for (byte[] d : datagrams) {
            replies.add(new Queued(d, true));
        }
        return this;
    }

    FakeChannel reply(List<byte[]> datagrams) {
        return reply(datagrams.toArray(byte[][]::new));
    }

    /** A datagram delivered exactly as given (to test filtering by seq and port id). */
    FakeChannel replyAsIs(byte[] datagram) {
        replies.add(new Queued(datagram, false));
        return this;
    }

    int lastSeq() {
        return ByteBuffer.wrap(sent.get(sent.size() - 1)).order(ByteOrder.nativeOrder()).getInt(8);
    }

    int remaining() {
        return replies.size();
    }

    @Override
    public int portId() {
        return PORT_ID;
    }

    @Override
    public void send(ByteBuffer message) {
        if (message.position() != 0) {
            throw new AssertionError("send expects a buffer positioned at 0");
        }
        byte[] copy = new byte[message.remaining()];
        message.duplicate().get(copy);
        sent.add(copy);
    }

    @Override
    public void receive(ByteBuffer buffer) {
        Queued q = replies.poll();
        if (q == null) {
            throw new AssertionError("the client waited for a reply that the test did not script");
        }
        buffer.clear();
        int n = Math.min(q.bytes.length, buffer.capacity()); // a real recv truncates the same way
        buffer.put(q.bytes, 0, n);
        buffer.flip();
        if (q.readdress) {
            int off = 0;
            while (off + 16 <= n) {
                int len = buffer.getInt(off);
                buffer.putInt(off + 8, lastSeq());
                buffer.putInt(off + 12, PORT_ID);
                if (len < 16) {
                    break;
                }
                off += (len + 3) & ~3;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The datagrams of a fixture file: one hex line each, '#' lines are comments. */
    static List<byte[]> fixture(String name) {
        try (InputStream in = FakeChannel.class.getResourceAsStream("fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            List<byte[]> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                line = line.strip();
                if (!line.isEmpty() && !line.startsWith("#")) {
                    out.add(HexFormat.of().parseHex(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
