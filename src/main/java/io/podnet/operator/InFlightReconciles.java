package io.podnet.operator;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/** The reconciles running now and since when, for the liveness check. */
@ApplicationScoped
public class InFlightReconciles {
    /** PodNetwork (namespace/name) -> when its reconcile started, in nanos. */
    private final Map<String, Long> running = new ConcurrentHashMap<>();

    void started(String key) {
        running.put(key, System.nanoTime());
    }

    void finished(String key) {
        running.remove(key);
    }

    int count() {
        return running.size();
    }

    /** The one running longest, if it has run longer than {@code nanos}. */
    Optional<Map.Entry<String, Long>> olderThan(long nanos) {
        long now = System.nanoTime();
        return running.entrySet().stream().filter(e -> now - e.getValue() > nanos).findFirst();
    }
}
