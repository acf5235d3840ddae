package io.podnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.PodNetwork;
import io.podnet.operator.PodNetworkReconciler;
import io.podnet.packaging.RemoveFinalizersScriptTest;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.kube.KubeBinaries;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * helm/podnet/files/remove-finalizers.sh with real kubectl against the real API server: it takes
 * podnet's finalizer, and only podnet's, off the deleting PodNetworks of the node it is given, and
 * leaves the others alone.
 */
@RequiresApiServer
class RemoveFinalizersOnApiServerTest {
    @Test
    void theScriptReleasesOnlyTheDeletingPodNetworksOfTheGoneNode() throws Exception {
        LocalApiServer server = LocalApiServer.shared();
        String ns = "finalizers-" + UUID.randomUUID().toString().substring(0, 8);
        try (KubernetesClient admin = server.adminClient()) {
            Crds.apply(admin);
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            PodNetwork stuck = PodNetworks.of(ns, "stuck", "gone-node");
            stuck.getMetadata().setFinalizers(List.of("example.com/keep", PodNetworkReconciler.FINALIZER));
            PodNetwork live = PodNetworks.of(ns, "live", "gone-node");
            live.getMetadata().setFinalizers(List.of(PodNetworkReconciler.FINALIZER));
            PodNetwork elsewhere = PodNetworks.of(ns, "elsewhere", "other-node");
            elsewhere.getMetadata().setFinalizers(List.of(PodNetworkReconciler.FINALIZER));
            for (PodNetwork pn : List.of(stuck, live, elsewhere)) {
                admin.resource(pn).create();
            }
            admin.resources(PodNetwork.class).inNamespace(ns).withName("stuck").delete();
            admin.resources(PodNetwork.class).inNamespace(ns).withName("elsewhere").delete();

            ProcessBuilder script = new ProcessBuilder("sh", RemoveFinalizersScriptTest.SCRIPT.toString(), "--node", "gone-node", "--terminating")
                    .redirectErrorStream(true);
            script.environment().put("KUBECTL", KubeBinaries.kubectl().toString());
            script.environment().put("KUBECONFIG", server.kubeconfig("admin", server.adminToken()).toString());
            Process p = script.start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(p.getInputStream().readAllBytes());
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(out).contains("removed " + PodNetworkReconciler.FINALIZER + " from podnetwork " + ns + "/stuck (node gone-node)")
                    .contains("1 podnetwork(s) changed, 0 failed");

            // the other finalizer stays, so the object is still there to look at
            assertThat(admin.resources(PodNetwork.class).inNamespace(ns).withName("stuck").get().getMetadata().getFinalizers())
                    .containsExactly("example.com/keep");
            // not deleting, or another node's: untouched
            assertThat(admin.resources(PodNetwork.class).inNamespace(ns).withName("live").get().getMetadata().getFinalizers())
                    .containsExactly(PodNetworkReconciler.FINALIZER);
            assertThat(admin.resources(PodNetwork.class).inNamespace(ns).withName("elsewhere").get().getMetadata().getFinalizers())
                    .containsExactly(PodNetworkReconciler.FINALIZER);

            for (String name : List.of("stuck", "live", "elsewhere")) {
                admin.resources(PodNetwork.class).inNamespace(ns).withName(name).edit(pn -> {
                    pn.getMetadata().setFinalizers(List.of());
                    return pn;
                });
            }
            admin.resources(PodNetwork.class).inNamespace(ns).delete();
        }
    }
}
