package io.podnet.operator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;

/** The operator's informer event sources and their informers, for the health checks. */
final class Informers {
    /** An event source by name, with its informers (none once JOSDK has stopped and cleared it). */
    record Source(String name, Collection<InformerHealthIndicator> informers) {
        /** Started, and no longer running: it will not watch again by itself. */
        boolean stopped() {
            return informers.isEmpty() || informers.stream().anyMatch(i -> !i.isRunning());
        }
    }

    private Informers() {
    }

    /** Every informer event source of a started operator; none before it started. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static List<Source> of(Operator operator) {
        List<Source> all = new ArrayList<>();
        if (!operator.getRuntimeInfo().isStarted()) {
            return all;
        }
        for (var controller : operator.getRuntimeInfo().getRegisteredControllers()) {
            Map<String, InformerWrappingEventSourceHealthIndicator> sources = controller.getControllerHealthInfo()
                    .informerEventSourceHealthIndicators();
            sources.forEach((name, source) -> all.add(new Source(name, source.informerHealthIndicators().values())));
        }
        return all;
    }
}
