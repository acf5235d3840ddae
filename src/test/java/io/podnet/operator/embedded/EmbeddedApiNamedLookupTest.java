package io.podnet.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkStatus;
import io.podnet.testing.PodNetworks;

/**
 * The embedded API finds a named object through an index of names (NamedKeys) rather than by
 * testing every stored key: what it answers must still be exactly what the store holds, through
 * creates, status writes, deletes, re-creates under the same name and one name in two namespaces.
 */
class EmbeddedApiNamedLookupTest {
    @Test
    void namedReadsAndWritesAnswerWhatTheStoreHolds(@TempDir Path dir) {
        try (EmbeddedApiServer api = EmbeddedApiServer.start(0, dir.resolve("kubeconfig"), dir.resolve("store"));
                KubernetesClient client = new KubernetesClientBuilder().withConfig(api.clientConfig()).build()) {
            var a = client.resources(PodNetwork.class).inNamespace("a");
            var b = client.resources(PodNetwork.class).inNamespace("b");
            String inA = client.resource(PodNetworks.of("a", "web", "node-1", "podnet")).create().getMetadata().getUid();
            String inB = client.resource(PodNetworks.of("b", "web", "node-2", "podnet")).create().getMetadata().getUid();
            assertThat(a.withName("web").get().getSpec().getNodeName()).isEqualTo("node-1");
            assertThat(b.withName("web").get().getSpec().getNodeName()).isEqualTo("node-2");
            assertThatThrownBy(() -> client.resource(PodNetworks.of("a", "web", "node-1", "podnet")).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));

            PodNetwork web = a.withName("web").get();
            web.setStatus(new PodNetworkStatus());
            web.getStatus().setPhase("Ready");
            web.getStatus().setConditions(List.of(new ConditionBuilder().withType("Ready").withStatus("True").withReason("Ready").build()));
            client.resource(web).updateStatus();
            assertThat(a.withName("web").get().getStatus().getPhase()).isEqualTo("Ready");
            assertThat(b.withName("web").get().getStatus()).isNull();

            a.withName("web").delete();
            assertThat(a.withName("web").get()).isNull();
            assertThat(b.withName("web").get().getMetadata().getUid()).isEqualTo(inB);

            String again = client.resource(PodNetworks.of("a", "web", "node-3", "podnet")).create().getMetadata().getUid();
            assertThat(again).isNotEqualTo(inA);
            assertThat(a.withName("web").get().getSpec().getNodeName()).isEqualTo("node-3");
            assertThat(a.list().getItems()).hasSize(1);
            assertThat(client.resources(PodNetwork.class).inAnyNamespace().list().getItems()).hasSize(2);
        }
    }
}
