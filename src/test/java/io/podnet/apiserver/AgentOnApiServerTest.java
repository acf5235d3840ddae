package io.podnet.apiserver;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.NetworkAttachment;
import io.podnet.api.PodNetwork;
import io.podnet.operator.PodNetworkReconciler;
import io.podnet.operator.SandboxHostResource;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.podnet.testing.kube.KubeBinaries;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The agent against a real kube-apiserver, running as the chart's ServiceAccount: create ->
 * Ready with the kernel's StatusBlock, a live change through real kubectl apply, a burst of spec
 * changes racing the agent's status writes, and delete -> nothing left.
 */
@QuarkusTest
@RequiresRoot
@RequiresApiServer
@WithTestResource(ApiServerAgentResource.class)
class AgentOnApiServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final String NODE = ApiServerAgentResource.NODE;
    private KubernetesClient admin;
    private String namespace;

    @BeforeEach
    void namespace() {
        admin = LocalApiServer.shared().adminClient();
        namespace = "agent-" + UUID.randomUUID().toString().substring(0, 8);
        admin.namespaces().resource(new io.fabric8.kubernetes.api.model.NamespaceBuilder().withNewMetadata().withName(namespace)
                .endMetadata().build()).create();
    }

    @AfterEach
    void deleteAll() {
        admin.resources(PodNetwork.class).inNamespace(namespace).delete();
        await().atMost(TIMEOUT).until(() -> admin.resources(PodNetwork.class).inNamespace(namespace).list().getItems().isEmpty());
        admin.close();
    }

    private PodNetwork podNetwork(String name, String... networks) {
        return PodNetworks.of(namespace, name, NODE, networks);
    }

    private PodNetwork get(String name) {
        return admin.resources(PodNetwork.class).inNamespace(namespace).withName(name).get();
    }

    private PodNetwork awaitReadyAtNewestGeneration(String name) {
        await().atMost(TIMEOUT).until(() -> {
            PodNetwork pn = get(name);
            return pn != null && pn.getStatus() != null && pn.getMetadata().getGeneration().equals(pn.getStatus().getObservedGeneration())
                    && ready(pn).map(c -> c.getStatus().equals("True")).orElse(false);
        });
        return get(name);
    }

    private static java.util.Optional<Condition> ready(PodNetwork pn) {
        return pn.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst();
    }

    @Test
    void createBecomesReadyAndDeleteLeavesNothing() {
        admin.resource(podNetwork("web", "podnet")).create();
        PodNetwork pn = awaitReadyAtNewestGeneration("web");
        String uid = pn.getMetadata().getUid();
        String netns = SandboxHostResource.netnsDir.resolve("podnet-" + uid).toString();
        assertThat(pn.getMetadata().getFinalizers()).containsExactly(PodNetworkReconciler.FINALIZER);
        String mac = pn.getStatus().getNetworks().get("podnet").getInterfaces().get("eth0").getMacAddress();
        assertThat(ipJson(netns, "link", "show", "eth0").get(0).get("address").asText()).isEqualTo(mac);
        String ip = pn.getStatus().getInspect().getIpAddress();
        assertThat(ipJson(netns, "addr", "show", "eth0").toString()).contains("\"" + ip + "\"");
        // the agent's event, written with the chart's RBAC
        await().atMost(TIMEOUT).until(() -> events("web").stream().anyMatch(e -> e.getReason().equals("Ready")
                && e.getInvolvedObject().getUid().equals(uid)));

        admin.resource(pn).delete();
        await().atMost(TIMEOUT).until(() -> get("web") == null);
        assertThat(Path.of(netns)).doesNotExist();
        assertThat(SandboxHostResource.runDir.resolve("state/pods").resolve(uid + ".json")).doesNotExist();
        assertThat(ipJson(SandboxHostResource.sandbox.name(), "link", "show").toString()).doesNotContain("\"pn");

        // the chart's RBAC allowed every call the agent made on PodNetworks (the audit log has them all)
        List<com.fasterxml.jackson.databind.JsonNode> calls = LocalApiServer.shared().auditEvents().stream()
                .filter(e -> e.path("user").path("username").asText().equals(ChartRbac.serviceAccountUser())).toList();
        java.util.Set<String> kinds = new java.util.TreeSet<>();
        calls.forEach(e -> kinds.add(e.path("verb").asText() + " " + e.path("objectRef").path("resource").asText()
                + (e.path("objectRef").has("subresource") ? "/" + e.path("objectRef").path("subresource").asText() : "")
                + " -> " + e.path("responseStatus").path("code").asInt()));
        System.out.println("the agent's calls on podnet.io: " + kinds);
        assertThat(calls).isNotEmpty().noneMatch(e -> e.path("responseStatus").path("code").asInt() == 403);
    }

    @Test
    void kubectlApplyOfAnAddedNetworkConnectsItAndKeepsTheFirst() throws Exception {
        Path kubeconfig = LocalApiServer.shared().kubeconfig("admin", LocalApiServer.shared().adminToken());
        Path manifest = Files.createTempFile("podnet-apply", ".yaml");
        try {
            Files.writeString(manifest, manifest("live", "[{name: podnet}]"));
            kubectl(kubeconfig, "apply", "-f", manifest.toString());
            PodNetwork before = awaitReadyAtNewestGeneration("live");
            String eth0Mac = before.getStatus().getNetworks().get("podnet").getInterfaces().get("eth0").getMacAddress();

            Files.writeString(manifest, manifest("live", "[{name: podnet}, {name: backend}]"));
            kubectl(kubeconfig, "apply", "-f", manifest.toString());
            PodNetwork after = awaitReadyAtNewestGeneration("live");
            // the real server replaced the list (the mock appended: podnet twice)
            assertThat(after.getSpec().getNetworks()).extracting(NetworkAttachment::getName).containsExactly("podnet", "backend");
            await().atMost(TIMEOUT).until(() -> get("live").getStatus().getNetworks().containsKey("backend"));
            after = get("live");
            assertThat(after.getStatus().getNetworks().get("podnet").getInterfaces().get("eth0").getMacAddress()).isEqualTo(eth0Mac);
            assertThat(after.getStatus().getNetworks().get("backend").getInterfaces()).containsKey("eth1");
            assertThat(ipJson(SandboxHostResource.netnsDir.resolve("podnet-" + after.getMetadata().getUid()).toString(), "link", "show", "eth1")).hasSize(1);
        } finally {
            Files.deleteIfExists(manifest);
        }
    }

    @Test
    void statusEndsAtTheNewestGenerationWhenSpecChangesRaceTheAgent() {
        admin.resource(podNetwork("race", "podnet")).create();
        awaitReadyAtNewestGeneration("race");
        // ten spec changes as fast as the server takes them (merge patches, as kubectl sends them, with no
        // resourceVersion), while the agent writes the status of each generation it sees
        for (int i = 0; i < 10; i++) {
            admin.resources(PodNetwork.class).inNamespace(namespace).withName("race").patch(
                    io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
                    "{\"spec\": {\"dns\": {\"searches\": [\"round" + i + ".example\"]}}}");
        }
        PodNetwork last = awaitReadyAtNewestGeneration("race");
        assertThat(last.getMetadata().getGeneration()).isGreaterThanOrEqualTo(11L);
        List<String> agentConflicts = LocalApiServer.shared().auditEvents().stream()
                .filter(e -> e.path("user").path("username").asText().startsWith("system:serviceaccount:"))
                .filter(e -> e.path("objectRef").path("name").asText().equals("race"))
                .filter(e -> e.path("responseStatus").path("code").asInt() == 409)
                .map(e -> e.path("verb").asText() + " " + e.path("objectRef").path("subresource").asText()).toList();
        System.out.println("agent requests answered 409 Conflict during the race: " + agentConflicts);
        Path resolvConf = Path.of(last.getStatus().getResolvConfPath());
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(Files.readString(resolvConf)).contains("round9.example"));
    }

    private String manifest(String name, String networks) {
        return """
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata: {name: %s, namespace: %s}
                spec: {nodeName: %s, networks: %s}
                """.formatted(name, namespace, NODE, networks);
    }

    private static void kubectl(Path kubeconfig, String... args) {
        List<String> command = new ArrayList<>(List.of(KubeBinaries.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        Shell.Result r = Shell.run(command.toArray(String[]::new));
        assertThat(r.ok()).as("kubectl %s: %s", String.join(" ", args), r.output()).isTrue();
    }

    private List<Event> events(String name) {
        return admin.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }
}
