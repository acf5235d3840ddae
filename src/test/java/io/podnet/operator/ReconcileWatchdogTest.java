package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import io.podnet.operator.FakeOperator.Informer;

/**
 * Liveness (README, Health): it fails when a reconcile has run longer than
 * {@code podnet.health.stuck-after}, naming the PodNetwork and how long, and when an informer has
 * stopped for good; a reconcile that finishes, or an informer that only lost its API server, keeps
 * it up. Time is a clock the test moves, so nothing waits five minutes.
 */
class ReconcileWatchdogTest {
    private static final Duration STUCK_AFTER = Duration.ofMinutes(5);

    /** Nanos of the test's clock; any start value works, the watchdog only looks at differences. */
    private final AtomicLong now = new AtomicLong(-7_000_000_000L);
    private final InFlightReconciles inFlight = new InFlightReconciles();
    private final FakeOperator operator = new FakeOperator().source("podnetworkreconciler", Informer.HEALTHY);
    private final ReconcileWatchdog watchdog = watchdog(STUCK_AFTER);

    private ReconcileWatchdog watchdog(Duration stuckAfter) {
        inFlight.nanoTime = now::get;
        ReconcileWatchdog check = new ReconcileWatchdog();
        check.inFlight = inFlight;
        check.operator = operator;
        check.config = FakeConfig.of(PodnetConfig.class,
                Map.of("health", FakeConfig.of(PodnetConfig.Health.class, Map.of("stuckAfter", stuckAfter))));
        return check;
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    private static Map<String, Object> data(HealthCheckResponse response) {
        return response.getData().orElseThrow();
    }

    @Test
    void aReconcileStillRunningAtStuckAfterIsHealthy() {
        inFlight.started("default/web");
        advance(STUCK_AFTER);

        HealthCheckResponse live = watchdog.call();
        assertThat(live.getName()).isEqualTo("podnet reconcile loop");
        assertThat(live.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(data(live)).containsEntry("running", 1L).doesNotContainKey("stuck");
    }

    @Test
    void aReconcileRunningLongerThanStuckAfterFailsNamingThePodNetworkAndHowLong() {
        inFlight.started("default/web");
        advance(STUCK_AFTER.plusNanos(1));
        assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);

        advance(Duration.ofSeconds(72));
        HealthCheckResponse live = watchdog.call();
        assertThat(live.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(live)).containsEntry("stuck", "default/web for 372s").containsEntry("running", 1L);
    }

    @Test
    void finishingTheStuckReconcileMakesLivenessHealthyAgain() {
        inFlight.started("default/web");
        advance(Duration.ofMinutes(8));
        assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);

        inFlight.finished("default/web");
        HealthCheckResponse live = watchdog.call();
        assertThat(live.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(data(live)).containsEntry("running", 0L).doesNotContainKey("stuck");
    }

    @Test
    void withSeveralInFlightOnlyTheOneRunningTooLongFailsLiveness() {
        inFlight.started("default/slow");
        advance(Duration.ofMinutes(4));
        inFlight.started("default/quick");
        inFlight.started("other/quick");
        assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        advance(Duration.ofMinutes(2)); // slow: 6m, the quick ones: 2m
        HealthCheckResponse live = watchdog.call();
        assertThat(live.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(live)).containsEntry("stuck", "default/slow for 360s").containsEntry("running", 3L);

        inFlight.finished("default/slow");
        inFlight.finished("other/quick");
        assertThat(data(watchdog.call())).containsEntry("running", 1L);
        assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);

        advance(Duration.ofMinutes(4)); // default/quick: 6m
        assertThat(data(watchdog.call())).containsEntry("stuck", "default/quick for 360s");
    }

    @Test
    void withSeveralStuckTheOneRunningLongestIsNamed() {
        for (String name : new String[] {"a", "b", "c", "d", "e", "f", "g"}) {
            inFlight.started("default/" + name);
            advance(Duration.ofMinutes(1));
        }
        advance(Duration.ofMinutes(5)); // all stuck: a for 12m, ..., g for 6m
        assertThat(data(watchdog.call())).containsEntry("stuck", "default/a for 720s");

        inFlight.finished("default/a");
        assertThat(data(watchdog.call())).containsEntry("stuck", "default/b for 660s");
    }

    @Test
    void stuckAfterIsTheConfiguredDuration() {
        ReconcileWatchdog strict = watchdog(Duration.ofSeconds(30));
        inFlight.started("default/web");
        advance(Duration.ofSeconds(31));
        assertThat(strict.call().getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void anInformerThatLostItsApiServerKeepsLivenessUp() {
        operator.source("podnetworkreconciler", Informer.NOT_WATCHING);
        assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void anInformerThatStoppedForGoodFailsLivenessNamingIt() {
        operator.source("podnetworkreconciler", Informer.HEALTHY, Informer.STOPPED);
        HealthCheckResponse live = watchdog.call();
        assertThat(live.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(live)).containsEntry("informer", "podnetworkreconciler has stopped and will not watch again");
    }

    @Test
    void anEventSourceJosdkClearedAfterStoppingFailsLiveness() {
        operator.source("nodes");
        HealthCheckResponse live = watchdog.call();
        assertThat(live.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(live)).containsEntry("informer", "nodes has stopped and will not watch again");
    }
}
