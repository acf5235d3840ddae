package io.podnet.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Meters that read a bean's state, removed from the registry when the bean goes. A function meter
 * left behind in a registry that outlives its bean (Micrometer's global one outlives an app
 * restart in the same JVM) keeps answering for the dead bean: stale values, or NaN once the weakly
 * held object is collected, and a new registration of the same meter gets that old one back.
 */
final class OwnedMeters {
    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    <M extends Meter> M add(M meter) {
        meters.add(meter);
        return meter;
    }

    void removeFrom(MeterRegistry registry) {
        meters.forEach(registry::remove);
        meters.clear();
    }
}
