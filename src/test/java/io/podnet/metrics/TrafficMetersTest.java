package io.podnet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.RequiredSearch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.podnet.engine.InterfaceCounters;
import io.podnet.testing.FakeEngine;

/**
 * podnet_interface_{receive,transmit}_{bytes,packets}_total{namespace,name,interface} (README,
 * Observability): one series per PodNetwork interface with the engine's counters, one netlink dump
 * (engine read) for a whole scrape, and the series gone with the PodNetwork.
 */
class TrafficMetersTest {
    private static final String WEB = "uid-web";
    private static final String DB = "uid-db";

    private final FakeEngine engine = new FakeEngine();
    /** The meters' clock; far from 0, as the system's monotonic clock is once a node is up. */
    private final AtomicLong now = new AtomicLong(3_600_000_000_000L);

    private TrafficMeters in(MeterRegistry registry) {
        TrafficMeters traffic = new TrafficMeters();
        traffic.registry = registry;
        traffic.engine = engine;
        traffic.nanoTime = now::get;
        return traffic;
    }

    private static double read(MeterRegistry registry, String metric, String name, String iface) {
        return series(registry, metric, name, iface).functionCounter().count();
    }

    private static RequiredSearch series(MeterRegistry registry, String metric, String name, String iface) {
        return registry.get(metric).tag("namespace", "default").tag("name", name).tag("interface", iface);
    }

    /** The Prometheus sample of the default/{@code name} PodNetwork's eth0 (labels in the order they are exposed). */
    private static Double eth0(PrometheusScrape prometheus, String metric, String name) {
        return prometheus.sample(metric, "interface", "eth0", "name", name, "namespace", "default");
    }

    @Test
    void eachInterfaceGetsFourCountersWithTheEnginesValues() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrafficMeters traffic = in(registry);
        engine.counting(Map.of(WEB, Map.of("eth0", new InterfaceCounters(1000, 2000, 10, 20), "eth1", new InterfaceCounters(1, 2, 3, 4))));
        traffic.track(WEB, "default", "web", Set.of("eth0", "eth1"));

        assertThat(read(registry, "podnet.interface.receive.bytes", "web", "eth0")).isEqualTo(1000);
        assertThat(read(registry, "podnet.interface.transmit.bytes", "web", "eth0")).isEqualTo(2000);
        assertThat(read(registry, "podnet.interface.receive.packets", "web", "eth0")).isEqualTo(10);
        assertThat(read(registry, "podnet.interface.transmit.packets", "web", "eth0")).isEqualTo(20);
        assertThat(read(registry, "podnet.interface.transmit.packets", "web", "eth1")).isEqualTo(4);
        assertThat(registry.getMeters()).hasSize(8);
    }

    @Test
    void aScrapeCostsOneEngineReadAndTheNextSecondsScrapeSeesNewValues() {
        PrometheusScrape prometheus = new PrometheusScrape();
        TrafficMeters traffic = in(prometheus.registry);
        engine.counting(Map.of(WEB, Map.of("eth0", new InterfaceCounters(100, 200, 1, 2)),
                DB, Map.of("eth0", new InterfaceCounters(7, 8, 9, 10))));
        traffic.track(WEB, "default", "web", Set.of("eth0"));
        traffic.track(DB, "default", "db", Set.of("eth0"));

        prometheus.text();
        assertThat(engine.counterReads()).isOne();
        assertThat(eth0(prometheus, "podnet_interface_receive_bytes_total", "web")).isEqualTo(100);
        assertThat(eth0(prometheus, "podnet_interface_transmit_packets_total", "db")).isEqualTo(10);

        engine.counting(Map.of(WEB, Map.of("eth0", new InterfaceCounters(150, 260, 2, 3))));
        now.addAndGet(500_000_000L); // within the second: the snapshot is reused
        assertThat(eth0(prometheus, "podnet_interface_receive_bytes_total", "web")).isEqualTo(100);
        now.addAndGet(600_000_000L);
        assertThat(eth0(prometheus, "podnet_interface_receive_bytes_total", "web")).isEqualTo(150);
        // db's link is gone from the dump: its counters read 0 until its PodNetwork goes
        assertThat(eth0(prometheus, "podnet_interface_transmit_packets_total", "db")).isZero();
        assertThat(engine.counterReads()).isEqualTo(2);
    }

    @Test
    void aForgottenPodNetworksSeriesAreGoneAndTheOthersStay() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrafficMeters traffic = in(registry);
        traffic.track(WEB, "default", "web", Set.of("eth0"));
        traffic.track(DB, "default", "db", Set.of("eth0"));

        traffic.forget(WEB);
        assertThat(registry.find("podnet.interface.receive.bytes").tag("name", "web").meters()).isEmpty();
        assertThat(registry.getMeters()).hasSize(4).allSatisfy(m -> assertThat(m.getId().getTag("name")).isEqualTo("db"));
    }

    @Test
    void anInterfaceThatGoesTakesItsSeriesWithIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TrafficMeters traffic = in(registry);
        traffic.track(WEB, "default", "web", Set.of("eth0", "eth1"));

        traffic.track(WEB, "default", "web", Set.of("eth0"));
        assertThat(registry.find("podnet.interface.receive.bytes").tag("interface", "eth1").meters()).isEmpty();
        assertThat(registry.get("podnet.interface.receive.bytes").functionCounters()).extracting(FunctionCounter::getId)
                .extracting(id -> id.getTag("interface")).containsExactly("eth0");
    }
}
