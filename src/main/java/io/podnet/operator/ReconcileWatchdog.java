package io.podnet.operator;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness: the reconcile loop is alive when no reconcile has been running for longer than
 * {@code podnet.health.stuck-after} (a wedged kernel call, a deadlock). It does not depend on
 * the API server, so an API outage never restarts the agent.
 */
@Liveness
@ApplicationScoped
public class ReconcileWatchdog implements HealthCheck {
    @Inject
    PodnetConfig config;

    @Inject
    InFlightReconciles inFlight;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("podnet reconcile loop").withData("running", inFlight.count());
        return inFlight.olderThan(config.health().stuckAfter().toNanos())
                .map(e -> builder.withData("stuck", e.getKey() + " for "
                        + Duration.ofNanos(System.nanoTime() - e.getValue()).toSeconds() + "s").down().build())
                .orElseGet(() -> builder.up().build());
    }
}
