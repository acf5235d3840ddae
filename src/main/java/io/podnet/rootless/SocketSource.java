package io.podnet.rootless;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import io.podnet.netns.Netns;
import io.podnet.sys.Sys;

/**
 * Unconnected sockets created inside a target namespace (the rootless netns), for the selector
 * threads to connect to pods. A socket belongs to the namespace it was created in, whichever
 * thread uses it afterwards; so one dedicated platform thread joins the target namespace once,
 * is used for nothing else, and keeps a small pool of fresh sockets of each kind in use. A
 * selector thread takes one without waiting in the common case; only when a pool is empty
 * (a burst of connections) does it wait for the thread to open one.
 */
final class SocketSource implements AutoCloseable {
    enum Kind {
        TCP4(32), TCP6(32), UDP4(8), UDP6(8);

        final int target;

        Kind(int target) {
            this.target = target;
        }
    }

    private static final Object REFILL = new Object();
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Map<Kind, ConcurrentLinkedQueue<Channel>> pools = new EnumMap<>(Kind.class);
    private final Map<Kind, AtomicBoolean> inUse = new EnumMap<>(Kind.class);
    private final LinkedBlockingQueue<Object> requests = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    /** Non-blocking sockets, created in the target namespace. Starts the thread; it joins {@code target}'s namespace before it opens anything. */
    SocketSource(Netns target) {
        for (Kind k : Kind.values()) {
            pools.put(k, new ConcurrentLinkedQueue<>());
            inUse.put(k, new AtomicBoolean());
        }
        int fd = target.fd().fd();
        CompletableFuture<Void> joined = new CompletableFuture<>();
        thread = new Thread(() -> {
            try {
                Sys.setns(fd, Sys.CLONE_NEWNET);
            } catch (RuntimeException e) {
                joined.completeExceptionally(e);
                return;
            }
            joined.complete(null);
            serve();
        }, "podnet-socket-source-" + COUNTER.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
        try {
            joined.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the socket source", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the socket source could not join " + target + ": " + e.getMessage(), e);
        }
    }

    SocketChannel tcp(boolean v6) throws IOException {
        return (SocketChannel) take(v6 ? Kind.TCP6 : Kind.TCP4);
    }

    DatagramChannel udp(boolean v6) throws IOException {
        return (DatagramChannel) take(v6 ? Kind.UDP6 : Kind.UDP4);
    }

    private Channel take(Kind kind) throws IOException {
        if (closed) {
            throw new IOException("socket source is closed");
        }
        ConcurrentLinkedQueue<Channel> pool = pools.get(kind);
        Channel c = pool.poll();
        if (!inUse.get(kind).getAndSet(true) || pool.size() < kind.target / 2) {
            requests.offer(REFILL);
        }
        if (c != null) {
            return c;
        }
        CompletableFuture<Channel> one = new CompletableFuture<>();
        requests.offer(new Request(kind, one));
        try {
            return one.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for a socket", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("no socket from the rootless netns within 10 s", e);
        }
    }

    private record Request(Kind kind, CompletableFuture<Channel> result) {
    }

    private void serve() {
        while (!closed) {
            Object r;
            try {
                r = requests.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (r instanceof Request req) {
                try {
                    req.result().complete(open(req.kind()));
                } catch (IOException | RuntimeException e) {
                    req.result().completeExceptionally(e);
                }
            }
            refill();
        }
        drain();
    }

    private void refill() {
        for (Kind k : Kind.values()) {
            if (!inUse.get(k).get()) {
                continue;
            }
            ConcurrentLinkedQueue<Channel> pool = pools.get(k);
            while (!closed && pool.size() < k.target) {
                try {
                    pool.add(open(k));
                } catch (IOException | RuntimeException e) {
                    break; // out of descriptors, or a family the namespace lacks: the next take will say so
                }
                if (!requests.isEmpty()) {
                    return; // serve waiting callers first
                }
            }
        }
    }

    private static Channel open(Kind kind) throws IOException {
        switch (kind) {
            case TCP4, TCP6 -> {
                SocketChannel c = SocketChannel.open(kind == Kind.TCP4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                // ready for a selector: the selector thread spends no system calls on it
                c.configureBlocking(false);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return c;
            }
            default -> {
                DatagramChannel d = DatagramChannel.open(kind == Kind.UDP4 ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                d.configureBlocking(false);
                return d;
            }
        }
    }

    private void drain() {
        for (ConcurrentLinkedQueue<Channel> pool : pools.values()) {
            Channel c;
            while ((c = pool.poll()) != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }
        Object r;
        while ((r = requests.poll()) != null) {
            if (r instanceof Request req) {
                req.result().completeExceptionally(new IOException("socket source is closed"));
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        requests.offer(REFILL);
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain();
    }
}
