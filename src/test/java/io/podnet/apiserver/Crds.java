package io.podnet.apiserver;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;

/** The committed CRD (crds/), applied to the real API server once per run and awaited until Established. */
public final class Crds {
    static final Path FILE = Path.of("crds", "podnetworks.podnet.io-v1.yml");
    private static boolean applied;

    private Crds() {
    }

    public static synchronized void apply(KubernetesClient admin) {
        if (applied) {
            return;
        }
        CustomResourceDefinition crd;
        try (InputStream in = Files.newInputStream(FILE)) {
            crd = admin.apiextensions().v1().customResourceDefinitions().load(in).item();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        admin.resource(crd).forceConflicts().serverSideApply();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            CustomResourceDefinition got = admin.apiextensions().v1().customResourceDefinitions().withName(crd.getMetadata().getName()).get();
            return got != null && got.getStatus() != null && got.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
        });
        applied = true;
    }
}
