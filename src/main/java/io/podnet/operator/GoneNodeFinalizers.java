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
 * node's lease; every agent also reads the other nodes' leases, and for each node whose lease has
 * gone unrenewed for {@code podnet.node-gone.grace} lists that node's PodNetworks (a field selector
 * the server answers) and removes podnet's finalizer from those being deleted, with a Warning
 * event. The common case, no stale lease, costs one small list of leases and no PodNetwork list.
 * Only the finalizer goes: whatever the gone node's kernel held goes with the node. A node that
 * never had a lease (gone before its agent wrote one) is left to remove-finalizers.sh.
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
        } catch (RuntimeException e) {
            LOG.warnf("cannot renew the lease of node %s: %s", config.nodeName(), e.getMessage());
        }
        try {
            release(now);
        } catch (RuntimeException e) { // an exception would end the periodic task for good
            LOG.warnf("cannot look for PodNetworks of gone nodes: %s", e.getMessage());
        }
    }

    /** Removes the finalizer of every deleting PodNetwork whose node's lease is stale; returns how many. */
    int release(Instant now) {
        Duration grace = config.nodeGone().grace();
        int released = 0;
        for (Map.Entry<String, Instant> lease : leases.lastRenewals().entrySet()) {
            String node = lease.getKey();
            Instant lastSeen = lease.getValue();
            if (node.equals(config.nodeName()) || lastSeen.plus(grace).isAfter(now)) {
                continue;
            }
            for (PodNetwork pn : client.resources(PodNetwork.class).inAnyNamespace().withField(NodeFieldSelector.PATH, node).list()
                    .getItems()) {
                List<String> finalizers = pn.getMetadata().getFinalizers();
                // the server's selector, and this check for API servers that do not enforce it
                if (pn.getMetadata().getDeletionTimestamp() == null || finalizers == null
                        || !finalizers.contains(PodNetworkReconciler.FINALIZER) || !PodNetworkReconciler.isForNode(pn, node)) {
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
