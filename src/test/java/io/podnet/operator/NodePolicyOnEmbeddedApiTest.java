package io.podnet.operator;

import static io.podnet.testing.PodNetworks.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.podnet.api.PodNetwork;
import io.podnet.testing.RequiresRoot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A grant that selects namespaces by label works on the embedded API too: the agent watches its
 * Namespace objects, so labelling the namespace grants what it did not have, at the next reconcile.
 */
@QuarkusTest
@RequiresRoot
@TestProfile(NodePolicyOnEmbeddedApiTest.PortsByLabel.class)
@WithTestResource(SandboxHostResource.class)
class NodePolicyOnEmbeddedApiTest extends OperatorTestBase {
    static final String LABEL = "podnet-test/ports";

    public static class PortsByLabel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("podnet.policy.grants", "everyone,ports",
                    "podnet.policy.everyone.namespaces", "*",
                    "podnet.policy.everyone.rootful", "true",
                    "podnet.policy.ports.namespaceSelector", LABEL + "=yes",
                    "podnet.policy.ports.hostPorts", "30000-30009");
        }
    }

    @AfterEach
    void unlabel() {
        client.namespaces().withName(NAMESPACE).edit(ns -> {
            ns.getMetadata().getLabels().remove(LABEL);
            return ns;
        });
    }

    @Test
    void labellingTheNamespaceGrantsItsHostPorts() {
        PodNetwork before = podNetwork("before", "local", network("podnet"));
        before.getSpec().setPortMappings(List.of(port(30005, 80, "tcp", 1)));
        PodNetwork refused = createAndAwait(before, "Failed");
        assertThat(condition(refused, "Ready").getReason()).isEqualTo("HostPortNotGranted");
        assertThat(condition(refused, "Ready").getMessage()).contains("namespace default", "granted: none");

        client.namespaces().withName(NAMESPACE).edit(ns -> {
            ns.getMetadata().setLabels(new java.util.HashMap<>(ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels()));
            ns.getMetadata().getLabels().put(LABEL, "yes");
            return ns;
        });
        // the resync retries the refused one; the informer has seen the label by then
        await().atMost(TIMEOUT).until(() -> "Ready".equals(get("before").getStatus().getPhase()));
        assertThat(get("before").getStatus().getPorts()).singleElement().satisfies(p -> assertThat(p.getHostPort()).isEqualTo(30005));
    }
}
