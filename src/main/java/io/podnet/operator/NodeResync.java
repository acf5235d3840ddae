package io.podnet.operator;

import java.util.concurrent.ScheduledExecutorService;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.podnet.engine.PodNetworkEngine;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * The node-wide half of drift repair: every resync interval the engine checks what all pods
 * share (the firewall table) against what they need and restores it. Each PodNetwork's own
 * reconcile repairs its namespace, links and addresses on the same interval.
 */
@ApplicationScoped
public class NodeResync {
    private static final Logger LOG = Logger.getLogger(NodeResync.class);

    @Inject
    PodNetworkEngine engine;

    @Inject
    PodnetConfig config;

    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent event) {
        long period = Math.max(500, config.resyncInterval().toMillis());
        timer = PeriodicTask.start("podnet-node-resync", period, period, this::repairQuietly);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void repairQuietly() {
        try {
            engine.repairNode();
        } catch (RuntimeException e) {
            LOG.warnf("node resync failed: %s", e.getMessage());
        }
    }
}
