package io.podnet.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.testing.Chart;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.operator.PodnetConfig;
import io.podnet.ports.PortPolicy;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * The Helm chart in helm/podnet, through real Helm (helm-java): lint, template with default and
 * other values, every rendered object parsed into the fabric8 model, and what a node agent needs
 * from its DaemonSet, RBAC and configuration.
 */
class HelmChartTest {
    static final Path CHART = Path.of("helm", "podnet");
    static final String RELEASE = "podnet";
    static final String NAMESPACE = "podnet-system";
    /** helm-java renders for Kubernetes 1.20 unless told; the chart's kubeVersion asks for 1.31 (selectable fields). */
    static final String KUBE_VERSION = "1.31.0";

    private static Chart defaults;

    @BeforeAll
    static void renderDefaults() {
        defaults = render(t -> t);
    }

    static Chart render(UnaryOperator<TemplateCommand> values) {
        TemplateCommand template = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
        return Chart.parse(values.apply(template).call());
    }

    @Test
    void lintIsClean() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        System.out.println("helm lint --strict " + CHART + ": " + lint.getMessages());
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).as("helm lint --strict").noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void olderClustersAreRefused() {
        // custom resource field selectors (spec.nodeName) are on by default from 1.31
        assertThatThrownBy(() -> Chart.parse(new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion("1.30.9").call())).hasMessageContaining("kubeVersion");
    }

    @Test
    void everyRenderedObjectIsTheModelOfItsKind() {
        assertThat(defaults.summary()).containsOnlyKeys("DaemonSet", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
                "Role", "RoleBinding", "ConfigMap", "Service", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding");
        assertThat(defaults.one(DaemonSet.class).getMetadata().getName()).isEqualTo("podnet");
        assertThat(defaults.all(ConfigMap.class)).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("podnet-config", "podnet-networks", "podnet-policy");
        for (HasMetadata o : defaults.objects()) {
            assertThat(o).as(o.getKind() + " " + o.getMetadata().getName()).isNotInstanceOf(GenericKubernetesResource.class);
            assertThat(o.getMetadata().getLabels()).containsEntry("app.kubernetes.io/instance", RELEASE)
                    .containsEntry("app.kubernetes.io/managed-by", "Helm");
            boolean clusterScoped = o instanceof ClusterRole || o instanceof ClusterRoleBinding
                    || o.getKind().startsWith("ValidatingAdmissionPolicy");
            if (!clusterScoped) { // namespaced: in the release namespace
                assertThat(o.getMetadata().getNamespace()).as(o.getKind()).isEqualTo(NAMESPACE);
            }
        }
    }

    @Test
    void theAgentRunsPrivilegedOnTheNodesNetworkAndPidNamespaces() {
        DaemonSet ds = defaults.one(DaemonSet.class);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getHostPID()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.getPriorityClassName()).isEqualTo("system-node-critical");
        assertThat(pod.getTolerations()).hasSize(1);
        assertThat(pod.getTolerations().get(0).getOperator()).isEqualTo("Exists");
        assertThat(pod.getTolerations().get(0).getKey()).isNull();
        assertThat(pod.getTolerations().get(0).getEffect()).isNull();
        assertThat(pod.getServiceAccountName()).isEqualTo(defaults.one(ServiceAccount.class).getMetadata().getName());

        Container agent = agent(ds);
        assertThat(agent.getImage()).isEqualTo("podnet/podnet-agent:0.1.0");
        assertThat(agent.getSecurityContext().getPrivileged()).isTrue();
        assertThat(agent.getSecurityContext().getRunAsUser()).isZero();
        assertThat(agent.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        // privileged and allowPrivilegeEscalation=false are refused together by the API server
        assertThat(agent.getSecurityContext().getAllowPrivilegeEscalation()).isNull();

        assertThat(ds.getSpec().getUpdateStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString(1));
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxSurge()).isEqualTo(new IntOrString(0));
        assertThat(ds.getSpec().getSelector().getMatchLabels()).isEqualTo(Map.of(
                "app.kubernetes.io/name", "podnet", "app.kubernetes.io/instance", RELEASE, "app.kubernetes.io/component", "agent"));
        assertThat(ds.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(ds.getSpec().getSelector().getMatchLabels());
        assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations()).containsKey("checksum/config");
    }

    @Test
    void theNodeNameComesFromTheDownwardApiAndTheEmbeddedApiIsOff() {
        Container agent = agent(defaults.one(DaemonSet.class));
        EnvVar node = env(agent, "PODNET_NODE_NAME");
        assertThat(node.getValue()).isNull();
        assertThat(node.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
        assertThat(env(agent, "PODNET_EMBEDDED_ENABLED").getValue()).isEqualTo("false");
        assertThat(env(agent, "JDK_JAVA_OPTIONS").getValue()).isEqualTo(
                "-XX:+UseSerialGC -XX:MaxRAMPercentage=16 -Xss512k -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=128m");
        assertThat(env(agent, "MALLOC_ARENA_MAX").getValue()).isEqualTo("2");
    }

    @Test
    void theNetnsDirPropagatesBothWaysAndStateSurvivesOnTheHost() {
        DaemonSet ds = defaults.one(DaemonSet.class);
        Container agent = agent(ds);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();

        VolumeMount netns = mount(agent, "/run/netns");
        assertThat(netns.getMountPropagation()).isEqualTo("Bidirectional");
        assertHostPath(volume(pod, netns.getName()), "/run/netns");

        VolumeMount state = mount(agent, "/var/lib/podnet");
        assertThat(state.getMountPropagation()).isNull();
        assertHostPath(volume(pod, state.getName()), "/var/lib/podnet");

        VolumeMount run = mount(agent, "/run/podnet");
        assertHostPath(volume(pod, run.getName()), "/run/podnet");

        VolumeMount config = mount(agent, "/etc/podnet/config");
        assertThat(config.getReadOnly()).isTrue();
        assertThat(volume(pod, config.getName()).getConfigMap().getName()).isEqualTo("podnet-config");
        // Quarkus reads $PWD/config/application.properties
        assertThat(agent.getWorkingDir()).isEqualTo("/etc/podnet");

        VolumeMount networks = mount(agent, "/etc/podnet/networks");
        assertThat(networks.getReadOnly()).isTrue();
        assertThat(volume(pod, networks.getName()).getConfigMap().getName()).isEqualTo("podnet-networks");

        assertThat(volume(pod, mount(agent, "/tmp").getName()).getEmptyDir()).isNotNull();
        VolumeMount resolv = mount(agent, "/etc/podnet/host/resolv.conf");
        assertThat(resolv.getReadOnly()).isTrue();
        assertThat(volume(pod, resolv.getName()).getHostPath().getPath()).isEqualTo("/etc/resolv.conf");
        assertThat(volume(pod, resolv.getName()).getHostPath().getType()).isEqualTo("File");
        assertThat(agent.getVolumeMounts()).hasSize(7);
        assertThat(pod.getVolumes()).hasSize(7);
    }

    @Test
    void probesAskTheHealthEndpointsOnTheHttpPort() {
        Container agent = agent(defaults.one(DaemonSet.class));
        assertThat(agent.getPorts()).hasSize(1);
        assertThat(agent.getPorts().get(0).getName()).isEqualTo("http");
        assertThat(agent.getPorts().get(0).getContainerPort()).isEqualTo(8080);
        assertThat(agent.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(agent.getLivenessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
        assertThat(agent.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
        assertThat(agent.getReadinessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
        assertThat(agent.getStartupProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
        assertThat(agent.getStartupProbe().getPeriodSeconds() * agent.getStartupProbe().getFailureThreshold()).isGreaterThanOrEqualTo(60);
    }

    @Test
    void rbacIsExactlyWhatTheAgentUses() throws IOException {
        ClusterRole role = defaults.one(ClusterRole.class);
        assertThat(role.getRules()).containsExactly(
                rule("podnet.io", "podnetworks", "get", "list", "watch", "patch", "update"),
                rule("podnet.io", "podnetworks/status", "get", "patch", "update"),
                rule("podnet.io", "podnetworks/finalizers", "update"),
                rule("", "events", "create", "patch"));
        assertThat(role.getAggregationRule()).isNull();

        ClusterRoleBinding binding = defaults.one(ClusterRoleBinding.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("ClusterRole");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).hasSize(1);
        assertThat(binding.getSubjects().get(0).getKind()).isEqualTo("ServiceAccount");
        assertThat(binding.getSubjects().get(0).getName()).isEqualTo(defaults.one(ServiceAccount.class).getMetadata().getName());
        assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo(NAMESPACE);

        // node leases, in the release namespace only
        Role leases = defaults.one(Role.class);
        assertThat(leases.getMetadata().getNamespace()).isEqualTo(NAMESPACE);
        assertThat(leases.getRules()).containsExactly(rule("coordination.k8s.io", "leases", "get", "list", "create", "update"));
        RoleBinding leaseBinding = defaults.one(RoleBinding.class);
        assertThat(leaseBinding.getRoleRef().getName()).isEqualTo(leases.getMetadata().getName());
        assertThat(leaseBinding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getName()).isEqualTo(defaults.one(ServiceAccount.class).getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
        });
        Properties props = applicationProperties(defaults);
        assertThat(props).containsEntry("podnet.node-gone.lease-namespace", NAMESPACE).containsEntry("podnet.node-gone.grace", "5m");
    }

    @Test
    void theConfigMapIsAConfigurationTheAgentReads() throws IOException {
        Properties props = applicationProperties(defaults);
        assertThat(props).containsEntry("quarkus.http.port", "8080")
                .containsEntry("podnet.netns-dir", "/run/netns")
                .containsEntry("podnet.state-dir", "/var/lib/podnet")
                .containsEntry("podnet.run-dir", "/run/podnet")
                .containsEntry("podnet.networks-dir", "/etc/podnet/networks")
                .containsEntry("podnet.host-resolv-conf", "/etc/podnet/host/resolv.conf")
                .containsEntry("podnet.embedded.enabled", "false")
                .doesNotContainKey("podnet.node-name");
        // the names are the agent's: its own config mapping accepts them
        PodnetConfig config = mapping(props);
        assertThat(config.netnsDir()).isEqualTo(Path.of("/run/netns"));
        assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/podnet"));
        assertThat(config.runDir()).isEqualTo(Path.of("/run/podnet"));
        assertThat(config.networksDir()).isEqualTo(Path.of("/etc/podnet/networks"));
        assertThat(config.resyncInterval()).hasSeconds(10);
        assertThat(config.embedded().enabled()).isEqualTo("false");
        assertThat(PortPolicy.parseDenied(config.ports().denied())).isEqualTo(PortPolicy.DEFAULT_DENIED);
        // no network given: no file, so the agent uses its default network
        assertThat(defaults.byKind("ConfigMap", "podnet-networks").map(c -> ((ConfigMap) c).getData()).orElseThrow()).isEmpty();
    }

    @Test
    void otherValuesChangeWhatTheyShould(@TempDir Path dir) throws IOException {
        Path values = dir.resolve("values.yaml");
        Files.writeString(values, """
                image:
                  repository: registry.example/podnet
                  tag: 1.2.3-native
                http:
                  port: 9100
                node:
                  netnsDir: /var/run/netns
                  stateDir: /data/podnet
                  runDir: /run/podnet
                  resyncInterval: 30s
                  deniedPorts: []
                  logLevel: DEBUG
                  properties:
                    quarkus.log.level: WARN
                updateStrategy:
                  maxUnavailable: "20%"
                jvmOptions: ""
                serviceAccount:
                  create: false
                  name: agents
                rbac:
                  create: false
                metrics:
                  serviceMonitor:
                    enabled: true
                    labels:
                      release: prometheus
                  podMonitor:
                    enabled: true
                networks:
                  backend:
                    driver: bridge
                    network_interface: podnet1
                    subnets:
                      - subnet: 10.90.0.0/24
                        gateway: 10.90.0.1
                    internal: true
                    options:
                      mtu: "1400"
                  frontend:
                    network_interface: podnet2
                    subnets:
                      - subnet: 10.91.0.0/24
                """);
        Chart chart = render(t -> t.withValuesFile(values).set("tolerations", "null"));

        assertThat(chart.all(ClusterRole.class)).isEmpty();
        assertThat(chart.all(ClusterRoleBinding.class)).isEmpty();
        assertThat(chart.all(Role.class)).isEmpty();
        assertThat(chart.all(RoleBinding.class)).isEmpty();
        assertThat(chart.all(ServiceAccount.class)).isEmpty();

        DaemonSet ds = chart.one(DaemonSet.class);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        Container agent = agent(ds);
        assertThat(pod.getServiceAccountName()).isEqualTo("agents");
        assertThat(pod.getTolerations()).isEmpty();
        assertThat(agent.getImage()).isEqualTo("registry.example/podnet:1.2.3-native");
        assertThat(agent.getPorts().get(0).getContainerPort()).isEqualTo(9100);
        assertThat(agent.getEnv()).extracting(EnvVar::getName).containsExactly("PODNET_NODE_NAME", "PODNET_EMBEDDED_ENABLED", "MALLOC_ARENA_MAX");
        assertThat(ds.getSpec().getUpdateStrategy().getRollingUpdate().getMaxUnavailable()).isEqualTo(new IntOrString("20%"));
        VolumeMount netns = mount(agent, "/var/run/netns");
        assertThat(netns.getMountPropagation()).isEqualTo("Bidirectional");
        assertHostPath(volume(pod, netns.getName()), "/var/run/netns");
        assertHostPath(volume(pod, mount(agent, "/data/podnet").getName()), "/data/podnet");

        Service service = chart.one(Service.class);
        assertThat(service.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(9100);
        assertThat(service.getSpec().getPorts().get(0).getTargetPort()).isEqualTo(new IntOrString("http"));
        assertThat(service.getSpec().getSelector()).isEqualTo(ds.getSpec().getSelector().getMatchLabels());

        // no fabric8 model for the Prometheus Operator kinds on this classpath: generic objects
        GenericKubernetesResource monitor = (GenericKubernetesResource) chart.byKind("ServiceMonitor", "podnet").orElseThrow();
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        assertThat((Object) monitor.get("spec", "endpoints", 0, "port")).isEqualTo("http-metrics");
        assertThat((Object) monitor.get("spec", "endpoints", 0, "path")).isEqualTo("/q/metrics");
        assertThat((Object) monitor.get("spec", "selector", "matchLabels")).isEqualTo(ds.getSpec().getSelector().getMatchLabels());
        GenericKubernetesResource podMonitor = (GenericKubernetesResource) chart.byKind("PodMonitor", "podnet").orElseThrow();
        assertThat((Object) podMonitor.get("spec", "podMetricsEndpoints", 0, "port")).isEqualTo("http");
        assertThat((Object) podMonitor.get("spec", "podMetricsEndpoints", 0, "path")).isEqualTo("/q/metrics");

        Properties props = applicationProperties(chart);
        assertThat(props).containsEntry("quarkus.http.port", "9100")
                .containsEntry("podnet.netns-dir", "/var/run/netns")
                .containsEntry("podnet.state-dir", "/data/podnet")
                .containsEntry("quarkus.log.category.\"io.podnet\".level", "DEBUG")
                .containsEntry("quarkus.log.level", "WARN");
        assertThat(mapping(props).resyncInterval()).hasSeconds(30);
        // no denied port at all: an empty value would stop the agent, so the chart says none
        assertThat(PortPolicy.parseDenied(mapping(props).ports().denied())).isEmpty();

        // the network files are what the agent's loader accepts
        ConfigMap networks = (ConfigMap) chart.byKind("ConfigMap", "podnet-networks").orElseThrow();
        assertThat(networks.getData()).containsOnlyKeys("backend.json", "frontend.json");
        Path networksDir = Files.createDirectories(dir.resolve("networks"));
        for (Map.Entry<String, String> e : networks.getData().entrySet()) {
            Files.writeString(networksDir.resolve(e.getKey()), e.getValue());
        }
        NetworkDefinitions loaded = NetworkDefinitions.load(networksDir);
        NetworkDefinition backend = loaded.get("backend").orElseThrow();
        assertThat(backend.bridgeName()).isEqualTo("podnet1");
        assertThat(loaded.get("frontend").orElseThrow().bridgeName()).isEqualTo("podnet2");
        assertThat(loaded.get(NetworkDefinitions.DEFAULT_NETWORK)).isEmpty();

        // a changed network definition rolls the agents
        assertThat(ds.getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config"))
                .isNotEqualTo(defaults.one(DaemonSet.class).getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config"));
    }

    @Test
    void theSchemaRejectsBadValues() {
        // Helm names the offending value by its JSON pointer
        assertRejected(t -> t.set("http.port", -1), "/http/port");
        assertRejected(t -> t.set("http.port", 70000), "/http/port");
        assertRejected(t -> t.set("updateStrategy.maxUnavailable", 0), "/updateStrategy/maxUnavailable");
        assertRejected(t -> t.set("node.netnsDir", "run/netns"), "/node/netnsDir");
        assertRejected(t -> t.set("node.resyncInterval", "soon"), "/node/resyncInterval");
        assertRejected(t -> t.set("image.pullPolicy", "Sometimes"), "/image/pullPolicy");
        // a misspelt key is an error, not silently ignored
        assertRejected(t -> t.set("nodes.netnsDir", "/run/netns"), "nodes");
        assertRejected(t -> t.set("networks.bad/name.network_interface", "x"), "'bad/name' does not match pattern");
        assertRejected(t -> t.set("networks.backend.driver", "bridge"), "network_interface");
        assertRejected(t -> t.set("extraEnv[0].name", "PODNET_NODE_NAME"), "/extraEnv/0/name");
    }

    @Test
    void templatesRefuseWhatTheSchemaCannotSay() {
        assertRejected(t -> t.set("node.properties.podnet\\.node-name", "other"), "set by the chart");
        assertRejected(t -> t.set("networks.backend.network_interface", "podnet1").set("networks.backend.name", "frontend"),
                "the key is the network's name");
        assertRejected(t -> t.set("serviceAccount.create", false), "serviceAccount.name is required");
    }

    @Test
    void theChartsCrdIsTheTopLevelCrdByteForByte() throws IOException {
        Path top = CrdFiles.TOP_LEVEL;
        Path chart = CHART.resolve("crds").resolve(top.getFileName());
        if (Boolean.getBoolean("podnet.crd.update")) {
            Files.copy(top, chart, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(Files.mismatch(top, chart))
                .as("%s differs from %s; copy it (./mvnw test -Dtest=HelmChartTest -Dpodnet.crd.update=true)", chart, top)
                .isEqualTo(-1L);
        try (var files = Files.list(CHART.resolve("crds"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly(top.getFileName().toString());
        }
        assertThat(Serialization.unmarshal(Files.readString(chart), CustomResourceDefinition.class).getSpec().getGroup())
                .isEqualTo("podnet.io");
    }

    private static void assertRejected(UnaryOperator<TemplateCommand> values, String mentioned) {
        assertThatThrownBy(() -> render(values)).hasMessageContaining(mentioned);
    }

    private static PolicyRule rule(String group, String resource, String... verbs) {
        return new PolicyRuleBuilder().withApiGroups(group).withResources(resource).withVerbs(verbs).build();
    }

    static Container agent(DaemonSet ds) {
        List<Container> containers = ds.getSpec().getTemplate().getSpec().getContainers();
        assertThat(containers).extracting(Container::getName).containsExactly("agent");
        assertThat(ds.getSpec().getTemplate().getSpec().getInitContainers()).isNullOrEmpty();
        return containers.get(0);
    }

    private static EnvVar env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name + " in " + c.getEnv()));
    }

    private static VolumeMount mount(Container c, String path) {
        return c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("no mount at " + path + " in " + c.getVolumeMounts()));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    private static void assertHostPath(Volume v, String path) {
        assertThat(v.getHostPath()).as("volume %s is a hostPath", v.getName()).isNotNull();
        assertThat(v.getHostPath().getPath()).isEqualTo(path);
        assertThat(v.getHostPath().getType()).isEqualTo("DirectoryOrCreate");
    }

    private static Properties applicationProperties(Chart chart) throws IOException {
        return applicationProperties((ConfigMap) chart.byKind("ConfigMap", "podnet-config").orElseThrow());
    }

    static Properties applicationProperties(ConfigMap cm) throws IOException {
        Properties props = new Properties();
        props.load(new StringReader(cm.getData().get("application.properties")));
        return props;
    }

    static PodnetConfig mapping(Properties props) {
        Map<String, String> map = new java.util.HashMap<>();
        props.forEach((k, v) -> map.put((String) k, (String) v));
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(PodnetConfig.class)
                // what Quarkus registers for Duration: "10s" as well as "PT10S"
                .withConverter(java.time.Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(map, "chart application.properties", 260))
                .build();
        return config.getConfigMapping(PodnetConfig.class);
    }
}
