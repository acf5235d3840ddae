package io.podnet.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.podnet.engine.PodNetworkEngine;
import io.podnet.engine.RootlessStatus;
import io.quarkus.runtime.StartupEvent;

/**
 * The rootless side: whether its egress helper runs and how often it was restarted, and what the
 * userspace port forwarder carried. Read from the engine when scraped.
 */
@ApplicationScoped
public class RootlessMeters {
    @Inject
    MeterRegistry registry;

    @Inject
    PodNetworkEngine engine;

    private final OwnedMeters owned = new OwnedMeters();

    void register(@Observes StartupEvent event) {
        owned.add(Gauge.builder("podnet.rootless.helper.up", this, m -> m.status().helperUp() ? 1 : 0).strongReference(true)
                .description("1 when the rootless netns' egress helper (pasta or slirp4netns) runs").register(registry));
        owned.add(FunctionCounter.builder("podnet.rootless.helper.restarts", this, m -> m.status().helperRestarts())
                .description("Times a dead rootless helper was started again").register(registry));
        owned.add(FunctionCounter.builder("podnet.forwarder.connections", this, m -> m.status().connections())
                .description("TCP connections the rootless port forwarder accepted").register(registry));
        owned.add(Gauge.builder("podnet.forwarder.connections.active", this, m -> m.status().activeConnections()).strongReference(true)
                .description("TCP connections open through the rootless port forwarder").register(registry));
        owned.add(FunctionCounter.builder("podnet.forwarder.bytes", this, m -> m.status().bytesToPods())
                .description("Payload bytes the rootless port forwarder carried").tag("direction", "to_pod").register(registry));
        owned.add(FunctionCounter.builder("podnet.forwarder.bytes", this, m -> m.status().bytesFromPods())
                .description("Payload bytes the rootless port forwarder carried").tag("direction", "from_pod").register(registry));
    }

    @jakarta.annotation.PreDestroy
    void unregister() {
        owned.removeFrom(registry);
    }

    private RootlessStatus status() {
        return engine.rootlessStatus();
    }
}
