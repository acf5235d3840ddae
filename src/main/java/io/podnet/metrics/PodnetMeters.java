package io.podnet.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.podnet.engine.EngineObserver;
import io.podnet.engine.PodMode;

/**
 * podnet's own meters, named by Prometheus conventions with base units: setup and teardown
 * durations (whole and per step) by mode, PodNetworks by phase, failures by reason, and kernel
 * repairs by kind. The engine reports to it as its {@link EngineObserver}.
 */
@ApplicationScoped
public class PodnetMeters implements EngineObserver {
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
        Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    @Inject
    MeterRegistry registry;

    @Inject
    TrafficMeters traffic;

    /** PodNetwork uid -> its phase, for the phase gauges. */
    private final Map<String, String> phases = new ConcurrentHashMap<>();
    private volatile boolean gaugesRegistered;
    /** The phases a gauge is kept for, each also at 0: the operator, which owns the phases, names them. */
    private volatile List<String> declaredPhases = List.of();
    private final OwnedMeters owned = new OwnedMeters();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    @jakarta.annotation.PreDestroy
    void removeGauges() {
        owned.removeFrom(registry);
    }

    /**
     * A timer by its name and tags, registered once: building and registering one costs more than
     * recording, and each setup records eight.
     */
    private Timer timer(String name, String description, String tagKey, String mode, String tagValue) {
        return timers.computeIfAbsent(name + '|' + mode + '|' + tagValue, k -> Timer.builder(name).description(description)
                .tags("mode", mode, tagKey, tagValue).serviceLevelObjectives(BUCKETS).register(registry));
    }

    @Override
    public void step(Operation operation, PodMode mode, String step, long nanos) {
        timer("podnet." + operation.lower() + ".step.duration", "Duration of one step of a pod network " + operation.lower(),
                "step", mode.name().toLowerCase(), step).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void finished(Operation operation, PodMode mode, String outcome, long nanos) {
        timer("podnet." + operation.lower() + ".duration", "Duration of a whole pod network " + operation.lower(),
                "outcome", mode.name().toLowerCase(), outcome).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void repaired(String kind) {
        Counter.builder("podnet.repairs").description("Kernel objects found missing or wrong and restored")
                .tag("kind", kind).register(registry).increment();
    }

    /** A PodNetwork failed, or was refused, for this reason. */
    public void failure(String stage, String reason) {
        Counter.builder("podnet.failures").description("PodNetwork failures and refusals by reason")
                .tags("stage", stage, "reason", reason).register(registry).increment();
    }

    /** A PodNetwork whose spec does not fit the model and names no readable node: it can only be logged and counted. */
    public void unaddressable() {
        Counter.builder("podnet.unmappable").description("PodNetwork events whose spec does not fit the model and names no node")
                .register(registry).increment();
    }

    /** The phases there are; their gauges appear with the first phase reported. */
    public void declarePhases(List<String> phases) {
        declaredPhases = List.copyOf(phases);
    }

    /** The PodNetwork's phase now. */
    public void phase(String uid, String phase) {
        registerPhaseGauges();
        phases.put(uid, phase);
    }

    /** Whichever way a pod went (its PodNetwork deleted, or collected as an orphan), its series go with it. */
    @Override
    public void removed(String uid) {
        phases.remove(uid);
        traffic.forget(uid);
    }

    private void registerPhaseGauges() {
        if (gaugesRegistered) {
            return;
        }
        synchronized (this) {
            if (!gaugesRegistered) {
                for (String phase : declaredPhases) {
                    owned.add(Gauge.builder("podnet.podnetworks", phases, m -> m.values().stream().filter(phase::equals).count())
                            .strongReference(true).description("PodNetworks of this node by phase").tag("phase", phase).register(registry));
                }
                gaugesRegistered = true;
            }
        }
    }
}
