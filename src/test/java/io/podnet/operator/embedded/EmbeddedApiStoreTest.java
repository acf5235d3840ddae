package io.podnet.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkStatus;
import io.podnet.testing.PodNetworks;

/**
 * The embedded API keeps its objects in its store directory: a new server on the same directory
 * (the agent restarted, cleanly or after kill -9) answers with the same objects, UIDs, finalizers,
 * deletion marks and status, and goes on from there with higher resourceVersions.
 */
class EmbeddedApiStoreTest {
    @Test
    void aRestartedServerHasTheSameObjectsAndGoesOnFromThem(@TempDir Path dir) {
        Path store = dir.resolve("store");
        String keptUid;
        String leavingUid;
        try (EmbeddedApiServer api = EmbeddedApiServer.start(0, dir.resolve("kubeconfig"), store);
                KubernetesClient client = client(api)) {
            PodNetwork kept = PodNetworks.of("default", "kept", "node-1", "podnet");
            kept.getMetadata().setLabels(Map.of("app", "web"));
            kept.getMetadata().setFinalizers(List.of("podnet.io/network"));
            kept = client.resource(kept).create();
            kept.setStatus(new PodNetworkStatus());
            kept.getStatus().setPhase("Ready");
            kept.getStatus().setConditions(List.of(new ConditionBuilder().withType("Ready").withStatus("True").withReason("Ready").build()));
            kept = client.resource(kept).updateStatus();
            keptUid = kept.getMetadata().getUid();

            PodNetwork leaving = PodNetworks.of("default", "leaving", "node-1", "podnet");
            leaving.getMetadata().setFinalizers(List.of("podnet.io/network"));
            leavingUid = client.resource(leaving).create().getMetadata().getUid();
            client.resources(PodNetwork.class).inNamespace("default").withName("leaving").delete(); // held by its finalizer

            client.resource(PodNetworks.of("default", "gone", "node-1", "podnet")).create();
            client.resources(PodNetwork.class).inNamespace("default").withName("gone").delete();
        }
        assertThat(store.resolve(keptUid + ".json")).exists();

        try (EmbeddedApiServer api = EmbeddedApiServer.start(0, dir.resolve("kubeconfig"), store);
                KubernetesClient client = client(api)) {
            var podNetworks = client.resources(PodNetwork.class).inNamespace("default");
            assertThat(podNetworks.list().getItems()).extracting(p -> p.getMetadata().getName()).containsExactlyInAnyOrder("kept", "leaving");

            PodNetwork kept = podNetworks.withName("kept").get();
            assertThat(kept.getMetadata().getUid()).isEqualTo(keptUid);
            assertThat(kept.getMetadata().getLabels()).containsEntry("app", "web");
            assertThat(kept.getMetadata().getFinalizers()).containsExactly("podnet.io/network");
            assertThat(kept.getStatus().getPhase()).isEqualTo("Ready");
            assertThat(kept.getStatus().getConditions()).extracting(Condition::getReason).containsExactly("Ready");
            assertThat(kept.getSpec().getNodeName()).isEqualTo("node-1");
            assertThat(podNetworks.withLabel("app", "web").list().getItems()).hasSize(1);

            PodNetwork leaving = podNetworks.withName("leaving").get();
            assertThat(leaving.getMetadata().getUid()).isEqualTo(leavingUid);
            assertThat(leaving.getMetadata().getDeletionTimestamp()).as("still being deleted").isNotNull();

            // the finalizer's release deletes it, as before the restart
            leaving.getMetadata().setFinalizers(List.of());
            client.resource(leaving).update();
            assertThat(podNetworks.withName("leaving").get()).isNull();
            assertThat(store.resolve(leavingUid + ".json")).doesNotExist();

            kept.getMetadata().setLabels(Map.of("app", "db"));
            long updated = Long.parseLong(client.resource(kept).update().getMetadata().getResourceVersion());
            assertThat(updated).as("resourceVersions go on increasing").isGreaterThan(restoredVersions(podNetworks.list().getItems(), updated));
            assertThat(podNetworks.withName("kept").get().getMetadata().getUid()).isEqualTo(keptUid);
        }
    }

    @Test
    void aStartWithAnEmptyStoreDirectoryIsEmpty(@TempDir Path dir) throws Exception {
        try (EmbeddedApiServer api = EmbeddedApiServer.start(0, dir.resolve("kubeconfig"), dir.resolve("a"));
                KubernetesClient client = client(api)) {
            client.resource(PodNetworks.of("default", "only-in-a", "node-1", "podnet")).create();
        }
        try (EmbeddedApiServer api = EmbeddedApiServer.start(0, dir.resolve("kubeconfig"), dir.resolve("b"));
                KubernetesClient client = client(api)) {
            assertThat(client.resources(PodNetwork.class).inAnyNamespace().list().getItems()).isEmpty();
            assertThat(client.namespaces().withName("default").get()).as("seeded again").isNotNull();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("a")))).isEqualTo("rwx------");
        try (var files = Files.list(dir.resolve("a"))) {
            assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.endsWith(".json"));
        }
    }

    /** The highest resourceVersion among the listed objects other than the one just updated. */
    private static long restoredVersions(List<PodNetwork> items, long except) {
        return items.stream().mapToLong(p -> Long.parseLong(p.getMetadata().getResourceVersion())).filter(v -> v != except).max().orElse(0);
    }

    private static KubernetesClient client(EmbeddedApiServer api) {
        return new KubernetesClientBuilder().withConfig(api.clientConfig()).build();
    }
}
