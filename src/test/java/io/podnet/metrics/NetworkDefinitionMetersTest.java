package io.podnet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podnet.testing.FakeEngine;

/** The README's podnet_network_definitions{state}: valid, invalid and pending files as the engine reports them, read when scraped. */
class NetworkDefinitionMetersTest {
    private final FakeEngine engine = new FakeEngine();

    private NetworkDefinitionMeters registeredIn(io.micrometer.core.instrument.MeterRegistry registry) {
        NetworkDefinitionMeters meters = new NetworkDefinitionMeters();
        meters.registry = registry;
        meters.engine = engine;
        meters.register(null);
        return meters;
    }

    @Test
    void validAndInvalidFilesAreSeriesReadWhenScraped() {
        PrometheusScrape prometheus = new PrometheusScrape();
        registeredIn(prometheus.registry);
        assertThat(prometheus.sample("podnet_network_definitions", "state", "invalid")).isZero();

        engine.networkDefinitions(3, List.of("/etc/podnet/networks/a.json: not JSON", "/etc/podnet/networks/b.json: driver \"foo\""));

        assertThat(prometheus.sample("podnet_network_definitions", "state", "valid")).isEqualTo(3);
        assertThat(prometheus.sample("podnet_network_definitions", "state", "invalid")).isEqualTo(2);
        assertThat(prometheus.sample("podnet_network_definitions", "state", "pending")).isZero();

        engine.pendingNetworkDefinitions(List.of("network \"backend\" (/etc/podnet/networks/backend.json) changed; ..."));
        assertThat(prometheus.sample("podnet_network_definitions", "state", "pending")).isEqualTo(1);
        assertThat(prometheus.text()).contains("# TYPE podnet_network_definitions gauge");
    }

    @Test
    void theMetersGoWithTheBean() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        NetworkDefinitionMeters meters = registeredIn(registry);
        assertThat(registry.getMeters()).hasSize(3);
        meters.unregister();
        assertThat(registry.getMeters()).isEmpty();
    }
}
