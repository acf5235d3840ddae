package io.podnet.apiserver;

import java.util.HashMap;
import java.util.Map;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.operator.SandboxHostResource;
import io.podnet.testing.RootCondition;
import io.podnet.testing.kube.KubeBinaries;
import io.podnet.testing.kube.LocalApiServer;

/**
 * Starts the agent of a test against the run's real kube-apiserver instead of the embedded API:
 * the CRD from crds/, the chart's RBAC, and the agent authenticated as the chart's
 * ServiceAccount by a TokenRequest token. The kernel side is the usual sandbox host namespace.
 */
public class ApiServerAgentResource extends SandboxHostResource {
    public static final String NODE = "node-a";
    public static final java.time.Duration GRACE = java.time.Duration.ofSeconds(4);

    @Override
    public Map<String, String> start() {
        if (!RootCondition.isRoot() || KubeBinaries.find().isEmpty()) {
            return Map.of(); // the test class is skipped, saying why
        }
        Map<String, String> config = new HashMap<>(super.start());
        LocalApiServer server = LocalApiServer.shared();
        String token;
        try (KubernetesClient admin = server.adminClient()) {
            Crds.apply(admin);
            token = ChartRbac.agentToken(admin);
        }
        config.put("podnet.embedded.enabled", "false");
        config.put("podnet.node-name", NODE);
        config.put("quarkus.kubernetes-client.api-server-url", server.url());
        config.put("quarkus.kubernetes-client.ca-cert-file", server.caFile().toString());
        config.put("quarkus.kubernetes-client.token", token);
        config.put("quarkus.kubernetes-client.namespace", "default");
        // as the chart sets them: leases in the release namespace; a short grace so a test sees a node go
        config.put("podnet.node-gone.lease-namespace", ChartRbac.NAMESPACE);
        config.put("podnet.node-gone.grace", GRACE.toSeconds() + "s");
        return config;
    }
}
