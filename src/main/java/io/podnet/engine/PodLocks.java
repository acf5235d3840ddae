package io.podnet.engine;

import java.util.concurrent.locks.ReentrantLock;

/** One lock per pod (striped): a pod is never set up and torn down at the same time. */
final class PodLocks {
    private final ReentrantLock[] stripes = new ReentrantLock[64];

    PodLocks() {
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    ReentrantLock of(String podId) {
        return stripes[Math.floorMod(podId.hashCode(), stripes.length)];
    }
}
