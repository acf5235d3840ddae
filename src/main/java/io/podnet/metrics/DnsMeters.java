package io.podnet.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.podnet.engine.PodNetworkEngine;
import io.quarkus.runtime.StartupEvent;

/**
 * The name servers of dns_enabled networks: queries by result
 * ({@code podnet_dns_queries_total{result}}), read from the engine when scraped, so the query path
 * only bumps an adder.
 */
@ApplicationScoped
public class DnsMeters {
    @Inject
    MeterRegistry registry;

    @Inject
    PodNetworkEngine engine;

    private final OwnedMeters owned = new OwnedMeters();

    void register(@Observes StartupEvent event) {
        for (String result : engine.dnsQueries().keySet()) {
            owned.add(FunctionCounter.builder("podnet.dns.queries", engine, e -> e.dnsQueries().getOrDefault(result, 0L))
                    .description("Queries to the name servers of dns_enabled networks, by result").tag("result", result)
                    .register(registry));
        }
    }

    @jakarta.annotation.PreDestroy
    void unregister() {
        owned.removeFrom(registry);
    }
}
