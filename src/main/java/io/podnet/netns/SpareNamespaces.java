package io.podnet.netns;

import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

/**
 * New network namespaces made ahead of need. Creating one (unshare(2): every per-namespace init
 * of the kernel, under a lock that the kernel's reclaim of deleted namespaces takes too) is the
 * costliest step of a pod's setup, while naming a spare one is a bind mount. After the first
 * {@link #take}, a background thread makes up to {@code capacity} at each {@link #refill}, each
 * with what {@code prepare} made inside it (a netlink socket bound there, loopback up).
 *
 * <p>Spares are only descriptors of this process: nothing is mounted for them, so neither a crash
 * nor {@link #close} leaves anything behind, and no one else sees them.
 */
public final class SpareNamespaces<T> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SpareNamespaces.class);

    private final Callable<T> prepare;
    private final Consumer<T> discard;
    private final ArrayBlockingQueue<NetnsManager.Unnamed<T>> ready;
    /** One refilling thread at most, gone when idle (a test's engine keeps none). */
    private final ThreadPoolExecutor refiller = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            r -> {
                Thread t = new Thread(r, "podnet-netns-spares");
                t.setDaemon(true);
                return t;
            });
    private final AtomicBoolean refilling = new AtomicBoolean();
    private volatile boolean closed;
    /** Nothing is made before the first take: an engine that never makes a namespace keeps none. */
    private volatile boolean taken;

    /** @param capacity 0 turns spares off: every take is empty */
    public SpareNamespaces(int capacity, Callable<T> prepare, Consumer<T> discard) {
        this.prepare = prepare;
        this.discard = discard;
        this.ready = capacity > 0 ? new ArrayBlockingQueue<>(capacity) : null;
    }

    /** A spare if one is ready: the caller owns it from here. */
    public Optional<NetnsManager.Unnamed<T>> take() {
        if (ready == null || closed) {
            return Optional.empty();
        }
        taken = true;
        return Optional.ofNullable(ready.poll());
    }

    /**
     * Makes spares up to the capacity in the background, once something was taken. Called when a
     * setup is done rather than at the take: a namespace made during a setup would compete with
     * it for the kernel's rtnl lock.
     */
    public void refill() {
        if (taken && ready != null && ready.remainingCapacity() > 0) {
            requestRefill();
        }
    }

    /** Frees a spare that was taken and not used. */
    public void discard(NetnsManager.Unnamed<T> spare) {
        try {
            discard.accept(spare.value());
        } finally {
            spare.fd().close();
        }
    }

    public int ready() {
        return ready == null ? 0 : ready.size();
    }

    private void requestRefill() {
        if (!closed && refilling.compareAndSet(false, true)) {
            refiller.execute(this::fill);
        }
    }

    private void fill() {
        boolean failed = false;
        try {
            while (!closed && ready.remainingCapacity() > 0) {
                NetnsManager.Unnamed<T> spare = NetnsManager.createUnnamed(prepare);
                if (closed || !ready.offer(spare)) {
                    discard(spare);
                    break;
                }
            }
        } catch (RuntimeException e) {
            failed = true; // a pod makes its own namespace then, and says why if that fails too
            LOG.debugf("cannot make a spare network namespace: %s", e.getMessage());
        } finally {
            refilling.set(false);
        }
        if (closed) {
            drain();
        } else if (!failed && ready.remainingCapacity() > 0) {
            requestRefill(); // a take that came while this refill was ending
        }
    }

    private void drain() {
        NetnsManager.Unnamed<T> spare;
        while (ready != null && (spare = ready.poll()) != null) {
            discard(spare);
        }
    }

    @Override
    public void close() {
        closed = true;
        refiller.shutdown();
        try {
            refiller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drain();
    }
}
