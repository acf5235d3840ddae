package io.podnet.metrics;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetricsV2;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The Java Operator SDK's reconciliation metrics (its V2 set: reconciliations started, succeeded,
 * failed, retried, queued, active, execution duration) in the Prometheus registry.
 * <p>
 * QOSDK 7.7.3 produces its Metrics bean from a MeterBinder's field that is only set when the
 * registry binds it; the operator asks for the bean earlier, gets the no-op metrics and keeps
 * them, so nothing reaches /q/metrics. Producing the bean from the registry itself fixes the
 * order (this bean replaces QOSDK's default one).
 */
public class OperatorMetricsProducer {
    @Produces
    @Singleton
    Metrics operatorMetrics(MeterRegistry registry) {
        return MicrometerMetricsV2.newBuilder(registry).build();
    }
}
