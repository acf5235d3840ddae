package io.podnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkSpec;
import io.podnet.api.PodNetworkStatus;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * The chart's RBAC on a real API server, as the chart's ServiceAccount: every kind of call the
 * agent makes is allowed, and what the chart does not grant is refused (403).
 */
@RequiresApiServer
class ChartRbacOnApiServerTest {
    private static final String NS = "rbac-" + UUID.randomUUID().toString().substring(0, 8);
    private static KubernetesClient admin;
    private static KubernetesClient agent;

    @BeforeAll
    static void setUp() {
        LocalApiServer server = LocalApiServer.shared();
        admin = server.adminClient();
        Crds.apply(admin);
        agent = server.client(ChartRbac.agentToken(admin));
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        PodNetwork pn = new PodNetwork();
        pn.setMetadata(new ObjectMetaBuilder().withName("pn").withNamespace(NS).build());
        PodNetworkSpec spec = new PodNetworkSpec();
        spec.setNodeName("rbac-node");
        pn.setSpec(spec);
        admin.resource(pn).create();
    }

    @AfterAll
    static void tearDown() {
        if (admin != null) {
            admin.resources(PodNetwork.class).inNamespace(NS).withName("pn").edit(p -> {
                p.getMetadata().setFinalizers(List.of());
                return p;
            });
            admin.resources(PodNetwork.class).inNamespace(NS).delete();
            agent.close();
            admin.close();
        }
    }

    @Test
    void theAgentMayListAndWatchItsNodesPodNetworksInEveryNamespace() throws Exception {
        assertThat(agent.resources(PodNetwork.class).inAnyNamespace().withField("spec.nodeName", "rbac-node").list().getItems())
                .extracting(p -> p.getMetadata().getName()).containsExactly("pn");
        CountDownLatch added = new CountDownLatch(1);
        try (Watch w = agent.resources(PodNetwork.class).inAnyNamespace().withField("spec.nodeName", "rbac-node").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, PodNetwork resource) {
                added.countDown();
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            assertThat(added.await(20, TimeUnit.SECONDS)).as("the watch delivered the existing PodNetwork").isTrue();
        }
    }

    @Test
    void theAgentMayWriteStatusFinalizersAndEvents() {
        PodNetwork pn = agent.resources(PodNetwork.class).inNamespace(NS).withName("pn").get();
        PodNetworkStatus status = new PodNetworkStatus();
        status.setPhase("Pending");
        pn.setStatus(status);
        assertThat(agent.resource(pn).patchStatus().getStatus().getPhase()).isEqualTo("Pending");

        PodNetwork withFinalizer = agent.resources(PodNetwork.class).inNamespace(NS).withName("pn").edit(p -> {
            p.getMetadata().setFinalizers(List.of("podnet.io/finalizer"));
            return p;
        });
        assertThat(withFinalizer.getMetadata().getFinalizers()).containsExactly("podnet.io/finalizer");

        agent.v1().events().inNamespace(NS).resource(new EventBuilder().withNewMetadata().withGenerateName("pn.").endMetadata()
                .withNewInvolvedObject().withKind("PodNetwork").withApiVersion("podnet.io/v1alpha1").withName("pn").withNamespace(NS)
                .withUid(pn.getMetadata().getUid()).endInvolvedObject().withReason("Ready").withMessage("rbac test").withType("Normal")
                .build()).create();
        // the node's own events (bad network definition files) go where kubelet puts node events
        agent.v1().events().inNamespace("default").resource(new EventBuilder().withNewMetadata().withGenerateName("rbac-node.")
                .endMetadata().withNewInvolvedObject().withKind("Node").withApiVersion("v1").withName("rbac-node").endInvolvedObject()
                .withReason("NetworkDefinitionUnusable").withMessage("rbac test").withType("Warning").build()).create();
    }

    @Test
    void whatTheChartDoesNotGrantIsRefused() {
        PodNetwork other = new PodNetwork();
        other.setMetadata(new ObjectMetaBuilder().withName("created-by-agent").withNamespace(NS).build());
        PodNetworkSpec spec = new PodNetworkSpec();
        spec.setNodeName("rbac-node");
        other.setSpec(spec);
        assertForbidden(() -> agent.resource(other).create());
        assertForbidden(() -> agent.resources(PodNetwork.class).inNamespace(NS).withName("pn").delete());
        assertForbidden(() -> agent.secrets().inNamespace(NS).list());
        assertForbidden(() -> agent.pods().inAnyNamespace().list());
        assertForbidden(() -> agent.apiextensions().v1().customResourceDefinitions().list());
        assertThat(admin.resources(PodNetwork.class).inNamespace(NS).withName("pn").get()).as("still there").isNotNull();
    }

    private static void assertForbidden(Runnable call) {
        assertThatThrownBy(call::run).isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
    }
}
