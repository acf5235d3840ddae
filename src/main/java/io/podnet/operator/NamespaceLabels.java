package io.podnet.operator;

import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.policy.NodePolicy;
import io.podnet.policy.Tenant;

/**
 * The tenant of a PodNetwork for the node policy: its namespace, with that namespace's labels
 * when a grant selects namespaces by label (else the agent never reads namespaces, and the chart
 * does not let it). Labels come from a Namespace informer started on first use, so a resync of
 * many PodNetworks costs no request; a namespace the informer has not seen yet is read once. A
 * namespace that does not exist as an object (the embedded API holds PodNetworks in namespaces
 * nobody created) has no labels but its name.
 */
@Singleton
public class NamespaceLabels {
    private static final Logger LOG = Logger.getLogger(NamespaceLabels.class);

    @Inject
    KubernetesClient client;

    @Inject
    NodePolicy policy;

    private SharedIndexInformer<Namespace> informer;

    public Tenant tenantOf(String namespace) {
        if (!policy.selectsByLabels()) {
            return Tenant.named(namespace);
        }
        Namespace ns = cached(namespace);
        if (ns == null) {
            try {
                ns = client.namespaces().withName(namespace).get();
            } catch (KubernetesClientException e) {
                throw new SetupFailedException(Stage.NETNS, "NamespaceLabelsUnavailable", "the node policy selects namespaces by label,"
                        + " and namespace " + namespace + " cannot be read (" + e.getCode() + " " + e.getMessage()
                        + "); the agent needs get, list and watch on namespaces", e);
            }
        }
        Map<String, String> labels = ns == null || ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
        return new Tenant(namespace, labels);
    }

    private synchronized Namespace cached(String namespace) {
        if (informer == null) {
            try {
                informer = client.namespaces().inform();
            } catch (KubernetesClientException e) {
                LOG.warnf("cannot watch namespaces for the node policy's label selectors (%s); reading them one by one", e.getMessage());
                return null;
            }
        }
        return informer.getStore().getByKey(namespace);
    }

    @PreDestroy
    synchronized void stop() {
        if (informer != null) {
            informer.close();
        }
    }
}
