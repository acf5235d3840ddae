package io.podnet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podnet.testing.FakeEngine;

/** The README's podnet_dns_queries_total{result}: one series per result the engine reports, read when scraped. */
class DnsMetersTest {
    private final FakeEngine engine = new FakeEngine();

    private static Map<String, Long> counts(long answered, long forwarded, long refused) {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("answered", answered);
        m.put("nxdomain", 0L);
        m.put("forwarded", forwarded);
        m.put("failed", 0L);
        m.put("refused", refused);
        m.put("overloaded", 0L);
        m.put("malformed", 0L);
        return m;
    }

    private DnsMeters registeredIn(io.micrometer.core.instrument.MeterRegistry registry) {
        DnsMeters meters = new DnsMeters();
        meters.registry = registry;
        meters.engine = engine;
        meters.register(null);
        return meters;
    }

    @Test
    void eachResultIsASeriesReadFromTheEngineWhenScraped() {
        engine.dnsQueries(counts(0, 0, 0));
        PrometheusScrape prometheus = new PrometheusScrape();
        registeredIn(prometheus.registry);
        engine.dnsQueries(counts(12, 3, 1));

        assertThat(prometheus.sample("podnet_dns_queries_total", "result", "answered")).isEqualTo(12);
        assertThat(prometheus.sample("podnet_dns_queries_total", "result", "forwarded")).isEqualTo(3);
        assertThat(prometheus.sample("podnet_dns_queries_total", "result", "refused")).isEqualTo(1);
        assertThat(prometheus.sample("podnet_dns_queries_total", "result", "failed")).isZero();
        assertThat(prometheus.text()).contains("# TYPE podnet_dns_queries_total counter");
    }

    @Test
    void theMetersGoWithTheBean() {
        engine.dnsQueries(counts(0, 0, 0));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        DnsMeters meters = registeredIn(registry);
        assertThat(registry.getMeters()).hasSize(7);
        meters.unregister();
        assertThat(registry.getMeters()).isEmpty();
    }
}
