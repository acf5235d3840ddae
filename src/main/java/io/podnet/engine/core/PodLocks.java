package io.podnet.engine.core;

import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A pod is never set up and torn down at the same time (one lock per pod, striped), and node-wide
 * repair never runs while any pod changes: it rebuilds the firewall's and the forwarder's
 * expectation from all pods' states, so a pod saved but not yet applied, or unapplied but not
 * yet deleted, would be undone or brought back.
 */
final class PodLocks {
    private final ReentrantLock[] stripes = new ReentrantLock[64];
    private final ReentrantReadWriteLock node = new ReentrantReadWriteLock();

    /** Released by close(). */
    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    PodLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /** For one pod's setup or teardown; pods on other stripes go on in parallel. */
    Held pod(String podId) {
        ReentrantLock stripe = stripes[Math.floorMod(podId.hashCode(), stripes.length)];
        node.readLock().lock();
        stripe.lock();
        return () -> {
            stripe.unlock();
            node.readLock().unlock();
        };
    }

    /** For node-wide repair: waits until no pod is changing, and keeps them waiting meanwhile. */
    Held node() {
        node.writeLock().lock();
        return () -> node.writeLock().unlock();
    }
}
