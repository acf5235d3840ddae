package io.podnet.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podnet.api.PodNetwork;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * The committed CRD on a real kube-apiserver: it is accepted (CEL cost included), and the server
 * enforces its types, ranges, patterns and CEL rules, defaults and prunes, keeps nodeName
 * immutable, and answers field selectors on spec.nodeName.
 */
@RequiresApiServer
class CrdOnApiServerTest {
    private static final String NS = "crd-" + UUID.randomUUID().toString().substring(0, 8);
    private static KubernetesClient admin;

    @BeforeAll
    static void crd() {
        admin = LocalApiServer.shared().adminClient();
        Crds.apply(admin);
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
    }

    @AfterAll
    static void close() {
        if (admin != null) {
            admin.genericKubernetesResources(PodNetwork.GROUP + "/" + PodNetwork.VERSION, "PodNetwork").inNamespace(NS).delete();
            admin.close();
        }
    }

    private static GenericKubernetesResource object(String name, String specYaml) {
        return admin.resource("""
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata: {name: %s, namespace: %s}
                spec:
                %s
                """.formatted(name, NS, specYaml.indent(2))).item() instanceof GenericKubernetesResource g ? g : null;
    }

    private static GenericKubernetesResource create(String name, String specYaml) {
        return admin.resource(object(name, specYaml)).create();
    }

    static List<Arguments> invalidSpecs() {
        return List.of(
                Arguments.of("no node", "networks: []", "spec.nodeName: Required value"),
                Arguments.of("host port too big", "nodeName: n1\nportMappings: [{hostPort: 70000, containerPort: 80}]",
                        "should be less than or equal to 65535"),
                Arguments.of("host port beyond int64", "nodeName: n1\nportMappings: [{hostPort: 99999999999999999999, containerPort: 80}]",
                        "spec.portMappings[0].hostPort"),
                Arguments.of("host port a string", "nodeName: n1\nportMappings: [{hostPort: \"eighty\", containerPort: 80}]",
                        "spec.portMappings[0].hostPort: Invalid value: \"string\": spec.portMappings[0].hostPort in body must be of type integer"),
                Arguments.of("port zero", "nodeName: n1\nportMappings: [{containerPort: 0}]", "should be greater than or equal to 1"),
                Arguments.of("range past 65535", "nodeName: n1\nportMappings: [{hostPort: 65530, containerPort: 80, range: 10}]",
                        "hostPort + range - 1 must not exceed 65535"),
                Arguments.of("host IP not an IP", "nodeName: n1\nportMappings: [{hostIP: \"10.0.0.300\", containerPort: 80}]",
                        "hostIP must be an IP address"),
                Arguments.of("protocol", "nodeName: n1\nportMappings: [{containerPort: 80, protocol: icmp}]", "spec.portMappings[0].protocol"),
                Arguments.of("unknown mode", "nodeName: n1\nmode: Bridged", "Unsupported value: \"Bridged\""),
                Arguments.of("interface name longer than 15", "nodeName: n1\nnetworks: [{name: podnet, interfaceName: interface-name-too-long}]",
                        "spec.networks[0].interfaceName: Too long"),
                Arguments.of("a network twice", "nodeName: n1\nnetworks: [{name: podnet}, {name: podnet}]", "a network may be listed only once"),
                Arguments.of("interface names twice", "nodeName: n1\nnetworks: [{name: a, interfaceName: eth1}, {name: b, interfaceName: eth1}]",
                        "interface names must be unique"),
                Arguments.of("static IP", "nodeName: n1\nnetworks: [{name: podnet, staticIPs: [\"not-an-ip\"]}]", "staticIPs must be IP addresses"),
                Arguments.of("Path without path", "nodeName: n1\nnetns: {type: Path}", "netns.path is required when netns.type is Path"),
                Arguments.of("networks of the wrong shape", "nodeName: n1\nnetworks: {name: podnet}", "spec.networks: Invalid value: \"object\""),
                Arguments.of("node name not a DNS name", "nodeName: \"Node_1\"", "spec.nodeName: Invalid value: \"Node_1\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSpecs")
    void theServerRefusesAnInvalidSpecWithItsReason(String what, String spec, String message) {
        String name = "bad-" + UUID.randomUUID().toString().substring(0, 8);
        assertThatThrownBy(() -> create(name, spec)).as(what).isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining(message);
        assertThat(admin.genericKubernetesResources(PodNetwork.GROUP + "/" + PodNetwork.VERSION, "PodNetwork").inNamespace(NS)
                .withName(name).get()).as("nothing stored").isNull();
    }

    @Test
    void theServerDefaultsAndPrunes() {
        GenericKubernetesResource got = create("defaults", "nodeName: n1\nbogus: 1\nportMappings: [{containerPort: 80}]");
        @SuppressWarnings("unchecked")
        Map<String, Object> spec = (Map<String, Object>) got.getAdditionalProperties().get("spec");
        assertThat(spec).doesNotContainKey("bogus").containsEntry("mode", "Rootful");
        @SuppressWarnings("unchecked")
        Map<String, Object> port = ((List<Map<String, Object>>) spec.get("portMappings")).get(0);
        assertThat(port).containsEntry("hostPort", 0).containsEntry("protocol", "tcp").containsEntry("range", 1);
    }

    @Test
    void nodeNameIsImmutable() {
        create("immutable", "nodeName: n1");
        assertThatThrownBy(() -> admin.genericKubernetesResources(PodNetwork.GROUP + "/" + PodNetwork.VERSION, "PodNetwork").inNamespace(NS)
                .withName("immutable").edit(g -> {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> spec = (Map<String, Object>) g.getAdditionalProperties().get("spec");
                    spec.put("nodeName", "n2");
                    return g;
                })).isInstanceOf(KubernetesClientException.class).hasMessageContaining("nodeName is immutable");
    }

    @Test
    void theServerSelectsByNodeName() {
        create("on-a", "nodeName: node-a");
        create("on-b", "nodeName: node-b");
        List<String> names = admin.resources(PodNetwork.class).inNamespace(NS).withField("spec.nodeName", "node-a").list().getItems()
                .stream().map(p -> p.getMetadata().getName()).toList();
        assertThat(names).containsExactly("on-a");
    }
}
