package io.podnet.apiserver;

import java.nio.file.Path;
import java.util.List;

import com.marcnuri.helm.Helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.testing.Chart;

/**
 * The chart's RBAC as shipped for a node policy that selects namespaces by label (so the agent
 * may read namespaces): helm template (real Helm, through helm-java) renders the
 * ServiceAccount, ClusterRole, ClusterRoleBinding and the node-lease Role and RoleBinding, they are applied to the real API server,
 * and a TokenRequest gives the token the agent then runs with.
 */
public final class ChartRbac {
    static final String RELEASE = "podnet";
    public static final String NAMESPACE = "podnet-system";
    private static String token;

    private ChartRbac() {
    }

    /** A grant that selects by label, as the agent tests' policies have. */
    static final String POLICY_VALUES = """
            policy:
              grants:
                - {name: everyone, namespaces: ["*"], rootful: true, hostPorts: ["1-65535"], hostIPs: [0.0.0.0/0, "::/0"]}
                - {name: by-label, namespaceSelector: {podnet-test/grant: "yes"}}
            """;

    static List<HasMetadata> rendered() {
        Path values;
        try {
            values = java.nio.file.Files.createTempFile("podnet-rbac-values", ".yaml");
            java.nio.file.Files.writeString(values, POLICY_VALUES);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        Chart chart;
        try {
            chart = Chart.parse(new Helm(Path.of("helm", "podnet")).template().withName(RELEASE).withNamespace(NAMESPACE)
                    .withKubeVersion("1.36.3").withValuesFile(values).call());
        } finally {
            values.toFile().delete();
        }
        return List.of(chart.one(ServiceAccount.class), chart.one(ClusterRole.class), chart.one(ClusterRoleBinding.class),
                chart.one(Role.class), chart.one(RoleBinding.class));
    }

    /** Applies the chart's RBAC (once per run) and returns a token of the chart's ServiceAccount. */
    /**
     * The environment of a packaged agent (AgentProcess) on the real API server, with the chart's
     * service account and its node leases in the chart's namespace.
     */
    public static java.util.Map<String, String> agentEnvironment(io.podnet.testing.kube.LocalApiServer server, KubernetesClient admin) {
        return java.util.Map.of(
                "PODNET_EMBEDDED_ENABLED", "false",
                "QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", server.url(),
                "QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE", server.caFile().toString(),
                "QUARKUS_KUBERNETES_CLIENT_TOKEN", agentToken(admin),
                "PODNET_NODE_GONE_LEASE_NAMESPACE", NAMESPACE);
    }

    public static synchronized String agentToken(KubernetesClient admin) {
        if (token == null) {
            if (admin.namespaces().withName(NAMESPACE).get() == null) {
                admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build()).create();
            }
            ServiceAccount account = null;
            for (HasMetadata object : rendered()) {
                if (object instanceof ServiceAccount sa) {
                    account = sa;
                }
                admin.resource(object).forceConflicts().serverSideApply();
            }
            TokenRequest request = new TokenRequestBuilder().withNewSpec().withExpirationSeconds(6L * 3600).endSpec().build();
            token = admin.serviceAccounts().inNamespace(NAMESPACE).withName(account.getMetadata().getName()).tokenRequest(request)
                    .getStatus().getToken();
        }
        return token;
    }

    static String serviceAccountUser() {
        ServiceAccount sa = (ServiceAccount) rendered().get(0);
        return "system:serviceaccount:" + NAMESPACE + ":" + sa.getMetadata().getName();
    }
}
