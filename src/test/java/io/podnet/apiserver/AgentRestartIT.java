package io.podnet.apiserver;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.podnet.api.PodNetwork;
import io.podnet.engine.plan.KernelNames;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Sandbox;
import io.podnet.testing.Shell;
import io.podnet.testing.kube.AgentProcess;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * The packaged agent restarted on the same state dir, against a real API server. A restart
 * adopts what it built (the same namespace, interface, MAC, address and nftables elements, and
 * the same status), and a pod whose PodNetwork went for good while the agent was down (finalizer
 * removed, then deleted, so no agent saw the delete) loses its networking at start, before the
 * operator reconciles anything.
 */
@RequiresRoot
@RequiresApiServer
class AgentRestartIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NODE = "node-restart";
    /** OrphanCollector's line for a pod it tears down. */
    private static final String ORPHAN_LINE = "removing the networking of pod %s: its PodNetwork is gone";
    /** QOSDK's AppEventListener, right before it starts JOSDK's operator (and with it the informers and the reconciles). */
    private static final String OPERATOR_START_LINE = "Starting operator.";
    /** JOSDK's Controller, before it starts the controller's informer. */
    private static final String CONTROLLER_START_LINE = "Starting '" + io.podnet.operator.PodNetworkReconciler.NAME + "' controller";

    private final LocalApiServer server = LocalApiServer.shared();
    private final String ns = "restart-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> uids = new ArrayList<>();
    private KubernetesClient admin;
    private AgentProcess agent;

    @BeforeEach
    void startAgent() {
        admin = server.adminClient();
        Crds.apply(admin);
        Map<String, String> env = new HashMap<>(ChartRbac.agentEnvironment(server, admin));
        // JOSDK says at debug which resource it reconciles and how that ended: the tests wait for and order by it
        env.put("QUARKUS_LOG_CATEGORY__IO_JAVAOPERATORSDK_OPERATOR_PROCESSING_EVENT__LEVEL", "DEBUG");
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        agent = AgentProcess.start(NODE, env);
    }

    @AfterEach
    void cleanUp(TestInfo test) {
        boolean orderly = agent != null && agent.isAlive();
        try {
            if (orderly) {
                // the agent tears the pods down and lets their PodNetworks go
                admin.resources(PodNetwork.class).inNamespace(ns).delete();
                await().atMost(TIMEOUT).until(() -> admin.resources(PodNetwork.class).inNamespace(ns).list().getItems().isEmpty());
            }
        } finally {
            // whatever a failed test left: finalizers (no agent to remove them), the agent with its sandbox, pod namespaces
            for (PodNetwork pn : admin.resources(PodNetwork.class).inNamespace(ns).list().getItems()) {
                removeFinalizers(pn.getMetadata().getName());
            }
            admin.resources(PodNetwork.class).inNamespace(ns).delete();
            admin.namespaces().withName(ns).delete();
            Path sandbox = agent == null ? null : agent.sandbox().path();
            if (agent != null) {
                keepLogs(test);
                agent.close();
            }
            List<String> left = new ArrayList<>();
            for (String uid : uids) {
                if (Files.exists(Sandbox.NETNS_DIR.resolve(KernelNames.netns(uid)))) {
                    left.add(KernelNames.netns(uid));
                    Shell.run("ip", "netns", "delete", KernelNames.netns(uid));
                }
            }
            admin.close();
            if (orderly) {
                assertThat(left).as("pod namespaces the agent left behind").isEmpty();
                assertThat(sandbox).as("the agent's sandbox, and with it its veths, bridge and nftables table").doesNotExist();
                assertThat(agent.isAlive()).as("the agent process").isFalse();
            }
        }
    }

    /** The agent's logs, one a process, to target/failsafe-reports/ before close() deletes them: what a failure is read with. */
    private void keepLogs(TestInfo test) {
        try {
            Path reports = Files.createDirectories(Path.of("target", "failsafe-reports"));
            List<Path> logs = agent.logs();
            for (int i = 0; i < logs.size(); i++) {
                if (Files.exists(logs.get(i))) {
                    Files.copy(logs.get(i), reports.resolve(getClass().getSimpleName() + "." + test.getTestMethod().orElseThrow().getName()
                            + "-agent-" + i + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot keep the agent's logs: " + e); // the cleanup goes on
        }
    }

    @Test
    void aRestartedAgentAdoptsTheNamespaceInterfaceAddressAndFirewallElements() throws IOException {
        create("web", 18080, 80);
        PodNetwork before = awaitReady("web", 1);
        Kernel built = Kernel.of(agent, before);
        List<String> table = tableElements(agent);
        assertThat(built.elements()).as("nftables elements of the pod").anySatisfy(e -> assertThat(e).contains(built.uid()));
        // what the pod's workload made in its namespace: only that namespace has it (a new one may even get the old inode number)
        String netns = Path.of(built.netnsPath()).getFileName().toString();
        Shell.ok("ip", "-n", netns, "link", "add", "workload0", "type", "veth", "peer", "name", "workload1");

        agent.restart();
        // the new process has reconciled the pod, and without a failure: it found it built and took it as it was
        assertThat(awaitLine(reconcileFinishedLine("web"))).contains("runtimeException=null");
        PodNetwork after = awaitReady("web", before.getStatus().getObservedGeneration());

        Kernel adopted = Kernel.of(agent, after);
        assertThat(adopted.inode()).as("netns inode").isEqualTo(built.inode());
        assertThat(Shell.run("ip", "-n", netns, "link", "show", "workload0").ok()).as("the workload's veth: the same namespace").isTrue();
        assertThat(adopted.mac()).as("pod MAC").isEqualTo(built.mac());
        assertThat(adopted.addresses()).as("pod addresses").isEqualTo(built.addresses());
        assertThat(adopted.podIfindex()).as("pod interface index").isEqualTo(built.podIfindex());
        // the sandbox numbers links from a counter that only grows: the same index is the same veth, not a rebuilt one
        assertThat(adopted.hostIfindex()).as("host veth index").isEqualTo(built.hostIfindex());
        assertThat(adopted.elements()).as("the pod's nftables elements: the same, none added twice").isEqualTo(built.elements());
        assertThat(tableElements(agent)).as("every element of the table (the network's too)").isEqualTo(table);

        // the status says what it said: the same StatusBlock (interface, MAC, address), ports, namespace and conditions
        assertThat(after.getStatus().getInspect().getIpAddress()).isEqualTo(built.addresses().get(0).replaceAll("/.*", ""));
        assertThat(after.getStatus().getNetworks().get("podnet").getInterfaces().get("eth0").getMacAddress()).isEqualTo(built.mac());
        assertThat(Serialization.asJson(after.getStatus())).isEqualTo(Serialization.asJson(before.getStatus()));
    }

    @Test
    void aPodWhosePodNetworkWentWhileTheAgentWasDownIsRemovedBeforeAnyReconcile() throws IOException {
        create("gone", 18081, 81);
        create("kept", 18082, 82);
        Kernel gone = Kernel.of(agent, awaitReady("gone", 1));
        Kernel kept = Kernel.of(agent, awaitReady("kept", 1));
        List<String> table = tableElements(agent);
        assertThat(gone.elements()).as("nftables elements of the pod to go").isNotEmpty();

        agent.stop();
        // for good, with no agent to see it: the finalizer removed by hand, then the delete
        removeFinalizers("gone");
        admin.resources(PodNetwork.class).inNamespace(ns).withName("gone").delete();
        await().atMost(TIMEOUT).until(() -> admin.resources(PodNetwork.class).inNamespace(ns).withName("gone").get() == null);
        assertThat(Path.of(gone.netnsPath())).as("still there while the agent is down").exists();

        agent.restart();
        // ready means the informer has synced: the start-up collection is over
        assertThat(Path.of(gone.netnsPath())).doesNotExist();
        assertThat(hostLinks(agent)).doesNotContain(gone.hostVeth()).contains(kept.hostVeth());
        assertThat(tableElements(agent)).noneSatisfy(e -> assertThat(e).contains(gone.uid()));

        // the collector's line comes before the operator starts, and so before the kept pod's reconcile
        assertThat(awaitLine(reconcileFinishedLine("kept"))).contains("runtimeException=null");
        List<String> log = Files.readAllLines(agent.log());
        String whole = String.join("\n", log);
        int orphan = indexOf(log, ORPHAN_LINE.formatted(gone.uid()));
        int operator = indexOf(log, OPERATOR_START_LINE);
        int controller = indexOf(log, CONTROLLER_START_LINE);
        int keptReconcile = indexOf(log, reconcileLine("kept"));
        assertThat(orphan).as("the orphan line in\n%s", whole).isNotNegative();
        assertThat(operator).as("the operator start line in\n%s", whole).isNotNegative();
        assertThat(controller).as("the controller start line in\n%s", whole).isNotNegative();
        assertThat(orphan).as("the orphan is collected before the operator starts, in\n%s", whole).isLessThan(operator);
        // not a race won: both are written by the start-up thread, the collector's observer first (see OrphanCollector.start)
        assertThat(log.get(orphan)).contains("(main)");
        assertThat(log.get(operator)).contains("(main)");
        assertThat(operator).as("the operator starts the controller, in\n%s", whole).isLessThan(controller);
        assertThat(controller).as("the kept pod is reconciled once the controller started, in\n%s", whole).isLessThan(keptReconcile);
        assertThat(indexOf(log, ORPHAN_LINE.formatted(kept.uid()))).as("the kept pod is no orphan").isNegative();

        // the kept pod is adopted as it was, its elements with it
        PodNetwork keptAfter = awaitReady("kept", 1);
        Kernel keptAdopted = Kernel.of(agent, keptAfter);
        assertThat(keptAdopted.inode()).isEqualTo(kept.inode());
        assertThat(keptAdopted.mac()).isEqualTo(kept.mac());
        assertThat(keptAdopted.addresses()).isEqualTo(kept.addresses());
        assertThat(keptAdopted.elements()).isEqualTo(kept.elements());
        List<String> left = new ArrayList<>(table);
        left.removeAll(gone.elements());
        assertThat(tableElements(agent)).as("the table as it was, less the gone pod's elements").isEqualTo(left);
    }

    private void create(String name, int hostPort, int containerPort) {
        PodNetwork pn = PodNetworks.of(ns, name, NODE, "podnet");
        pn.getSpec().setPortMappings(List.of(PodNetworks.port(hostPort, containerPort, "tcp", 1)));
        uids.add(admin.resource(pn).create().getMetadata().getUid());
    }

    private PodNetwork awaitReady(String name, long generation) {
        await().atMost(TIMEOUT).until(() -> {
            PodNetwork pn = admin.resources(PodNetwork.class).inNamespace(ns).withName(name).get();
            return pn != null && pn.getStatus() != null && Long.valueOf(generation).equals(pn.getStatus().getObservedGeneration())
                    && pn.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
        });
        return admin.resources(PodNetwork.class).inNamespace(ns).withName(name).get();
    }

    private void removeFinalizers(String name) {
        admin.resources(PodNetwork.class).inNamespace(ns).withName(name)
                .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
    }

    /** JOSDK's dispatcher (at debug) as it hands the PodNetwork to the reconciler. */
    private String reconcileLine(String name) {
        return "Reconciling resource execution scope: ExecutionScope{resource=ResourceID{name='" + name + "', namespace='" + ns + "'}";
    }

    /** JOSDK's event processor (at debug) once a reconcile of the PodNetwork, status patch included, is over. */
    private String reconcileFinishedLine(String name) {
        return "Event processing finished. Scope: ExecutionScope{resource=ResourceID{name='" + name + "', namespace='" + ns + "'}";
    }

    /** The first line of the current agent log that holds the text, once there is one. */
    private String awaitLine(String text) {
        return await().atMost(TIMEOUT).until(() -> Files.readAllLines(agent.log()).stream().filter(l -> l.contains(text)).findFirst(),
                java.util.Optional::isPresent).orElseThrow();
    }

    private static int indexOf(List<String> log, String text) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    /** What the kernel holds of one pod, read from the agent's sandbox (the host) and the pod's namespace. */
    record Kernel(String uid, String netnsPath, long inode, String mac, List<String> addresses, int podIfindex, String hostVeth,
            int hostIfindex, List<String> elements) {
        static Kernel of(AgentProcess agent, PodNetwork pn) throws IOException {
            String uid = pn.getMetadata().getUid();
            Path netns = Path.of(pn.getStatus().getNetnsPath());
            assertThat(netns.getParent()).isEqualTo(Sandbox.NETNS_DIR);
            long inode = ((Number) Files.getAttribute(netns, "unix:ino")).longValue();
            JsonNode eth0 = ipJson(netns.getFileName().toString(), "addr", "show", "eth0").get(0);
            List<String> addresses = new ArrayList<>();
            for (JsonNode a : eth0.path("addr_info")) {
                if (!a.path("scope").asText().equals("link")) {
                    addresses.add(a.get("local").asText() + "/" + a.get("prefixlen").asInt());
                }
            }
            String veth = KernelNames.hostVeth(uid, "podnet");
            JsonNode host = ipJson(agent.sandbox().name(), "link", "show", veth).get(0);
            assertThat(host.path("master").asText()).as("%s on the bridge", veth).isEqualTo("podnet0");
            List<String> owned = tableElements(agent).stream().filter(e -> e.contains("\"" + uid + " ")).toList();
            return new Kernel(uid, netns.toString(), inode, eth0.get("address").asText(), addresses, eth0.get("ifindex").asInt(), veth,
                    host.get("ifindex").asInt(), owned);
        }
    }

    /**
     * Every element of every set and map of table inet podnet in the agent's sandbox, as
     * "set-name element-json", sorted (a duplicate shows as a second equal entry).
     */
    static List<String> tableElements(AgentProcess agent) throws IOException {
        Shell.Result r = Shell.run("ip", "netns", "exec", agent.sandbox().name(), "nft", "-j", "list", "table", "inet", "podnet");
        if (!r.ok()) {
            return List.of(); // no table: no elements (it goes with the last pod)
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : JSON.readTree(r.output()).path("nftables")) {
            JsonNode set = item.has("set") ? item.get("set") : item.get("map");
            if (set != null) {
                for (JsonNode element : set.path("elem")) {
                    out.add(set.get("name").asText() + " " + JSON.writeValueAsString(element));
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static List<String> hostLinks(AgentProcess agent) {
        List<String> out = new ArrayList<>();
        for (JsonNode link : ipJson(agent.sandbox().name(), "link", "show")) {
            out.add(link.get("ifname").asText());
        }
        return out;
    }
}
