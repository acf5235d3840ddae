package io.podnet.operator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;

/** The operator's informers, named by their event source, for the health checks. */
final class Informers {
    record Named(String source, InformerHealthIndicator informer) {
    }

    private Informers() {
    }

    /** Event sources of a started operator that hold no informer at all (stopped and cleared, as JOSDK's stop leaves them). */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static List<String> emptySources(Operator operator) {
        List<String> empty = new ArrayList<>();
        if (!operator.getRuntimeInfo().isStarted()) {
            return empty;
        }
        for (var controller : operator.getRuntimeInfo().getRegisteredControllers()) {
            Map<String, InformerWrappingEventSourceHealthIndicator> sources = controller.getControllerHealthInfo()
                    .informerEventSourceHealthIndicators();
            sources.forEach((name, source) -> {
                if (source.informerHealthIndicators().isEmpty()) {
                    empty.add(name);
                }
            });
        }
        return empty;
    }

    /** Every informer of a started operator; none before it started. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    static List<Named> of(Operator operator) {
        List<Named> all = new ArrayList<>();
        var runtime = operator.getRuntimeInfo();
        if (!runtime.isStarted()) {
            return all;
        }
        for (var controller : runtime.getRegisteredControllers()) {
            Map<String, InformerWrappingEventSourceHealthIndicator> sources = controller.getControllerHealthInfo()
                    .informerEventSourceHealthIndicators();
            for (Map.Entry<String, InformerWrappingEventSourceHealthIndicator> source : sources.entrySet()) {
                Map<String, InformerHealthIndicator> informers = source.getValue().informerHealthIndicators();
                informers.values().forEach(i -> all.add(new Named(source.getKey(), i)));
            }
        }
        return all;
    }
}
