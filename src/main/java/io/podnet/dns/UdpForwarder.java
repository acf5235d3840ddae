package io.podnet.dns;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

/**
 * Forwards UDP queries to upstream servers from one selector thread in the server's namespace:
 * each attempt has its own socket (a random source port) and a random id, so an answer is
 * matched by socket, id and question. The upstreams are tried in order, each within its share of
 * the total timeout (as aardvark-dns: 5 s over the servers); an upstream that says SERVFAIL or
 * REFUSED passes the query on to the next. At most {@code maxInFlight} queries wait at once:
 * more are refused at once, so nothing queues without bound.
 */
final class UdpForwarder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UdpForwarder.class);
    private static final int UPSTREAM_PORT = 53;
    private static final long MAX_SELECT_MILLIS = 250;

    private final Selector selector;
    private final Thread thread;
    private final long timeoutNanos;
    private final int maxInFlight;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentLinkedQueue<Exchange> incoming = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<Exchange> byDeadline = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
    private final UpstreamAnswers answers = new UpstreamAnswers();
    private final ByteBuffer buffer = ByteBuffer.allocate(Answerer.TCP_MAX);
    private volatile boolean closed;

    UdpForwarder(ThreadFactory threads, Duration timeout, int maxInFlight) throws IOException {
        this.selector = Selector.open();
        this.timeoutNanos = timeout.toNanos();
        this.maxInFlight = maxInFlight;
        this.thread = threads.newThread(this::run);
        thread.start();
    }

    /**
     * Sends the query on; {@code reply} is called on the forwarder's thread with the answer, or
     * with the SERVFAIL when no upstream answered in time.
     *
     * @return false when too many queries are waiting already (nothing was sent)
     */
    boolean submit(Answerer.Forward query, Consumer<byte[]> reply, Consumer<QueryResult> outcome) {
        if (closed || inFlight.incrementAndGet() > maxInFlight) {
            inFlight.decrementAndGet();
            return false;
        }
        incoming.add(new Exchange(query, reply, outcome));
        selector.wakeup();
        return true;
    }

    /** One client query on its way through the upstreams. */
    private final class Exchange {
        final Answerer.Forward query;
        final Consumer<byte[]> reply;
        final Consumer<QueryResult> outcome;
        final long perUpstream;
        int next;
        int sentId;
        long deadline;
        DatagramChannel channel;
        /** An upstream's SERVFAIL or REFUSED, passed on when no later one does better. */
        byte[] fallback;

        Exchange(Answerer.Forward query, Consumer<byte[]> reply, Consumer<QueryResult> outcome) {
            this.query = query;
            this.reply = reply;
            this.outcome = outcome;
            this.perUpstream = Math.max(timeoutNanos / query.upstreams().size(), 1);
        }
    }

    private void run() {
        try {
            while (!closed) {
                Exchange e;
                while ((e = incoming.poll()) != null) {
                    attempt(e);
                }
                long wait = MAX_SELECT_MILLIS;
                Exchange first = byDeadline.peek();
                if (first != null) {
                    wait = Math.max(1, Math.min(wait, (first.deadline - System.nanoTime()) / 1_000_000 + 1));
                }
                selector.select(wait);
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey k = it.next();
                    it.remove();
                    if (k.isValid() && k.isReadable()) {
                        receive((Exchange) k.attachment());
                    }
                }
                expire(System.nanoTime());
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.errorf(e, "the DNS forwarder stopped; forwarded queries fail until the name server is opened again");
            }
        } finally {
            failAll();
        }
    }

    /** Sends the query to its next upstream, or ends it when none is left. */
    private void attempt(Exchange e) {
        while (e.next < e.query.upstreams().size()) {
            InetAddress upstream = e.query.upstreams().get(e.next++);
            DatagramChannel ch = null;
            try {
                ch = DatagramChannel.open(upstream instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                ch.configureBlocking(false);
                ch.connect(new InetSocketAddress(upstream, UPSTREAM_PORT));
                e.sentId = answers.nextId();
                ch.write(ByteBuffer.wrap(UpstreamAnswers.withId(e.query.wire(), e.sentId)));
                ch.register(selector, SelectionKey.OP_READ, e);
                e.channel = ch;
                e.deadline = System.nanoTime() + e.perUpstream;
                byDeadline.add(e);
                return;
            } catch (IOException | RuntimeException failed) {
                close(ch); // unreachable from here (no route, wrong family): the next one
            }
        }
        finish(e, e.fallback != null ? e.fallback : e.query.failure(), e.fallback != null ? QueryResult.FORWARDED : QueryResult.FAILED);
    }

    private void receive(Exchange e) {
        byte[] accepted = null;
        boolean refused = false;
        for (int i = 0; i < 8 && accepted == null; i++) {
            buffer.clear();
            int n;
            try {
                n = e.channel.read(buffer);
            } catch (IOException failed) {
                refused = true; // ICMP port unreachable: nothing listens there
                break;
            }
            if (n <= 0) {
                break;
            }
            accepted = UpstreamAnswers.accept(Arrays.copyOf(buffer.array(), n), e.sentId, e.query.query());
        }
        if (accepted == null && !refused) {
            return; // a stray datagram: keep waiting for the real answer
        }
        byDeadline.remove(e);
        close(e.channel);
        e.channel = null;
        if (accepted != null && !(UpstreamAnswers.tryNext(accepted) && e.next < e.query.upstreams().size())) {
            finish(e, accepted, QueryResult.FORWARDED);
        } else {
            if (accepted != null) {
                e.fallback = accepted;
            }
            attempt(e);
        }
    }

    private void expire(long now) {
        Exchange e;
        while ((e = byDeadline.peek()) != null && e.deadline - now <= 0) {
            byDeadline.poll();
            close(e.channel);
            e.channel = null;
            attempt(e);
        }
    }

    private void finish(Exchange e, byte[] answer, QueryResult result) {
        inFlight.decrementAndGet();
        e.outcome.accept(result);
        try {
            e.reply.accept(answer);
        } catch (RuntimeException failed) {
            LOG.debugf("cannot send a forwarded answer: %s", failed.getMessage());
        }
    }

    private void failAll() {
        for (Exchange e : byDeadline) {
            close(e.channel);
            finish(e, e.query.failure(), QueryResult.FAILED);
        }
        byDeadline.clear();
        Exchange e;
        while ((e = incoming.poll()) != null) {
            finish(e, e.query.failure(), QueryResult.FAILED);
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static void close(DatagramChannel ch) {
        if (ch != null) {
            Listener.closeQuietly(ch);
        }
    }

    /** Ends the thread; queries still waiting get their SERVFAIL. */
    @Override
    public void close() {
        closed = true;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
