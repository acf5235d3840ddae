package io.podnet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podnet.engine.RootlessStatus;
import io.podnet.testing.FakeEngine;

/**
 * The rootless meters of the README (podnet_rootless_helper_up, podnet_rootless_helper_restarts_total,
 * podnet_forwarder_connections_total, podnet_forwarder_connections_active,
 * podnet_forwarder_bytes_total{direction}): their names and tags, and values read from the
 * engine's RootlessStatus when scraped.
 */
class RootlessMetersTest {
    private final FakeEngine engine = new FakeEngine();

    private RootlessMeters registeredIn(MeterRegistry registry) {
        RootlessMeters meters = new RootlessMeters();
        meters.registry = registry;
        meters.engine = engine;
        meters.register(null);
        return meters;
    }

    @Test
    void eachMeterReadsItsFieldOfTheEnginesStatusWhenRead() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        registeredIn(registry);
        engine.rootless(new RootlessStatus(true, 2, 40, 3, 5000, 700));

        assertThat(registry.get("podnet.rootless.helper.up").gauge().value()).isEqualTo(1);
        assertThat(registry.get("podnet.rootless.helper.restarts").functionCounter().count()).isEqualTo(2);
        assertThat(registry.get("podnet.forwarder.connections").functionCounter().count()).isEqualTo(40);
        assertThat(registry.get("podnet.forwarder.connections.active").gauge().value()).isEqualTo(3);
        assertThat(registry.get("podnet.forwarder.bytes").tag("direction", "to_pod").functionCounter().count()).isEqualTo(5000);
        assertThat(registry.get("podnet.forwarder.bytes").tag("direction", "from_pod").functionCounter().count()).isEqualTo(700);
        assertThat(registry.get("podnet.forwarder.bytes").functionCounters()).hasSize(2);

        // the helper died and the connections closed: the next read says so
        engine.rootless(new RootlessStatus(false, 2, 40, 0, 5100, 750));
        assertThat(registry.get("podnet.rootless.helper.up").gauge().value()).isZero();
        assertThat(registry.get("podnet.forwarder.connections.active").gauge().value()).isZero();
        assertThat(registry.get("podnet.forwarder.bytes").tag("direction", "to_pod").functionCounter().count()).isEqualTo(5100);
        assertThat(registry.get("podnet.forwarder.bytes").tag("direction", "from_pod").functionCounter().count()).isEqualTo(750);
    }

    @Test
    void prometheusSeesTheReadmesNames() {
        PrometheusScrape prometheus = new PrometheusScrape();
        registeredIn(prometheus.registry);
        engine.rootless(new RootlessStatus(true, 1, 9, 2, 1234, 56));

        assertThat(prometheus.sample("podnet_rootless_helper_up")).isEqualTo(1);
        assertThat(prometheus.sample("podnet_rootless_helper_restarts_total")).isEqualTo(1);
        assertThat(prometheus.sample("podnet_forwarder_connections_total")).isEqualTo(9);
        assertThat(prometheus.sample("podnet_forwarder_connections_active")).isEqualTo(2);
        assertThat(prometheus.sample("podnet_forwarder_bytes_total", "direction", "to_pod")).isEqualTo(1234);
        assertThat(prometheus.sample("podnet_forwarder_bytes_total", "direction", "from_pod")).isEqualTo(56);
        assertThat(prometheus.text()).contains("# TYPE podnet_forwarder_bytes_total counter",
                "# TYPE podnet_forwarder_connections_active gauge", "# TYPE podnet_rootless_helper_up gauge");
    }

    @Test
    void theMetersGoWithTheBean() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RootlessMeters meters = registeredIn(registry);
        assertThat(registry.getMeters()).hasSize(6);

        meters.unregister();
        assertThat(registry.getMeters()).isEmpty();
    }
}
