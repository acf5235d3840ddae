package io.podnet.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.podnet.api.PodNetwork;
import io.podnet.testing.PodNetworks;

/**
 * The embedded API's UIDs are random, as a cluster's are: the mock alone counts them up from zero
 * on every start, so a restarted agent would give a new PodNetwork an old one's UID (and podnet
 * names a pod's namespace and state after it).
 */
class EmbeddedApiUidsTest {
    @Test
    void createsGetRandomUidsThatTheStoreAndTheAnswerAgreeOnAcrossRestarts(@TempDir Path dir) {
        Set<String> seen = new HashSet<>();
        for (int start = 0; start < 2; start++) {
            try (EmbeddedApiServer api = EmbeddedApiServer.start(0, dir.resolve("kubeconfig-" + start), dir.resolve("store-" + start));
                    KubernetesClient client = new KubernetesClientBuilder().withConfig(api.clientConfig()).build()) {
                for (String name : List.of("a", "b")) {
                    PodNetwork created = client.resource(PodNetworks.of("default", name, "node-1", "podnet")).create();
                    String uid = created.getMetadata().getUid();
                    assertThat(UUID.fromString(uid).getMostSignificantBits()).as("not the mock's counter: %s", uid).isNotZero();
                    assertThat(client.resources(PodNetwork.class).inNamespace("default").withName(name).get().getMetadata().getUid())
                            .as("the stored object has the UID the create answered").isEqualTo(uid);
                    assertThat(seen.add(uid)).as("a UID given once: %s", uid).isTrue();
                }
            }
        }
        assertThat(seen).hasSize(4);
    }
}
