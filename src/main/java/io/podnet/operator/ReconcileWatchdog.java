package io.podnet.operator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

import io.javaoperatorsdk.operator.Operator;

/**
 * Liveness: the reconcile loop is alive when no reconcile has been running for longer than
 * {@code podnet.health.stuck-after} (a wedged kernel call, a deadlock). It does not depend on
 * the API server, so an API outage never restarts the agent (the informer keeps retrying its
 * watch meanwhile). It also fails when an informer has stopped for good (fabric8 gives up on
 * some watch errors): then only a restart brings the watch back, and the kubelet does that.
 */
@Liveness
@ApplicationScoped
public class ReconcileWatchdog implements HealthCheck {
    @Inject
    PodnetConfig config;

    @Inject
    InFlightReconciles inFlight;

    @Inject
    Operator operator;

    @Override
    public HealthCheckResponse call() {
        var builder = HealthCheckResponse.named("podnet reconcile loop").withData("running", inFlight.count());
        String stopped = stoppedInformer();
        if (stopped != null) {
            return builder.withData("informer", stopped + " has stopped and will not watch again").down().build();
        }
        return inFlight.olderThan(config.health().stuckAfter())
                .map(e -> builder.withData("stuck", e.getKey() + " for " + e.getValue().toSeconds() + "s").down().build())
                .orElseGet(() -> builder.up().build());
    }

    /** The name of an informer event source that was started and is no longer running, or null. */
    private String stoppedInformer() {
        return Informers.of(operator).stream().filter(Informers.Source::stopped).map(Informers.Source::name).findFirst().orElse(null);
    }
}
