package io.podnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.marcnuri.helm.Helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MatchResourcesBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.podnet.api.PodNetwork;
import io.podnet.operator.AgentVerdicts;
import io.podnet.packaging.PolicyChartTest;
import io.podnet.policy.NodePolicy;
import io.podnet.policy.Tenant;
import io.podnet.testing.Chart;
import io.podnet.testing.Shell;
import io.podnet.testing.kube.KubeBinaries;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * The chart's ValidatingAdmissionPolicy on a real API server: a PodNetwork its namespace has no
 * grant for is never stored and kubectl prints why; a granted one is stored; host ports outside
 * the namespace's ranges are refused. And the admission policy's CEL and the agent's own check
 * (the same values, as the chart writes them for each) agree on a table of cases. The binding is
 * narrowed to this test's namespaces, so the other tests on the shared server never meet it.
 */
@RequiresApiServer
class NodePolicyAdmissionOnApiServerTest {
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final String RELEASE = "policy-" + RUN;
    private static final String RUN_LABEL = "podnet-test/policy-run";
    private static final String PLAIN = "pol-" + RUN + "-plain";
    private static final String JOINERS = "pol-" + RUN + "-joiners";
    private static final String PORTS = "pol-" + RUN + "-ports";
    /** No grant at all: rootless without ports and joins only. */
    private static final String NONE = "pol-" + RUN + "-none";
    private static final String VALUES = """
            policy:
              grants:
                - name: rootful
                  namespaces: [%s, %s]
                  rootful: true
                - name: joiners
                  namespaceSelector: {podnet.io/join: "yes"}
                  netns: [Path, Pid]
                  rootful: true
                - name: ports
                  namespaces: [%s]
                  hostPorts: ["30000-30009", 8080]
                  hostIPs: [127.0.0.0/8, "::1/128"]
            """.formatted(PLAIN, PORTS, PORTS);
    private static KubernetesClient admin;
    private static Chart chart;
    private static NodePolicy agentPolicy;

    @BeforeAll
    static void install() throws Exception {
        admin = LocalApiServer.shared().adminClient();
        Crds.apply(admin);
        Path values = Files.createTempFile("podnet-policy-values", ".yaml");
        try {
            Files.writeString(values, VALUES);
            chart = Chart.parse(new Helm(Path.of("helm", "podnet")).template().withName(RELEASE).withNamespace(ChartRbac.NAMESPACE)
                    .withKubeVersion("1.36.3").withValuesFile(values).call());
        } finally {
            Files.delete(values);
        }
        agentPolicy = NodePolicy.parse(PolicyChartTest.agentPolicy(chart));
        namespace(PLAIN, Map.of());
        namespace(JOINERS, Map.of("podnet.io/join", "yes"));
        namespace(PORTS, Map.of());
        namespace(NONE, Map.of());
        if (admin.namespaces().withName(ChartRbac.NAMESPACE).get() == null) {
            namespace(ChartRbac.NAMESPACE, Map.of());
        }
        admin.resource(params()).serverSideApply();
        admin.resource(chart.one(ValidatingAdmissionPolicy.class)).serverSideApply();
        ValidatingAdmissionPolicyBinding binding = chart.one(ValidatingAdmissionPolicyBinding.class);
        binding.getSpec().setMatchResources(new MatchResourcesBuilder().withNamespaceSelector(new LabelSelectorBuilder()
                .withMatchLabels(Map.of(RUN_LABEL, RUN)).build()).build());
        admin.resource(binding).serverSideApply();
        // the API server compiles a new policy and binding a moment after they are stored
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> !serverVerdict(pn(PLAIN, "netns: {type: Pid, pid: 12345}")).equals(AgentVerdicts.ALLOWED));
    }

    @AfterAll
    static void uninstall() {
        if (admin != null) {
            chart.all(ValidatingAdmissionPolicyBinding.class).forEach(b -> admin.resource(b).delete());
            chart.all(ValidatingAdmissionPolicy.class).forEach(p -> admin.resource(p).delete());
            admin.resource(params()).delete();
            for (String ns : List.of(PLAIN, JOINERS, PORTS, NONE)) {
                admin.resources(PodNetwork.class).inNamespace(ns).delete();
                admin.namespaces().withName(ns).delete();
            }
            admin.close();
        }
    }

    private static ConfigMap params() {
        return (ConfigMap) chart.byKind("ConfigMap", RELEASE + "-podnet-policy").orElseThrow(() -> new AssertionError(chart.summary()));
    }

    private static void namespace(String name, Map<String, String> labels) {
        Map<String, String> all = new java.util.HashMap<>(labels);
        all.put(RUN_LABEL, RUN);
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(all).endMetadata().build()).create();
    }

    private static PodNetwork pn(String namespace, String spec) {
        String yaml = """
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata: {name: pn-%s, namespace: %s, uid: 2f1c1c9e-1f7e-4a4b-9a8c-5d0f4b2b7c11}
                spec:
                  nodeName: node-policy
                """.formatted(UUID.randomUUID().toString().substring(0, 8), namespace) + (spec.isEmpty() ? "" : "  " + spec + "\n");
        return Serialization.unmarshal(yaml, PodNetwork.class);
    }

    private static final Pattern DENIED = Pattern.compile("denied request: (\\w+):");

    /** What admission says to a server-side dry run of the create: allowed, or the reason its message starts with. */
    private static String serverVerdict(PodNetwork pn) {
        PodNetwork copy = Serialization.clone(pn);
        copy.getMetadata().setUid(null);
        try {
            admin.resource(copy).dryRun().create();
            return AgentVerdicts.ALLOWED;
        } catch (KubernetesClientException e) {
            Matcher m = DENIED.matcher(String.valueOf(e.getMessage()));
            if (e.getCode() == 403 && m.find()) {
                return m.group(1);
            }
            throw e;
        }
    }

    /** The agent's verdict, with the namespace's labels as the server has them. */
    private static String agentVerdict(PodNetwork pn) {
        String ns = pn.getMetadata().getNamespace();
        return AgentVerdicts.of(pn, new Tenant(ns, admin.namespaces().withName(ns).get().getMetadata().getLabels()), agentPolicy);
    }

    @Test
    void aNamespaceWithoutTheGrantIsRefusedAndNothingIsStored() throws Exception {
        PodNetwork join = pn(PLAIN, "netns: {type: Path, path: /run/netns/cri-sandbox}");
        assertThatThrownBy(() -> admin.resource(join).create()).isInstanceOfSatisfying(KubernetesClientException.class, e -> {
            assertThat(e.getCode()).isEqualTo(403);
            assertThat(e.getMessage()).contains("NetnsJoinNotGranted: namespace " + PLAIN + " may not use netns.type Path",
                    "grants [rootful]");
        });
        assertThat(admin.resources(PodNetwork.class).inNamespace(PLAIN).withName(join.getMetadata().getName()).get()).isNull();

        // kubectl shows the reason
        Path manifest = Files.createTempFile("podnet-policy", ".yaml");
        try {
            PodNetwork plain = Serialization.clone(join);
            plain.getMetadata().setUid(null);
            Files.writeString(manifest, Serialization.asYaml(plain));
            Path kubeconfig = LocalApiServer.shared().kubeconfig("admin", LocalApiServer.shared().adminToken());
            Shell.Result kubectl = Shell.run(KubeBinaries.require().resolve("kubectl").toString(), "--kubeconfig", kubeconfig.toString(),
                    "create", "-f", manifest.toString());
            assertThat(kubectl.exitCode()).isNotZero();
            assertThat(kubectl.output()).contains("denied request: NetnsJoinNotGranted: namespace " + PLAIN);
        } finally {
            Files.delete(manifest);
        }
    }

    @Test
    void aGrantedNamespaceIsStored() {
        PodNetwork join = pn(JOINERS, "netns: {type: Pid, pid: 4242}");
        join.getMetadata().setUid(null);
        admin.resource(join).create();
        assertThat(admin.resources(PodNetwork.class).inNamespace(JOINERS).withName(join.getMetadata().getName()).get()).isNotNull();
    }

    @Test
    void hostPortsOutsideTheNamespacesRangesAreRefused() {
        assertThat(serverVerdict(pn(PORTS, "portMappings: [{hostPort: 30010, containerPort: 80}]"))).isEqualTo("HostPortNotGranted");
        assertThat(serverVerdict(pn(PORTS, "portMappings: [{hostPort: 30009, containerPort: 80}]"))).isEqualTo(AgentVerdicts.ALLOWED);
        assertThat(serverVerdict(pn(PLAIN, "portMappings: [{hostPort: 30009, containerPort: 80}]"))).isEqualTo("HostPortNotGranted");
        PodNetwork outside = pn(PORTS, "portMappings: [{hostPort: 8081, containerPort: 80}]");
        outside.getMetadata().setUid(null);
        assertThatThrownBy(() -> admin.resource(outside).create()).hasMessageContaining(
                "HostPortNotGranted: namespace " + PORTS + " may not use host port 8081 (granted: 30000-30009,8080)");
    }

    @Test
    void theAdmissionPolicyAndTheAgentAgreeOnEveryCase() {
        List<PodNetwork> cases = new ArrayList<>();
        for (String ns : List.of(PLAIN, JOINERS, PORTS, NONE)) {
            for (String spec : List.of(
                    "",
                    "mode: Rootless",
                    "netns: {type: Path, path: /run/netns/x}",
                    "netns: {type: Pid, pid: 77}",
                    "mode: Rootless\n  netns: {type: Pid, pid: 77}",
                    "portMappings: [{hostPort: 30000, containerPort: 80, range: 10}]",
                    "portMappings: [{hostPort: 30001, containerPort: 80, range: 10}]",
                    "portMappings: [{hostPort: 8080, containerPort: 80, protocol: 'tcp,udp'}]",
                    "portMappings: [{hostPort: 8080, containerPort: 80, range: 2}]",
                    "portMappings: [{hostPort: 0, containerPort: 80, range: 10}]",
                    "portMappings: [{hostPort: 0, containerPort: 80, range: 11}]",
                    "portMappings: [{containerPort: 80}]",
                    "mode: Rootless\n  portMappings: [{hostPort: 30002, containerPort: 80, hostIP: 127.0.0.9}]",
                    "mode: Rootless\n  portMappings: [{hostPort: 30002, containerPort: 80, hostIP: '::1'}]",
                    "mode: Rootless\n  portMappings: [{hostPort: 30002, containerPort: 80, hostIP: '::2'}]",
                    "mode: Rootless\n  portMappings: [{hostPort: 30002, containerPort: 80, hostIP: 10.0.0.1}]",
                    "mode: Rootless\n  portMappings: [{hostPort: 30002, containerPort: 80, hostIP: 0.0.0.0}]",
                    "mode: Rootless\n  portMappings: [{hostPort: 30002, containerPort: 80}, {hostPort: 40000, containerPort: 81}]")) {
                cases.add(pn(ns, spec));
            }
        }
        List<String> table = new ArrayList<>();
        int refused = 0;
        for (PodNetwork pn : cases) {
            String server = serverVerdict(pn);
            String agent = agentVerdict(pn);
            table.add(pn.getMetadata().getNamespace().substring(pn.getMetadata().getNamespace().lastIndexOf('-') + 1) + " "
                    + Serialization.asJson(pn.getSpec()) + " -> server " + server + ", agent " + agent);
            assertThat(agent).as("%s %s", pn.getMetadata().getNamespace(), Serialization.asJson(pn.getSpec())).isEqualTo(server);
            refused += server.equals(AgentVerdicts.ALLOWED) ? 0 : 1;
        }
        System.out.println("admission policy vs agent, " + cases.size() + " cases:\n  " + String.join("\n  ", table));
        // the table has both outcomes, and every kind of refusal
        assertThat(refused).isBetween(10, cases.size() - 10);
        assertThat(String.join("\n", table)).contains("RootfulNotGranted", "NetnsJoinNotGranted", "HostPortNotGranted", "HostIPNotGranted");
    }
}
