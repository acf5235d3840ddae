package io.podnet.apiserver;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.NetnsSpec;
import io.podnet.api.NetnsType;
import io.podnet.api.PodNetwork;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.operator.SandboxHostResource;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The agent enforces the node policy itself, on a real API server with no admission policy
 * binding for these namespaces: a namespace without the grant gets a refused condition and a
 * warning event and nothing is built; a namespace granted by label (read by the agent with the
 * chart's RBAC) joins; no PodNetwork joins a namespace podnet made for another one, by path or
 * through a process inside it; host ports outside the namespace's range are refused and random
 * ones land inside it.
 */
@QuarkusTest
@RequiresRoot
@RequiresApiServer
@WithTestResource(PolicyAgentResource.class)
class NodePolicyAgentOnApiServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private KubernetesClient admin;
    private final List<String> namespaces = new ArrayList<>();
    private final List<AutoCloseable> cleanups = new ArrayList<>();

    @BeforeEach
    void client() {
        admin = LocalApiServer.shared().adminClient();
    }

    @AfterEach
    void deleteAll() throws Exception {
        for (String ns : namespaces) {
            admin.resources(PodNetwork.class).inNamespace(ns).delete();
        }
        for (String ns : namespaces) {
            await().atMost(TIMEOUT).until(() -> admin.resources(PodNetwork.class).inNamespace(ns).list().getItems().isEmpty());
            admin.namespaces().withName(ns).delete();
        }
        for (AutoCloseable c : cleanups) {
            c.close();
        }
        admin.close();
    }

    private String namespace(Map<String, String> labels) {
        String name = "agentpol-" + UUID.randomUUID().toString().substring(0, 8);
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata().build()).create();
        namespaces.add(name);
        return name;
    }

    /** A namespace file of the test's own under the agent's netns dir (an allowed prefix), as a CRI sandbox would be. */
    private Netns target() {
        NetnsManager manager = new NetnsManager(SandboxHostResource.netnsDir);
        String name = "sandbox-" + UUID.randomUUID().toString().substring(0, 8);
        Netns ns = manager.createOrOpen(name);
        cleanups.add(() -> {
            ns.close();
            manager.delete(name);
        });
        return ns;
    }

    private PodNetwork create(String ns, String name, NetnsSpec netns, int... hostPorts) {
        PodNetwork pn = PodNetworks.of(ns, name, ApiServerAgentResource.NODE, "podnet");
        pn.getSpec().setNetns(netns);
        List<io.podnet.api.PortMappingSpec> ports = new ArrayList<>();
        for (int p : hostPorts) {
            io.podnet.api.PortMappingSpec m = new io.podnet.api.PortMappingSpec();
            m.setHostPort(p);
            m.setContainerPort(80);
            ports.add(m);
        }
        pn.getSpec().setPortMappings(ports);
        return admin.resource(pn).create();
    }

    private static NetnsSpec path(String file) {
        NetnsSpec s = new NetnsSpec();
        s.setType(NetnsType.Path);
        s.setPath(file);
        return s;
    }

    private static NetnsSpec pid(long pid) {
        NetnsSpec s = new NetnsSpec();
        s.setType(NetnsType.Pid);
        s.setPid((int) pid);
        return s;
    }

    private Condition awaitReady(String ns, String name) {
        await().atMost(TIMEOUT).until(() -> ready(ns, name) != null
                && admin.resources(PodNetwork.class).inNamespace(ns).withName(name).get().getStatus().getObservedGeneration() != null);
        return ready(ns, name);
    }

    private Condition ready(String ns, String name) {
        PodNetwork pn = admin.resources(PodNetwork.class).inNamespace(ns).withName(name).get();
        return pn == null || pn.getStatus() == null ? null
                : pn.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElse(null);
    }

    private void assertRefused(String ns, String name, String reason, String... mentioned) {
        Condition ready = awaitReady(ns, name);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo(reason);
        assertThat(ready.getMessage()).contains(mentioned);
        String uid = admin.resources(PodNetwork.class).inNamespace(ns).withName(name).get().getMetadata().getUid();
        await().atMost(TIMEOUT).until(() -> admin.v1().events().inNamespace(ns).list().getItems().stream()
                .anyMatch(e -> e.getType().equals("Warning") && e.getReason().equals(reason) && uid.equals(e.getInvolvedObject().getUid())));
    }

    @Test
    void aNamespaceWithoutTheGrantIsRefusedByTheAgentAndNothingIsBuilt() {
        String ns = namespace(Map.of());
        Netns sandbox = target();
        create(ns, "join", path(sandbox.path().toString()));
        // stored: no admission policy binds these namespaces, so the agent is the one that refuses
        assertThat(admin.resources(PodNetwork.class).inNamespace(ns).withName("join").get()).isNotNull();
        assertRefused(ns, "join", "NetnsJoinNotGranted", "namespace " + ns, "netns.type Path");
        assertThat(ipJson(sandbox.path().toString(), "link", "show").toString()).doesNotContain("eth0");
    }

    @Test
    void aNamespaceGrantedByItsLabelJoins() {
        String ns = namespace(Map.of(PolicyAgentResource.JOIN_LABEL, "yes"));
        Netns sandbox = target();
        create(ns, "join", path(sandbox.path().toString()));
        assertThat(awaitReady(ns, "join").getStatus()).isEqualTo("True");
        assertThat(ipJson(sandbox.path().toString(), "link", "show", "eth0")).hasSize(1);
    }

    @Test
    void aPodNetworkCannotJoinANamespaceAnotherPodNetworkCreated() throws Exception {
        String ns = namespace(Map.of(PolicyAgentResource.JOIN_LABEL, "yes"));
        PodNetwork owner = create(ns, "owner", null);
        assertThat(awaitReady(ns, "owner").getStatus()).isEqualTo("True");
        String ownerNetns = SandboxHostResource.netnsDir.resolve("podnet-" + owner.getMetadata().getUid()).toString();

        create(ns, "by-path", path(ownerNetns));
        assertRefused(ns, "by-path", "NetnsOwnedByAnotherPodNetwork", ns + "/owner");

        Process inside = new ProcessBuilder("nsenter", "--net=" + ownerNetns, "sleep", "120").start();
        cleanups.add(() -> {
            inside.destroyForcibly();
            inside.waitFor();
        });
        create(ns, "by-pid", pid(inside.pid()));
        assertRefused(ns, "by-pid", "NetnsOwnedByAnotherPodNetwork", ns + "/owner");
        // the owner still has its one interface
        assertThat(ipJson(ownerNetns, "link", "show").toString()).contains("eth0").doesNotContain("eth1");
    }

    @Test
    void hostPortsOutsideTheNamespacesRangeAreRefused() {
        String ns = namespace(Map.of(PolicyAgentResource.PORTS_LABEL, "yes"));
        create(ns, "outside", null, 30010);
        assertRefused(ns, "outside", "HostPortNotGranted", "tcp/30010", "30000-30009");
        create(ns, "inside", null, 30005);
        assertThat(awaitReady(ns, "inside").getStatus()).isEqualTo("True");
        create(ns, "random", null, 0);
        assertThat(awaitReady(ns, "random").getStatus()).isEqualTo("True");
        assertThat(admin.resources(PodNetwork.class).inNamespace(ns).withName("random").get().getStatus().getPorts())
                .singleElement().satisfies(p -> assertThat(p.getHostPort()).isBetween(30000, 30009));

        String other = namespace(Map.of());
        create(other, "ungranted", null, 30006);
        assertRefused(other, "ungranted", "HostPortNotGranted", "namespace " + other, "granted: none");
    }
}
