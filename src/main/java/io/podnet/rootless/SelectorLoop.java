package io.podnet.rootless;

import java.io.IOException;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import org.jboss.logging.Logger;

/**
 * One selector thread of the forwarder: runs queued tasks, selects, and dispatches ready keys to
 * their {@link SelectorHandler}s. Everything registered with its selector is used by its thread
 * only; other threads hand work over with {@link #execute} or {@link #call}.
 */
final class SelectorLoop implements Runnable {
    /** The forwarder's log category, which operators may already have configured. */
    private static final Logger LOG = Logger.getLogger(PortForwarder.class);
    private static final long SWEEP_NANOS = 250_000_000L;

    /**
     * What lives on a loop besides its keys: swept every quarter second (timeouts), closed when
     * the loop ends.
     */
    interface Resident {
        /** The forward it serves. */
        Forward forward();

        void sweep(long now);

        void close();
    }

    final Selector selector;
    final BufferPool buffers;
    /** Connections on this loop, read by other loops when they choose where a new one goes. */
    final AtomicInteger load = new AtomicInteger();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Forwards: closed first when the loop ends. */
    private final Set<Resident> owners = new HashSet<>();
    /** Connections: closed last, after the queued tasks that may still hand some over. */
    private final Set<Resident> connections = new HashSet<>();
    private final Thread thread;
    private volatile boolean stopping;
    private long lastSweep = System.nanoTime();

    /**
     * @param startThread starts a daemon thread that runs the given loop, from a thread in the
     *                    host namespace (as any thread it might start would be)
     */
    SelectorLoop(int bufferSize, Function<Runnable, Thread> startThread) throws IOException {
        selector = Selector.open();
        try {
            buffers = new BufferPool(bufferSize);
            thread = startThread.apply(this);
        } catch (RuntimeException | OutOfMemoryError e) {
            selector.close();
            throw e;
        }
    }

    void addOwner(Resident r) {
        owners.add(r);
    }

    void removeOwner(Resident r) {
        owners.remove(r);
    }

    void addConnection(Resident r) {
        connections.add(r);
    }

    void removeConnection(Resident r) {
        connections.remove(r);
    }

    /** On this loop's thread: closes the forward's connections here. */
    void closeConnectionsOf(Forward f) {
        for (Resident c : new ArrayList<>(connections)) {
            if (c.forward() == f) {
                c.close();
            }
        }
    }

    /** A registered channel's descriptor is released when its key is deregistered: closes take effect now. */
    void flushCancelled() {
        try {
            selector.selectNow();
        } catch (IOException e) {
            // the loop is going down
        }
    }

    /** Runs {@code work} on this loop's thread soon, without waiting. */
    void execute(Runnable work) {
        tasks.add(work);
        selector.wakeup();
    }

    /** Runs {@code work} on this loop's thread and waits for it. */
    <T> T call(Callable<T> work) {
        if (Thread.currentThread() == thread) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        execute(() -> {
            try {
                f.complete(work.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        try {
            while (true) {
                try {
                    return f.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    if (!thread.isAlive() && !f.isDone()) {
                        throw new IllegalStateException("forwarder thread " + thread.getName() + " is gone");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the forwarder thread", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(c.getMessage(), c);
        }
    }

    @Override
    public void run() {
        try {
            while (!stopping) {
                boolean ran = runTasks();
                if (ran || !selector.selectedKeys().isEmpty()) {
                    selector.selectNow();
                } else {
                    selector.select(1000);
                }
                dispatch();
                long now = System.nanoTime();
                if (now - lastSweep > SWEEP_NANOS) {
                    lastSweep = now;
                    for (Resident c : new ArrayList<>(connections)) {
                        c.sweep(now);
                    }
                    for (Resident o : new ArrayList<>(owners)) {
                        o.sweep(now);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the selector broke: nothing can be served any more; close what it had
            LOG.errorf(e, "port forwarder thread %s failed; its forwards are closed", Thread.currentThread().getName());
        } finally {
            for (Resident o : new ArrayList<>(owners)) {
                o.close();
            }
            runTasks();
            for (Resident c : new ArrayList<>(connections)) {
                c.close();
            }
            buffers.close();
            try {
                selector.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private void dispatch() {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey k = it.next();
            it.remove();
            if (!k.isValid()) {
                continue;
            }
            SelectorHandler h = (SelectorHandler) k.attachment();
            try {
                h.ready(k);
            } catch (CancelledKeyException e) {
                // closed by an earlier handler of this round
            } catch (RuntimeException | OutOfMemoryError e) {
                // one connection's failure (direct memory exhausted, a bug) must not take the loop and its forwards down
                LOG.warnf(e, "port forwarder %s: a connection failed and is closed", Thread.currentThread().getName());
                h.failed(k);
            }
        }
    }

    private boolean runTasks() {
        boolean ran = false;
        Runnable r;
        while ((r = tasks.poll()) != null) {
            r.run();
            ran = true;
        }
        return ran;
    }

    /** Ends the thread, closing what is on it; waits up to 5 s. */
    void shutdown() {
        stopping = true;
        selector.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
