package io.podnet.operator;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;

/** The reconciles running now and since when, for the liveness check. */
@ApplicationScoped
public class InFlightReconciles {
    /** PodNetwork (namespace/name) -> when its reconcile started, in nanos. */
    private final Map<String, Long> running = new ConcurrentHashMap<>();

    /** Monotonic nanos: the system's; a unit test sets one it moves itself, to see a reconcile go stuck without waiting. */
    LongSupplier nanoTime = System::nanoTime;

    void started(String key) {
        running.put(key, nanoTime.getAsLong());
    }

    void finished(String key) {
        running.remove(key);
    }

    int count() {
        return running.size();
    }

    /** The one running longest and for how long, if it has run longer than {@code limit}. */
    Optional<Map.Entry<String, Duration>> olderThan(Duration limit) {
        long now = nanoTime.getAsLong();
        return running.entrySet().stream().map(e -> Map.entry(e.getKey(), Duration.ofNanos(now - e.getValue())))
                .filter(e -> e.getValue().compareTo(limit) > 0).max(Map.Entry.comparingByValue());
    }
}
