package io.podnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkSpec;
import io.podnet.operator.PodNetworkReconciler;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A node that is gone: the agent of node-a removes the finalizer of a deleted PodNetwork whose
 * node's lease went stale past the grace, with a NodeGone event, and leaves alone one whose
 * node still renews its lease. Everything through the chart's RBAC on a real API server.
 */
@QuarkusTest
@RequiresRoot
@RequiresApiServer
@WithTestResource(ApiServerAgentResource.class)
class GoneNodeOnApiServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aDeletedPodNetworkOfAGoneNodeLosesItsFinalizerAndOneOfALiveNodeKeepsIt() throws Exception {
        String ns = "gone-" + UUID.randomUUID().toString().substring(0, 8);
        ScheduledExecutorService aliveAgent = Executors.newSingleThreadScheduledExecutor();
        try (KubernetesClient admin = LocalApiServer.shared().adminClient()) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            // node-gone's agent renewed its lease an hour ago, node-alive's renews it now and then
            lease(admin, "node-gone", Instant.now().minus(Duration.ofHours(1)));
            aliveAgent.scheduleWithFixedDelay(() -> lease(admin, "node-alive", Instant.now()), 0, 1, TimeUnit.SECONDS);
            admin.resource(heldBy("on-gone-node", ns, "node-gone")).create();
            admin.resource(heldBy("on-live-node", ns, "node-alive")).create();
            admin.resources(PodNetwork.class).inNamespace(ns).withName("on-gone-node").delete();
            admin.resources(PodNetwork.class).inNamespace(ns).withName("on-live-node").delete();

            await().atMost(TIMEOUT).until(() -> admin.resources(PodNetwork.class).inNamespace(ns).withName("on-gone-node").get() == null);
            await().atMost(TIMEOUT).until(() -> admin.v1().events().inNamespace(ns).list().getItems().stream()
                    .anyMatch(e -> e.getReason().equals("NodeGone") && e.getInvolvedObject().getName().equals("on-gone-node")
                            && e.getMessage().contains("node-gone") && e.getMessage().contains(ApiServerAgentResource.NODE)));
            // this agent renews its own node's lease, through the chart's Role
            await().atMost(TIMEOUT).untilAsserted(() -> {
                var own = admin.leases().inNamespace(ChartRbac.NAMESPACE).withName("podnet-node-" + ApiServerAgentResource.NODE).get();
                assertThat(own).isNotNull();
                assertThat(own.getSpec().getHolderIdentity()).isEqualTo(ApiServerAgentResource.NODE);
                assertThat(own.getSpec().getRenewTime().toInstant()).isAfter(Instant.now().minus(ApiServerAgentResource.GRACE));
                assertThat(own.getMetadata().getLabels()).containsEntry("podnet.io/node-lease", "true");
            });
            // several grace periods later, the live node's PodNetwork still waits for its own agent
            Thread.sleep(ApiServerAgentResource.GRACE.multipliedBy(2).toMillis());
            PodNetwork waiting = admin.resources(PodNetwork.class).inNamespace(ns).withName("on-live-node").get();
            assertThat(waiting).isNotNull();
            assertThat(waiting.getMetadata().getFinalizers()).containsExactly(PodNetworkReconciler.FINALIZER);
        } finally {
            aliveAgent.shutdownNow();
            aliveAgent.awaitTermination(5, TimeUnit.SECONDS);
            try (KubernetesClient admin = LocalApiServer.shared().adminClient()) {
                admin.resources(PodNetwork.class).inNamespace(ns).withName("on-live-node").edit(p -> {
                    p.getMetadata().setFinalizers(List.of());
                    return p;
                });
                admin.leases().inNamespace(ChartRbac.NAMESPACE).withName("podnet-node-node-gone").delete();
                admin.leases().inNamespace(ChartRbac.NAMESPACE).withName("podnet-node-node-alive").delete();
            }
        }
    }

    private static PodNetwork heldBy(String name, String ns, String node) {
        PodNetwork pn = new PodNetwork();
        // the finalizer that node's agent would have added
        pn.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).withFinalizers(PodNetworkReconciler.FINALIZER).build());
        PodNetworkSpec spec = new PodNetworkSpec();
        spec.setNodeName(node);
        pn.setSpec(spec);
        return pn;
    }

    private static void lease(KubernetesClient admin, String node, Instant renewed) {
        admin.leases().inNamespace(ChartRbac.NAMESPACE).resource(new LeaseBuilder().withNewMetadata().withName("podnet-node-" + node)
                .withNamespace(ChartRbac.NAMESPACE).addToLabels("podnet.io/node-lease", "true").endMetadata()
                .withNewSpec().withHolderIdentity(node).withLeaseDurationSeconds(4).withRenewTime(renewed.atZone(ZoneOffset.UTC))
                .endSpec().build()).forceConflicts().serverSideApply();
    }
}
