package io.podnet.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicy;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingAdmissionPolicyBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.podnet.policy.NodePolicy;
import io.podnet.testing.Chart;

/**
 * The chart's node policy: one set of values (policy.grants) written twice, into the agent's
 * application.properties and into the admission policy's parameter ConfigMap, with the same
 * keys and values; the admission policy and its binding installed by default; the agent allowed
 * to read namespaces only when a grant selects them by label.
 */
public class PolicyChartTest {
    static final String GRANTS = """
            policy:
              grants:
                - name: infra
                  namespaces: [kube-system, infra]
                  namespaceSelector: {podnet.io/tier: infra, team: net}
                  netns: [Path, Pid]
                  rootful: true
                  hostPorts: [8080, "30000-30099"]
                  hostIPs: [192.0.2.0/24, "2001:db8::/64"]
                - name: tenants
                  namespaces: ["*"]
                  hostPorts: ["40000-40999"]
            """;

    /** The agent's podnet.policy.* of a rendered chart, as its own config mapping hands them over. */
    public static Map<String, String> agentPolicy(Chart chart) throws IOException {
        return HelmChartTest.mapping(HelmChartTest.applicationProperties(configMap(chart, "-config"))).policy();
    }

    /** The chart's ConfigMap whose name ends so, whatever the release is called. */
    private static ConfigMap configMap(Chart chart, String suffix) {
        return chart.all(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().endsWith(suffix)).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap *" + suffix + " in " + chart.summary()));
    }

    public static Map<String, String> admissionParams(Chart chart) {
        return configMap(chart, "-policy").getData();
    }

    @Test
    void byDefaultBothReadTheDefaultPolicy() throws IOException {
        Chart chart = HelmChartTest.render(t -> t);
        assertThat(NodePolicy.parse(agentPolicy(chart)).data()).isEqualTo(NodePolicy.defaults().data());
        assertThat(NodePolicy.parse(admissionParams(chart)).data()).isEqualTo(NodePolicy.defaults().data());
        assertThat(admissionParams(chart)).isEqualTo(NodePolicy.defaults().data());
        assertThat(agentPolicy(chart).keySet()).isSubsetOf(admissionParams(chart).keySet());
        agentPolicy(chart).forEach((k, v) -> assertThat(admissionParams(chart)).containsEntry(k, v));
    }

    @Test
    void grantsReachTheAgentAndTheApiServerAlike(@TempDir Path dir) throws IOException {
        Path values = Files.writeString(dir.resolve("values.yaml"), GRANTS);
        Chart chart = HelmChartTest.render(t -> t.withValuesFile(values));
        NodePolicy agent = NodePolicy.parse(agentPolicy(chart));
        NodePolicy server = NodePolicy.parse(admissionParams(chart));
        assertThat(agent.data()).isEqualTo(server.data());
        assertThat(admissionParams(chart)).containsEntry("grants", "infra,tenants")
                .containsEntry("infra.namespaceSelector", "podnet.io/tier=infra,team=net")
                .containsEntry("infra.hostPorts", "8080,30000-30099")
                .containsEntry("infra.hostIPs", "192.0.2.0/24,2001:db8::/64")
                .containsEntry("tenants.rootful", "false");
        assertThat(agent.selectsByLabels()).isTrue();
        assertThat(chart.one(ClusterRole.class).getRules()).anySatisfy(r -> {
            assertThat(r.getResources()).containsExactly("namespaces");
            assertThat(r.getVerbs()).containsExactly("get", "list", "watch");
        });
    }

    @Test
    void theAgentReadsNamespacesOnlyWhenAGrantSelectsByLabel() {
        assertThat(HelmChartTest.render(t -> t).one(ClusterRole.class).getRules())
                .noneSatisfy(r -> assertThat(r.getResources()).contains("namespaces"));
    }

    @Test
    void theAdmissionPolicyIsInstalledByDefaultAndReadsTheParameterConfigMap() {
        Chart chart = HelmChartTest.render(t -> t);
        ValidatingAdmissionPolicy vap = chart.one(ValidatingAdmissionPolicy.class);
        assertThat(vap.getSpec().getParamKind().getKind()).isEqualTo("ConfigMap");
        assertThat(vap.getSpec().getFailurePolicy()).isEqualTo("Fail");
        assertThat(vap.getSpec().getMatchConstraints().getResourceRules()).singleElement()
                .satisfies(r -> assertThat(r.getResources()).containsExactly("podnetworks"));
        ValidatingAdmissionPolicyBinding binding = chart.one(ValidatingAdmissionPolicyBinding.class);
        assertThat(binding.getSpec().getPolicyName()).isEqualTo(vap.getMetadata().getName());
        assertThat(binding.getSpec().getValidationActions()).containsExactly("Deny");
        assertThat(binding.getSpec().getParamRef().getName()).isEqualTo("podnet-policy");
        assertThat(binding.getSpec().getParamRef().getNamespace()).isEqualTo(HelmChartTest.NAMESPACE);
        assertThat(binding.getSpec().getParamRef().getParameterNotFoundAction()).isEqualTo("Deny");

        Chart without = HelmChartTest.render(t -> t.set("policy.admission.enabled", false));
        assertThat(without.all(ValidatingAdmissionPolicy.class)).isEmpty();
        assertThat(without.all(ValidatingAdmissionPolicyBinding.class)).isEmpty();
        assertThat(admissionParams(without)).isNotEmpty();
    }

    @Test
    void badGrantsAreRefusedAtInstall(@TempDir Path dir) throws IOException {
        refused(dir, "policy: {grants: [{name: none, namespaces: ['*']}]}", "name");
        refused(dir, "policy: {grants: [{name: a, namespaces: ['*'], netns: [Host]}]}", "netns");
        refused(dir, "policy: {grants: [{name: a, rootful: true}]}", "grants");
        refused(dir, "policy: {grants: [{name: a, namespaceSelector: {}}]}", "grants");
        refused(dir, "policy: {grants: [{name: a, namespaces: [Tenant_A]}]}", "namespaces");
        refused(dir, "policy: {grants: [{name: a, namespaces: ['*']}, {name: a, namespaces: [b]}]}", "given twice");
        refused(dir, "node: {properties: {podnet.policy.grants: none}}", "podnet.policy.grants");
    }

    private static void refused(Path dir, String yaml, String mentioned) throws IOException {
        Path values = Files.writeString(dir.resolve("bad.yaml"), yaml);
        assertThatThrownBy(() -> HelmChartTest.render(t -> t.withValuesFile(values))).hasMessageContaining(mentioned);
    }
}
