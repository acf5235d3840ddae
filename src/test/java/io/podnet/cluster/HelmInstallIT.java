package io.podnet.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.PodNetwork;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.testing.Shell;
import io.podnet.testing.TcpProbe;
import io.podnet.testing.kube.KubeBinaries;
import io.podnet.testing.kube.LocalCluster;
import io.podnet.testing.kube.RequiresCluster;

/**
 * What an admin does, on a real single-node cluster (kubelet, containerd, the control plane: see
 * {@link LocalCluster}) with the agent's image built by Jib: {@code helm install} of the chart as
 * the README says, the examples applied with kubectl, the metrics Service scraped, a
 * {@code helm upgrade} with new values, and {@code helm uninstall} with the documented steps.
 * Each step builds on the one before.
 */
@RequiresCluster
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HelmInstallIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final String NAMESPACE = "podnet-system";
    private static final String RELEASE = "podnet";
    private static final Path CHART = Path.of("helm", "podnet");
    private static final long MEMORY_LIMIT = 512L * 1024 * 1024;
    private static final int HOST_PORT = 18080;
    private static final int DENIED_PORT = 18081;

    private LocalCluster cluster;
    private KubernetesClient client;
    /** name -> [IP, MAC] of the example PodNetworks, as first built. */
    private final Map<String, List<String>> addresses = new HashMap<>();
    private String firstAgentUid;

    @BeforeAll
    void startCluster() {
        cluster = LocalCluster.start();
        client = cluster.client();
        Shell.Result imported = cluster.onNode("ctr", "-n", "k8s.io", "images", "import", LocalCluster.IMAGE.toAbsolutePath().toString());
        assertThat(imported.ok()).as("ctr images import: %s", imported.output()).isTrue();
    }

    @AfterAll
    void stopCluster() {
        if (client != null) {
            client.close();
        }
        if (cluster != null) {
            Path netns = cluster.nodeNetns();
            cluster.close();
            assertThat(netns).as("the node's network namespace is gone").doesNotExist();
        }
    }

    @Test
    @Order(1)
    void helmInstallRunsTheAgentOnTheNodeReadyWithinItsMemoryLimit() {
        Release release = new Helm(CHART).install().withName(RELEASE).withNamespace(NAMESPACE).createNamespace()
                .withKubeConfig(cluster.kubeconfig()).waitReady().withTimeout((int) TIMEOUT.toSeconds()).call();
        assertThat(release.getStatus()).isEqualTo("deployed");

        Pod agent = awaitOneReadyAgent(null);
        firstAgentUid = agent.getMetadata().getUid();
        assertThat(agent.getSpec().getNodeName()).isEqualTo(cluster.nodeName());
        assertThat(agent.getStatus().getContainerStatuses()).singleElement().satisfies(s -> assertThat(s.getRestartCount()).isZero());
        // the node name came from the downward API
        assertThat(log(agent)).contains("node " + cluster.nodeName() + ": networks [podnet (bridge podnet0)]");
        // the JVM sized its heap from the chart's limit (jvmOptions), leaving room for what it needs
        // beside the heap: non-heap, direct buffers and thread stacks (counted at 1 MiB each, twice -Xss) stay under 90% with a full heap
        String metrics = metrics();
        long heapMax = sumOf(metrics, "jvm_memory_max_bytes", "area=\"heap\"");
        long beside = sumOf(metrics, "jvm_memory_committed_bytes", "area=\"nonheap\"") + sumOf(metrics, "jvm_buffer_memory_used_bytes", "id=")
                + (long) Double.parseDouble(sample(metrics, "jvm_threads_live_threads")) * 1024 * 1024;
        assertThat(heapMax).isPositive().isLessThanOrEqualTo(MEMORY_LIMIT / 2);
        assertThat(heapMax + beside).as("heap max %d + beside the heap %d", heapMax, beside).isLessThanOrEqualTo(MEMORY_LIMIT * 9 / 10);
    }

    @Test
    @Order(2)
    void theExamplesBecomeReadyWithTheirNamespacesAndVethsOnTheNode() {
        Shell.Result applied = kubectl("apply", "-f", "examples/");
        assertThat(applied.ok()).as(applied.output()).isTrue();
        for (String name : List.of("web", "db", "isolated")) {
            PodNetwork pn = awaitPhase(name, "Ready");
            String uid = pn.getMetadata().getUid();
            assertThat(cluster.onNode("ip", "netns", "list").output()).contains("podnet-" + uid);
            if (!name.equals("isolated")) {
                addresses.put(name, List.of(pn.getStatus().getInspect().getIpAddress(), pn.getStatus().getInspect().getMacAddress()));
            }
        }
        assertThat(addresses.get("db")).containsExactly("10.89.0.50", "02:42:0a:59:00:32");
        // the chart's RBAC lets the agent tell about it
        // (the event follows the status write, so it may come a moment after the PodNetwork is Ready)
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(client.v1().events().inNamespace("default").list().getItems())
                .anySatisfy(e -> assertThat(List.of(e.getInvolvedObject().getKind(), e.getInvolvedObject().getName(), e.getReason()))
                        .containsExactly("PodNetwork", "db", "Ready")));
        String db = cluster.onNode("ip", "-n", "podnet-" + uid("db"), "addr", "show", "net0").output();
        assertThat(db).contains("inet 10.89.0.50/24", "link/ether 02:42:0a:59:00:32");
        // one veth a networked pod on the bridge, in the node's namespace (not this machine's)
        String veths = cluster.onNode("ip", "-o", "link", "show", "master", "podnet0").output();
        assertThat(veths.lines().filter(l -> l.matches("\\d+: pn\\w+@.*"))).hasSize(2);
        assertThat(Shell.run("ip", "link", "show", "podnet0").ok()).as("podnet0 on this machine").isFalse();
        assertThat(cluster.onNode("ip", "-n", "podnet-" + uid("isolated"), "-o", "link").output().lines()).singleElement()
                .satisfies(l -> assertThat(l).contains(": lo:"));
    }

    @Test
    @Order(3)
    void theChartsAdmissionPolicyRefusesWhatNoGrantAllows() {
        // the default grants allow no netns join: the real API server refuses it before it is stored
        Shell.Result refused = kubectlApply("""
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata: {name: joiner, namespace: default}
                spec: {nodeName: local, netns: {type: Path, path: /run/netns/elsewhere}}
                """);
        assertThat(refused.ok()).isFalse();
        assertThat(refused.output()).contains(RELEASE + "-node-policy", "NetnsJoinNotGranted");
        assertThat(pn("joiner")).isNull();
    }

    @Test
    @Order(4)
    void aPortMappingAnswersOnTheNodesAddress() throws Exception {
        apply("""
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata: {name: web-port, namespace: default}
                spec:
                  nodeName: local
                  networks: [{name: podnet}]
                  portMappings: [{hostPort: %d, containerPort: 8080, protocol: tcp}]
                """.formatted(HOST_PORT));
        PodNetwork pn = awaitPhase("web-port", "Ready");
        assertThat(pn.getStatus().getPorts()).singleElement().satisfies(p -> assertThat(p.getHostPort()).isEqualTo(HOST_PORT));
        assertThat(cluster.onNode("nft", "list", "table", "inet", "podnet").output()).contains(String.valueOf(HOST_PORT));
        // a server in the pod's namespace, reached from this machine through the node's address
        Path podNetns = cluster.onNodeFs("/run/netns/podnet-" + pn.getMetadata().getUid());
        try (Netns netns = NetnsManager.join(podNetns);
                ServerSocket server = netns.run(() -> new ServerSocket(8080, 10, InetAddress.getByName("0.0.0.0")))) {
            TcpProbe.answering(server, "podnet on the node");
            await().atMost(Duration.ofSeconds(20)).until(() -> "podnet on the node".equals(fetch(cluster.nodeIp(), HOST_PORT)));
        }
    }

    @Test
    @Order(5)
    void theMetricsServiceAnswersWithPodnetAndReconciliationSeries() {
        String metrics = metrics();
        assertThat(metrics.lines().filter(l -> l.startsWith("podnet_")).count()).isPositive();
        assertThat(metrics).containsPattern("(?m)^reconciliations_success_total\\{[^}]*\\} [1-9]");
        assertThat(metrics).containsPattern("(?m)^podnet_podnetworks\\{[^}]*phase=\"Ready\"[^}]*\\} [1-9]");
    }

    @Test
    @Order(6)
    void helmUpgradeWithNewValuesRollsTheAgentAndKeepsAddresses() throws IOException {
        Path values = Files.createTempFile("podnet-values-", ".yaml");
        try {
            Files.writeString(values, """
                    node:
                      deniedPorts: [22, 2379, 2380, 6443, 10250, 10255, 10256, 10257, 10259, %d]
                    networks:
                      podnet:
                        network_interface: podnet0
                        subnets: [{subnet: 10.89.0.0/24, gateway: 10.89.0.1}]
                      backend:
                        network_interface: podnet1
                        subnets: [{subnet: 10.90.0.0/24, gateway: 10.90.0.1}]
                        internal: true
                    """.formatted(DENIED_PORT));
            Release release = new Helm(CHART).upgrade().withName(RELEASE).withNamespace(NAMESPACE).withValuesFile(values)
                    .withKubeConfig(cluster.kubeconfig()).waitReady().withTimeout((int) TIMEOUT.toSeconds()).call();
            assertThat(release.getStatus()).isEqualTo("deployed");
        } finally {
            Files.deleteIfExists(values);
        }
        Pod agent = awaitOneReadyAgent(firstAgentUid);
        assertThat(log(agent)).contains("networks [backend (bridge podnet1), podnet (bridge podnet0)]");
        // the new agent adopted what the old one built: the same addresses and MACs, in status and kernel
        await().atMost(TIMEOUT).until(() -> metrics().contains("reconciliations_success_total"));
        for (Map.Entry<String, List<String>> e : addresses.entrySet()) {
            PodNetwork pn = awaitPhase(e.getKey(), "Ready");
            assertThat(List.of(pn.getStatus().getInspect().getIpAddress(), pn.getStatus().getInspect().getMacAddress())).isEqualTo(e.getValue());
        }
        String web = cluster.onNode("ip", "-n", "podnet-" + uid("web"), "addr", "show", "eth0").output();
        assertThat(web).contains("inet " + addresses.get("web").get(0) + "/24", "link/ether " + addresses.get("web").get(1));

        // the new network definition is there, the new deny-list applies
        apply("""
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata: {name: api, namespace: default}
                spec: {nodeName: local, networks: [{name: backend}]}
                ---
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata: {name: denied, namespace: default}
                spec:
                  nodeName: local
                  networks: [{name: podnet}]
                  portMappings: [{hostPort: %d, containerPort: 80}]
                """.formatted(DENIED_PORT));
        assertThat(awaitPhase("api", "Ready").getStatus().getInspect().getIpAddress()).startsWith("10.90.0.");
        assertThat(cluster.onNode("ip", "link", "show", "podnet1").ok()).isTrue();
        PodNetwork denied = await().atMost(TIMEOUT).until(() -> pn("denied"),
                p -> p != null && p.getStatus() != null && p.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("False")));
        assertThat(denied.getStatus().getConditions()).anySatisfy(c -> assertThat(c.getReason()).isEqualTo("PortDenied"));
    }

    @Test
    @Order(7)
    void helmUninstallAndTheDocumentedStepsLeaveNothing() {
        // docs/install.md: delete the PodNetworks while the agents run, then uninstall
        Shell.Result deleted = kubectl("delete", "podnetworks", "web", "isolated", "web-port", "api", "denied", "-n", "default", "--wait=true", "--timeout=120s");
        assertThat(deleted.ok()).as(deleted.output()).isTrue();
        String kept = uid("db");
        assertThat(Helm.uninstall(RELEASE).withNamespace(NAMESPACE).withKubeConfig(cluster.kubeconfig()).call()).contains("uninstalled");
        await().atMost(TIMEOUT).until(() -> client.pods().inNamespace(NAMESPACE).list().getItems().isEmpty());
        // the agents made their node leases, not Helm: docs/install.md says how they go
        String leases = "kubectl -n podnet-system delete leases -l podnet.io/node-lease";
        assertThat(readDoc()).contains(leases);
        assertThat(kubectl(leases.substring("kubectl ".length()).split(" ")).ok()).isTrue();

        // one PodNetwork deleted after the agents went: its finalizer holds it until the documented script removes it
        assertThat(kubectl("delete", "podnetwork", "db", "-n", "default", "--wait=false").ok()).isTrue();
        assertThat(pn("db").getMetadata().getDeletionTimestamp()).isNotNull();
        Shell.Result script = Shell.runWith(Map.of("KUBECTL", KubeBinaries.kubectl().toAbsolutePath().toString(),
                "KUBECONFIG", cluster.kubeconfig().toString()), "sh", "helm/podnet/files/remove-finalizers.sh");
        assertThat(script.ok()).as(script.output()).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> pn("db") == null);
        // removing the finalizer leaves that pod's networking on the node: docs/install.md's clean-up removes it
        assertThat(cluster.onNode("ip", "netns", "list").output()).contains("podnet-" + kept);
        Shell.Result cleaned = cluster.onNode("sh", "-c", nodeCleanupFromDocs());
        assertThat(cleaned.ok()).as(cleaned.output()).isTrue();
        assertThat(kubectl("delete", "-f", "crds/").ok()).isTrue();

        // nothing of podnet's on the node
        assertThat(cluster.onNode("ip", "netns", "list").output()).doesNotContain("podnet-");
        assertThat(cluster.onNode("ip", "-o", "link").output().lines().map(l -> l.split(": ")[1]))
                .noneMatch(n -> n.startsWith("pn") || n.startsWith("podnet"));
        assertThat(cluster.onNode("nft", "list", "tables").output()).doesNotContain("podnet");
        assertThat(cluster.onNodeFs("/var/lib/podnet")).doesNotExist();
        assertThat(cluster.onNodeFs("/run/podnet")).doesNotExist();
        // nor in the cluster
        assertThat(client.apiextensions().v1().customResourceDefinitions().withName("podnetworks.podnet.io").get()).isNull();
        assertThat(client.apps().daemonSets().inNamespace(NAMESPACE).list().getItems()).isEmpty();
        assertThat(client.configMaps().inNamespace(NAMESPACE).list().getItems()).allMatch(c -> c.getMetadata().getName().equals("kube-root-ca.crt"));
        assertThat(client.serviceAccounts().inNamespace(NAMESPACE).list().getItems()).allMatch(s -> s.getMetadata().getName().equals("default"));
        assertThat(client.services().inNamespace(NAMESPACE).list().getItems()).isEmpty();
        assertThat(client.rbac().clusterRoles().withLabel("app.kubernetes.io/part-of", "podnet").list().getItems()).isEmpty();
        assertThat(client.rbac().clusterRoleBindings().withLabel("app.kubernetes.io/part-of", "podnet").list().getItems()).isEmpty();
        assertThat(client.rbac().roles().inNamespace(NAMESPACE).list().getItems()).isEmpty();
        assertThat(client.leases().inNamespace(NAMESPACE).list().getItems()).as("the agents' node leases").isEmpty();
        assertThat(client.admissionRegistration().v1().validatingAdmissionPolicies().withLabel("app.kubernetes.io/part-of", "podnet").list().getItems()).isEmpty();
        assertThat(client.admissionRegistration().v1().validatingAdmissionPolicyBindings().withLabel("app.kubernetes.io/part-of", "podnet").list().getItems()).isEmpty();
    }

    /** The shell commands of docs/install.md's "clean each node by hand" block, as written there. */
    private static String nodeCleanupFromDocs() {
        Matcher m = Pattern.compile("clean each node by hand, as root:\\s*```sh\\n(.*?)```", Pattern.DOTALL).matcher(readDoc());
        assertThat(m.find()).as("docs/install.md has the node clean-up block").isTrue();
        // the block's interactive part (checking each helper by eye) is for people; no helper runs here
        return "set -e\n" + m.group(1).lines().filter(l -> !l.contains("pgrep")).reduce("", (a, b) -> a + b + "\n");
    }

    private static String readDoc() {
        try {
            return Files.readString(Path.of("docs", "install.md"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Pod awaitOneReadyAgent(String notUid) {
        return await().atMost(TIMEOUT).until(() -> {
            List<Pod> pods = client.pods().inNamespace(NAMESPACE).withLabel("app.kubernetes.io/component", "agent").list().getItems();
            return pods.size() == 1 && !pods.get(0).getMetadata().getUid().equals(notUid) && isReady(pods.get(0)) ? pods.get(0) : null;
        }, Objects::nonNull);
    }

    private static boolean isReady(Pod pod) {
        return "Running".equals(pod.getStatus().getPhase()) && pod.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    /** The agent's log so far, also written to target/cluster-logs/; it must hold no ERROR line. */
    private String log(Pod pod) {
        String log = client.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).getLog();
        try {
            Files.createDirectories(LocalCluster.LOGS);
            Files.writeString(LocalCluster.LOGS.resolve(pod.getMetadata().getName() + ".log"), log);
        } catch (IOException e) {
            // a help for reading a failure, not a result
        }
        assertThat(log.lines().filter(l -> l.contains(" ERROR "))).as("ERROR lines of the agent").isEmpty();
        return log;
    }

    private PodNetwork pn(String name) {
        return client.resources(PodNetwork.class).inNamespace("default").withName(name).get();
    }

    private String uid(String name) {
        return pn(name).getMetadata().getUid();
    }

    private PodNetwork awaitPhase(String name, String phase) {
        return await().atMost(TIMEOUT).until(() -> pn(name), p -> p != null && p.getStatus() != null && phase.equals(p.getStatus().getPhase()));
    }

    private void apply(String yaml) {
        Shell.Result r = kubectlApply(yaml);
        assertThat(r.ok()).as(r.output()).isTrue();
    }

    private Shell.Result kubectlApply(String yaml) {
        try {
            Path file = Files.createTempFile("podnet-cluster-", ".yaml");
            try {
                Files.writeString(file, yaml);
                return kubectl("apply", "-f", file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Shell.Result kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of(KubeBinaries.kubectl().toString(), "--kubeconfig", cluster.kubeconfig().toString()));
        command.addAll(List.of(args));
        return Shell.run(command.toArray(String[]::new));
    }

    /** /q/metrics of the agent, through the endpoints of the chart's headless metrics Service. */
    private String metrics() {
        EndpointSlice slice = await().atMost(TIMEOUT).until(() -> client.discovery().v1().endpointSlices().inNamespace(NAMESPACE)
                .withLabel("kubernetes.io/service-name", RELEASE + "-metrics").list().getItems().stream()
                .filter(s -> s.getEndpoints() != null && s.getEndpoints().stream().anyMatch(e -> Boolean.TRUE.equals(e.getConditions().getReady())))
                .findFirst().orElse(null), Objects::nonNull);
        String address = slice.getEndpoints().stream().filter(e -> Boolean.TRUE.equals(e.getConditions().getReady())).findFirst().orElseThrow()
                .getAddresses().get(0);
        int port = slice.getPorts().get(0).getPort();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            return r.body();
        } catch (IOException e) {
            throw new AssertionError("cannot scrape " + address + ":" + port + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The sum of the positive samples of a series whose labels contain {@code label}. */
    private static long sumOf(String metrics, String series, String label) {
        return metrics.lines().filter(l -> l.startsWith(series + "{") && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).filter(v -> v > 0).mapToLong(v -> (long) v).sum();
    }

    /** The value of a series without labels. */
    private static String sample(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).findFirst().orElseThrow(() -> new AssertionError("no " + series))
                .substring(series.length() + 1);
    }

    private static String fetch(String host, int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new InetSocketAddress(host, port), 2000);
            s.setSoTimeout(2000);
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
    }
}
