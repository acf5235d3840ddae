package io.podnet.apiserver;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.PodNetwork;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.kube.AgentProcess;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * Two agents (two packaged agent processes, two sandbox host namespaces, two node names) on one
 * real API server: each builds only its own node's PodNetworks, asks the server for them with a
 * field selector the server enforces, and never writes the other node's status or finalizer.
 * A PodNetwork of a node without an agent is left untouched.
 */
@RequiresRoot
@RequiresApiServer
class TwoNodesIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void eachAgentBuildsOnlyItsOwnNode() {
        LocalApiServer server = LocalApiServer.shared();
        // the server is shared with the other ITs, whose agents use the same service account
        java.time.Instant started = java.time.Instant.now();
        String ns = "two-" + UUID.randomUUID().toString().substring(0, 8);
        try (KubernetesClient admin = server.adminClient()) {
            Crds.apply(admin);
            Map<String, String> env = ChartRbac.agentEnvironment(server, admin);
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
            try (AgentProcess one = AgentProcess.start("node-1", env); AgentProcess two = AgentProcess.start("node-2", env)) {
                List<String> names = new ArrayList<>();
                for (String node : List.of("node-1", "node-2")) {
                    for (int i = 0; i < 3; i++) {
                        names.add(node + "-pn" + i);
                        admin.resource(PodNetworks.of(ns, node + "-pn" + i, node, "podnet")).create();
                    }
                }
                admin.resource(PodNetworks.of(ns, "node-3-pn", "node-3", "podnet")).create();

                await().atMost(TIMEOUT).until(() -> names.stream().allMatch(n -> ready(admin, ns, n)));
                for (AgentProcess agent : List.of(one, two)) {
                    AgentProcess other = agent == one ? two : one;
                    // the pods of this node hang off this node's bridge, and only those
                    Set<String> ports = bridgePorts(agent);
                    assertThat(ports).as("ports of %s's bridge", agent.node()).hasSize(3);
                    assertThat(bridgePorts(other)).doesNotContainAnyElementsOf(ports);
                    for (String name : names.stream().filter(n -> n.startsWith(agent.node())).toList()) {
                        PodNetwork pn = admin.resources(PodNetwork.class).inNamespace(ns).withName(name).get();
                        assertThat(ipJson("podnet-" + pn.getMetadata().getUid(), "addr", "show", "eth0").toString())
                                .contains(pn.getStatus().getInspect().getIpAddress());
                        // every event about it comes from its own node's agent (events are sent from a queue, after the status)
                        await().atMost(TIMEOUT).until(() -> !events(admin, ns, name).isEmpty());
                        assertThat(events(admin, ns, name)).allMatch(e -> e.getSource().getHost().equals(agent.node()));
                    }
                }
                PodNetwork orphan = admin.resources(PodNetwork.class).inNamespace(ns).withName("node-3-pn").get();
                assertThat(orphan.getStatus()).as("nobody wrote node-3's status").isNull();
                assertThat(orphan.getMetadata().getFinalizers()).as("nor its finalizer").isEmpty();
                assertThat(events(admin, ns, "node-3-pn")).isEmpty();

                // the server was asked for one node's PodNetworks at a time, on every watch
                Set<String> watchSelectors = new TreeSet<>();
                for (JsonNode e : server.auditEvents()) {
                    if (e.path("user").path("username").asText().equals(ChartRbac.serviceAccountUser())
                            && !java.time.Instant.parse(e.path("requestReceivedTimestamp").asText()).isBefore(started)
                            && e.path("verb").asText().equals("watch") && e.path("objectRef").path("resource").asText().equals("podnetworks")) {
                        String uri = e.path("requestURI").asText();
                        assertThat(uri).as("a watch of the agent").containsPattern("fieldSelector=spec\\.nodeName(%3D|=)node-[12]");
                        watchSelectors.add(uri.replaceAll(".*fieldSelector=spec\\.nodeName(%3D|=)(node-[0-9]+).*", "$2"));
                    }
                }
                assertThat(watchSelectors).containsExactly("node-1", "node-2");

                admin.resources(PodNetwork.class).inNamespace(ns).delete();
                await().atMost(TIMEOUT).until(() -> names.stream()
                        .allMatch(n -> admin.resources(PodNetwork.class).inNamespace(ns).withName(n).get() == null));
                assertThat(bridgePorts(one)).isEmpty();
                assertThat(bridgePorts(two)).isEmpty();
                assertThat(Files.exists(one.log())).isTrue();
            }
        }
    }

    private static boolean ready(KubernetesClient admin, String ns, String name) {
        PodNetwork pn = admin.resources(PodNetwork.class).inNamespace(ns).withName(name).get();
        return pn != null && pn.getStatus() != null
                && pn.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    /** The host-side veths enslaved to podnet0 in the agent's sandbox. */
    private static Set<String> bridgePorts(AgentProcess agent) {
        Set<String> out = new TreeSet<>();
        for (JsonNode link : ipJson(agent.sandbox().name(), "link", "show")) {
            if (link.path("master").asText().equals("podnet0")) {
                out.add(link.get("ifname").asText());
            }
        }
        return out;
    }

    private static List<Event> events(KubernetesClient admin, String ns, String name) {
        return admin.v1().events().inNamespace(ns).list().getItems().stream().filter(e -> name.equals(e.getInvolvedObject().getName()))
                .toList();
    }
}
