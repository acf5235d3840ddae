package io.podnet.operator;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.PodNetwork;
import io.podnet.engine.PodNetworkEngine;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Removes the networking of pods whose PodNetwork is gone (deleted while the agent was down, or
 * whose finalizer was removed by hand). Runs once at start, before the operator reconciles
 * anything (so a restarted agent never adopts a dead pod's namespace), then every six resync
 * intervals.
 */
@ApplicationScoped
public class OrphanCollector {
    private static final Logger LOG = Logger.getLogger(OrphanCollector.class);

    @Inject
    KubernetesClient client;

    @Inject
    PodNetworkEngine engine;

    @Inject
    PodnetConfig config;

    private ScheduledExecutorService timer;

    void start(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        collectQuietly();
        long period = Math.max(1000, config.resyncInterval().multipliedBy(6).toMillis());
        timer = PeriodicTask.start("podnet-orphan-collector", period, period, this::collectQuietly);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void collectQuietly() {
        try {
            collect();
        } catch (RuntimeException e) {
            LOG.warnf("looking for orphaned pod networks failed: %s", e.getMessage());
        }
    }

    /** Tears down every pod the engine knows whose PodNetwork no longer exists on this node. */
    public int collect() {
        // read the engine's pods before listing: a pod created after the list cannot be taken for an orphan
        Set<String> known = new HashSet<>(engine.knownPods());
        if (known.isEmpty()) {
            return 0;
        }
        Set<String> live = new HashSet<>();
        for (PodNetwork pn : client.resources(PodNetwork.class).inAnyNamespace()
                .withField("spec.nodeName", config.nodeName()).list().getItems()) {
            if (PodNetworkReconciler.isForNode(pn, config.nodeName())) {
                live.add(pn.getMetadata().getUid());
            }
        }
        known.removeAll(live);
        for (String id : known) {
            LOG.infof("removing the networking of pod %s: its PodNetwork is gone", id);
            engine.teardown(id);
        }
        return known.size();
    }
}
