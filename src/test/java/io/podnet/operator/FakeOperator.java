package io.podnet.operator;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.RuntimeInfo;
import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.health.ControllerHealthInfo;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import io.javaoperatorsdk.operator.health.Status;

/**
 * A JOSDK operator that is never started: its runtime info says started or not as told and shows
 * one controller whose informer event sources report the states a test sets, through the same
 * indicators JOSDK's health info hands the health checks. No API server, no Quarkus.
 */
final class FakeOperator extends Operator {
    /** What one informer of an event source reports. */
    record Informer(boolean synced, boolean watching, boolean running) {
        static final Informer HEALTHY = new Informer(true, true, true);
        static final Informer NOT_SYNCED = new Informer(false, true, true);
        static final Informer NOT_WATCHING = new Informer(true, false, true);
        static final Informer STOPPED = new Informer(true, false, false);
    }

    private volatile boolean started = true;
    /** Event source name -> its informers (per namespace in JOSDK; a list is enough here). */
    private final Map<String, List<Informer>> sources = new LinkedHashMap<>();

    FakeOperator started(boolean started) {
        this.started = started;
        return this;
    }

    /** Sets the event source's informers; none is what JOSDK leaves once it has stopped and cleared the source. */
    synchronized FakeOperator source(String name, Informer... informers) {
        sources.put(name, List.of(informers));
        return this;
    }

    /** JOSDK's default builds a Kubernetes client (and its event loop thread) at once; this one never asks for it. */
    @Override
    protected ConfigurationService initConfigurationService(KubernetesClient client, Consumer<ConfigurationServiceOverrider> overrider) {
        return ConfigurationService.newOverriddenConfigurationService(unchanged -> {
        });
    }

    @Override
    public RuntimeInfo getRuntimeInfo() {
        FakeOperator operator = this;
        return new RuntimeInfo(this) {
            @Override
            public boolean isStarted() {
                return operator.started;
            }

            @Override
            public Set<RegisteredController> getRegisteredControllers() {
                return Set.of(operator.controller());
            }
        };
    }

    private synchronized RegisteredController<?> controller() {
        Map<String, InformerWrappingEventSourceHealthIndicator> indicators = new LinkedHashMap<>();
        sources.forEach((name, informers) -> indicators.put(name, source(informers)));
        ControllerHealthInfo health = new ControllerHealthInfo(null) {
            @Override
            public Map<String, InformerWrappingEventSourceHealthIndicator> informerEventSourceHealthIndicators() {
                return indicators;
            }
        };
        return new RegisteredController<>() {
            @Override
            public ControllerConfiguration getConfiguration() {
                throw new UnsupportedOperationException("the health checks read no controller configuration");
            }

            @Override
            public ControllerHealthInfo getControllerHealthInfo() {
                return health;
            }

            @Override
            public void changeNamespaces(Set<String> namespaces) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private static InformerWrappingEventSourceHealthIndicator<?> source(List<Informer> informers) {
        Map<String, InformerHealthIndicator> byNamespace = new LinkedHashMap<>();
        for (int i = 0; i < informers.size(); i++) {
            byNamespace.put("namespace-" + i, indicator(informers.get(i)));
        }
        return () -> byNamespace;
    }

    private static InformerHealthIndicator indicator(Informer informer) {
        return new InformerHealthIndicator() {
            @Override
            public boolean hasSynced() {
                return informer.synced();
            }

            @Override
            public boolean isWatching() {
                return informer.watching();
            }

            @Override
            public boolean isRunning() {
                return informer.running();
            }

            @Override
            public String getTargetNamespace() {
                return null;
            }

            @Override
            public Status getStatus() {
                return informer.equals(Informer.HEALTHY) ? Status.HEALTHY : Status.UNHEALTHY;
            }
        };
    }
}
