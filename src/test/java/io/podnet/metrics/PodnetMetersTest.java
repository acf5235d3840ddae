package io.podnet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podnet.api.PodNetworkStatus;
import io.podnet.engine.EngineObserver.Operation;
import io.podnet.engine.PodMode;
import io.podnet.testing.FakeEngine;

/**
 * The README's teardown timers, podnet_teardown_duration_seconds{mode,outcome} and
 * podnet_teardown_step_duration_seconds{mode,step}, as the engine reports a teardown to
 * PodnetMeters; and podnet_podnetworks{phase}, which counts a PodNetwork as Terminating while it
 * is torn down and forgets it, with its traffic series, once it is removed.
 */
class PodnetMetersTest {
    private static final String UID = "uid-web";

    private PodnetMeters in(MeterRegistry registry) {
        TrafficMeters traffic = new TrafficMeters();
        traffic.registry = registry;
        traffic.engine = new FakeEngine();
        PodnetMeters meters = new PodnetMeters();
        meters.registry = registry;
        meters.traffic = traffic;
        return meters;
    }

    private static double phaseCount(MeterRegistry registry, String phase) {
        return registry.get("podnet.podnetworks").tag("phase", phase).gauge().value();
    }

    @Test
    void aTeardownRecordsItsStepsAndTheWholeByModeStepAndOutcome() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PodnetMeters meters = in(registry);
        meters.step(Operation.TEARDOWN, PodMode.ROOTLESS, "ports", Duration.ofMillis(3).toNanos());
        meters.step(Operation.TEARDOWN, PodMode.ROOTLESS, "interfaces", Duration.ofMillis(15).toNanos());
        meters.finished(Operation.TEARDOWN, PodMode.ROOTLESS, "ok", Duration.ofMillis(20).toNanos());

        Timer interfaces = registry.get("podnet.teardown.step.duration").tags("mode", "rootless", "step", "interfaces").timer();
        assertThat(interfaces.count()).isOne();
        assertThat(interfaces.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(15);
        assertThat(registry.get("podnet.teardown.step.duration").timers()).hasSize(2);
        Timer whole = registry.get("podnet.teardown.duration").tags("mode", "rootless", "outcome", "ok").timer();
        assertThat(whole.count()).isOne();
        assertThat(whole.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(20);
        // a teardown is not a setup
        assertThat(registry.find("podnet.setup.duration").meters()).isEmpty();
        assertThat(registry.find("podnet.setup.step.duration").meters()).isEmpty();
    }

    @Test
    void prometheusSeesTheTeardownHistogramsUnderTheReadmesNames() {
        PrometheusScrape prometheus = new PrometheusScrape();
        PodnetMeters meters = in(prometheus.registry);
        meters.step(Operation.TEARDOWN, PodMode.ROOTFUL, "netns", Duration.ofMillis(4).toNanos());
        meters.finished(Operation.TEARDOWN, PodMode.ROOTFUL, "failed", Duration.ofMillis(30).toNanos());

        assertThat(prometheus.sample("podnet_teardown_step_duration_seconds_count", "mode", "rootful", "step", "netns")).isEqualTo(1);
        assertThat(prometheus.sample("podnet_teardown_step_duration_seconds_sum", "mode", "rootful", "step", "netns")).isEqualTo(0.004);
        assertThat(prometheus.sample("podnet_teardown_duration_seconds_count", "mode", "rootful", "outcome", "failed")).isEqualTo(1);
        // the buckets the dashboards' quantiles use: 30 ms is above 25 ms and within 50 ms
        assertThat(prometheus.sample("podnet_teardown_duration_seconds_bucket", "mode", "rootful", "outcome", "failed", "le", "0.025"))
                .isZero();
        assertThat(prometheus.sample("podnet_teardown_duration_seconds_bucket", "mode", "rootful", "outcome", "failed", "le", "0.05"))
                .isEqualTo(1);
    }

    @Test
    void aPodNetworkIsCountedTerminatingWhileTornDownAndDroppedOnceRemoved() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PodnetMeters meters = in(registry);
        meters.declarePhases(PodNetworkStatus.PHASES);
        meters.phase(UID, "Ready");
        meters.phase("uid-db", "Ready");
        // every declared phase has its gauge, at 0 when no PodNetwork is in it
        assertThat(registry.get("podnet.podnetworks").gauges()).hasSize(PodNetworkStatus.PHASES.size());
        assertThat(phaseCount(registry, "Terminating")).isZero();
        assertThat(phaseCount(registry, "Ready")).isEqualTo(2);

        meters.phase(UID, "Terminating");
        assertThat(phaseCount(registry, "Terminating")).isOne();
        assertThat(phaseCount(registry, "Ready")).isOne();

        meters.removed(UID);
        assertThat(phaseCount(registry, "Terminating")).isZero();
        assertThat(phaseCount(registry, "Ready")).isOne();
    }

    @Test
    void aRemovedPodTakesItsTrafficSeriesWithIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        PodnetMeters meters = in(registry);
        meters.traffic.track(UID, "default", "web", Set.of("eth0"));
        meters.traffic.track("uid-db", "default", "db", Set.of("eth0"));

        meters.removed(UID);
        assertThat(registry.find("podnet.interface.receive.bytes").tag("name", "web").meters()).isEmpty();
        assertThat(registry.find("podnet.interface.receive.bytes").tag("name", "db").meters()).hasSize(1);
    }
}
