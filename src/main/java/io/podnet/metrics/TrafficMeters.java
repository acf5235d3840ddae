package io.podnet.metrics;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.podnet.engine.InterfaceCounters;
import io.podnet.engine.PodNetworkEngine;

/**
 * Per-PodNetwork interface traffic: {@code podnet_interface_{receive,transmit}_{bytes,packets}_total}
 * tagged with the PodNetwork's namespace, name and interface. The counters read one shared
 * snapshot of the engine's link statistics, refreshed at most once a second, so a scrape costs
 * one netlink dump whatever the number of pods. A PodNetwork's series are removed when it goes,
 * which keeps the cardinality bounded by the pods that exist.
 */
@ApplicationScoped
public class TrafficMeters {
    private static final long REFRESH_NANOS = 1_000_000_000L;

    @Inject
    MeterRegistry registry;

    @Inject
    PodNetworkEngine engine;

    private final Map<String, List<Meter>> seriesByPod = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> interfacesByPod = new ConcurrentHashMap<>();
    private volatile Map<String, Map<String, InterfaceCounters>> snapshot = Map.of();
    private volatile long snapshotAt;
    /** Monotonic nanos: the system's; a unit test sets one it moves itself, to see the once-a-second refresh without sleeping. */
    LongSupplier nanoTime = System::nanoTime;

    /** Makes the pod's series match its interfaces (registers new ones, removes gone ones). */
    public synchronized void track(String uid, String namespace, String name, Set<String> interfaces) {
        if (interfaces.equals(interfacesByPod.get(uid))) {
            return;
        }
        forget(uid);
        List<Meter> meters = new java.util.ArrayList<>();
        for (String iface : interfaces) {
            meters.add(counter("podnet.interface.receive.bytes", "Bytes received by the pod interface", uid, namespace, name, iface,
                    InterfaceCounters::rxBytes));
            meters.add(counter("podnet.interface.transmit.bytes", "Bytes sent by the pod interface", uid, namespace, name, iface,
                    InterfaceCounters::txBytes));
            meters.add(counter("podnet.interface.receive.packets", "Packets received by the pod interface", uid, namespace, name, iface,
                    InterfaceCounters::rxPackets));
            meters.add(counter("podnet.interface.transmit.packets", "Packets sent by the pod interface", uid, namespace, name, iface,
                    InterfaceCounters::txPackets));
        }
        seriesByPod.put(uid, meters);
        interfacesByPod.put(uid, Set.copyOf(interfaces));
    }

    /** The series go with the bean: left in a registry that outlives it, they would answer for a dead bean. */
    @jakarta.annotation.PreDestroy
    synchronized void forgetAll() {
        new java.util.ArrayList<>(seriesByPod.keySet()).forEach(this::forget);
    }

    public synchronized void forget(String uid) {
        List<Meter> meters = seriesByPod.remove(uid);
        if (meters != null) {
            meters.forEach(registry::remove);
        }
        interfacesByPod.remove(uid);
    }

    private Meter counter(String metric, String description, String uid, String namespace, String name, String iface,
            ToLongFunction<InterfaceCounters> value) {
        return FunctionCounter.builder(metric, this, t -> {
            InterfaceCounters c = t.current().getOrDefault(uid, Map.of()).get(iface);
            return c == null ? 0 : value.applyAsLong(c);
        }).description(description).tags("namespace", namespace, "name", name, "interface", iface).register(registry);
    }

    private Map<String, Map<String, InterfaceCounters>> current() {
        long now = nanoTime.getAsLong();
        if (now - snapshotAt > REFRESH_NANOS) {
            synchronized (this) {
                if (now - snapshotAt > REFRESH_NANOS) {
                    try {
                        snapshot = engine.interfaceCounters();
                    } catch (RuntimeException e) {
                        // keep the last values: a failed read must not break the scrape
                    }
                    snapshotAt = now;
                }
            }
        }
        return snapshot;
    }
}
