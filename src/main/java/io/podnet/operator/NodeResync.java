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
 * The node-wide half of drift repair: every resync interval the engine reads the network
 * definitions again and checks what all pods share (the firewall table) against what they need
 * and restores it; changed definition files are announced as Node events. Each PodNetwork's own
 * reconcile repairs its namespace, links and addresses on the same interval.
 */
@ApplicationScoped
public class NodeResync {
    private static final Logger LOG = Logger.getLogger(NodeResync.class);

    @Inject
    PodNetworkEngine engine;

    @Inject
    PodnetConfig config;

    @Inject
    NetworkDefinitionEvents definitionEvents;

    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent event) {
        definitionEvents.announce();
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
        try {
            definitionEvents.announce(); // the engine read the networks dir again
        } catch (RuntimeException e) {
            LOG.warnf("network definition events not sent: %s", e.getMessage());
        }
    }
}
