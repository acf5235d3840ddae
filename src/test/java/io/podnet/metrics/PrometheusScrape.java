package io.podnet.metrics;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;

/**
 * The Prometheus registry Quarkus's extension serves /q/metrics from (3.33 still uses Micrometer's
 * simpleclient one), so a test sees the names the README promises, with their _total, _seconds and
 * _bucket suffixes, and not only Micrometer's dotted ids.
 */
@SuppressWarnings("deprecation")
final class PrometheusScrape {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /** A sample's value, or null when there is no such series; {@code labels} alternate name and value, in the exposed order. */
    Double sample(String name, String... labels) {
        String[] names = new String[labels.length / 2];
        String[] values = new String[labels.length / 2];
        for (int i = 0; i < names.length; i++) {
            names[i] = labels[2 * i];
            values[i] = labels[2 * i + 1];
        }
        return registry.getPrometheusRegistry().getSampleValue(name, names, values);
    }

    /** The text a scrape of /q/metrics would return. */
    String text() {
        return registry.scrape();
    }
}
