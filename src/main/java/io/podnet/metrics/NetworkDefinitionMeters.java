package io.podnet.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.podnet.engine.PodNetworkEngine;
import io.quarkus.runtime.StartupEvent;

/**
 * The node's network definition files by state ({@code podnet_network_definitions{state}}:
 * {@code valid}, {@code invalid}, and {@code pending} for a changed file whose network keeps its
 * running definition until its pods are gone), read from the engine when scraped, so an admin's
 * alert sees a bad file the agent left out (its network is unavailable, the agent runs on).
 */
@ApplicationScoped
public class NetworkDefinitionMeters {
    @Inject
    MeterRegistry registry;

    @Inject
    PodNetworkEngine engine;

    private final OwnedMeters owned = new OwnedMeters();

    void register(@Observes StartupEvent event) {
        owned.add(Gauge.builder("podnet.network.definitions", engine, e -> e.usableNetworkDefinitions())
                .description("Network definition files of the node, by state").tag("state", "valid").register(registry));
        owned.add(Gauge.builder("podnet.network.definitions", engine, e -> e.networkDefinitionProblems().size())
                .description("Network definition files of the node, by state").tag("state", "invalid").register(registry));
        owned.add(Gauge.builder("podnet.network.definitions", engine, e -> e.pendingNetworkDefinitions().size())
                .description("Network definition files of the node, by state").tag("state", "pending").register(registry));
    }

    @jakarta.annotation.PreDestroy
    void unregister() {
        owned.removeFrom(registry);
    }
}
