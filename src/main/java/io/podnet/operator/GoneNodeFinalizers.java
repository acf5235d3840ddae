package io.podnet.operator;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.podnet.api.PodNetwork;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * A node that is gone must not leave its PodNetworks stuck in Terminating. Every agent renews its
 * node's lease; every agent also looks for PodNetworks of other nodes that are being deleted and
 * still hold podnet's finalizer, and removes it, with a Warning event, once their node's lease
 * has gone unrenewed for {@code podnet.node-gone.grace} (or, with no lease, once the deletion is
 * that old). Only the finalizer goes: whatever the gone node's kernel held goes with the node.
 */
@ApplicationScoped
public class GoneNodeFinalizers {
    private static final Logger LOG = Logger.getLogger(GoneNodeFinalizers.class);

    @Inject
    KubernetesClient client;

    @Inject
    PodnetConfig config;

    @Inject
    NodeLeases leases;

    @Inject
    EventRecorder events;

    private ScheduledExecutorService timer;

    void start(@Observes StartupEvent event) {
        // renew several times within the grace, and no less often than the resync
        long period = Math.max(1000, Math.min(config.resyncInterval().toMillis(), config.nodeGone().grace().toMillis() / 4));
        timer = PeriodicTask.start("podnet-node-lease", 0, period, this::runQuietly);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void runQuietly() {
        Instant now = Instant.now();
        try {
            leases.renewOwn(now);
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot renew the lease of node %s: %s", config.nodeName(), e.getMessage());
        }
        try {
            release(now);
        } catch (KubernetesClientException e) {
            LOG.warnf("cannot look for PodNetworks of gone nodes: %s", e.getMessage());
        }
    }

    /** Removes the finalizer of every deleting PodNetwork whose node is gone; returns how many. */
    int release(Instant now) {
        Duration grace = config.nodeGone().grace();
        Map<String, Instant> renewed = null;
        int released = 0;
        for (PodNetwork pn : client.resources(PodNetwork.class).inAnyNamespace().list().getItems()) {
            List<String> finalizers = pn.getMetadata().getFinalizers();
            String node = pn.getSpec() == null ? null : pn.getSpec().getNodeName();
            if (pn.getMetadata().getDeletionTimestamp() == null || finalizers == null || !finalizers.contains(PodNetworkReconciler.FINALIZER)
                    || node == null || node.equals(config.nodeName())) {
                continue;
            }
            if (renewed == null) {
                renewed = leases.lastRenewals();
            }
            Instant lastSeen = renewed.getOrDefault(node, Instant.parse(pn.getMetadata().getDeletionTimestamp()));
            if (lastSeen.plus(grace).isAfter(now)) {
                continue;
            }
            if (removeFinalizer(pn, finalizers.indexOf(PodNetworkReconciler.FINALIZER))) {
                released++;
                String message = "node " + node + " is gone: its agent has not renewed its lease since " + lastSeen + " (grace " + grace
                        + "); finalizer " + PodNetworkReconciler.FINALIZER + " removed by the agent of node " + config.nodeName()
                        + " without tearing down that node's networking";
                LOG.warnf("%s/%s: %s", pn.getMetadata().getNamespace(), pn.getMetadata().getName(), message);
                events.warning(pn, "NodeGone", message);
            }
        }
        return released;
    }

    /** A JSON patch that removes exactly that entry, or fails when the list changed meanwhile (another agent was quicker). */
    private boolean removeFinalizer(PodNetwork pn, int index) {
        String patch = "[{\"op\": \"test\", \"path\": \"/metadata/finalizers/" + index + "\", \"value\": \"" + PodNetworkReconciler.FINALIZER
                + "\"}, {\"op\": \"remove\", \"path\": \"/metadata/finalizers/" + index + "\"}]";
        try {
            client.resources(PodNetwork.class).inNamespace(pn.getMetadata().getNamespace()).withName(pn.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON), patch);
            return true;
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404 || e.getCode() == 422) {
                return false; // gone already, or another agent removed it first
            }
            throw e;
        }
    }
}
