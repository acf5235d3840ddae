package io.podnet.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;

class EmbeddedApiPiecesTest {
    @Test
    void fieldSelectorsTheMockLacksAreTakenOutAndAppliedToItems() {
        FieldSelectorEmulation s = FieldSelectorEmulation.of("fieldSelector=spec.nodeName%3Dnode-1%2Cmetadata.name%3Dweb&limit=5");
        assertThat(s.requirements()).containsExactly(new FieldSelectorEmulation.Requirement("spec.nodeName", "node-1", false));
        assertThat(s.rewrittenQuery()).isEqualTo("fieldSelector=metadata.name%3Dweb&limit=5");
        JsonNode list = Serialization.unmarshal("{\"kind\":\"List\",\"items\":[{\"spec\":{\"nodeName\":\"node-1\"}},{\"spec\":{\"nodeName\":\"node-2\"}}]}",
                JsonNode.class);
        s.filter(list);
        assertThat(list.get("items")).hasSize(1);
        assertThat(FieldSelectorEmulation.of("fieldSelector=metadata.name%3Dweb")).isNull();
        assertThat(FieldSelectorEmulation.parse("involvedObject.uid!=x")).isEqualTo(new FieldSelectorEmulation.Requirement("involvedObject.uid", "x", true));
    }

    @Test
    void tablesPrintTheCrdColumnsWithAges() throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(Path.of("crds/podnetworks.podnet.io-v1.yml")),
                CustomResourceDefinition.class);
        String created = Instant.now().minusSeconds(300).toString();
        JsonNode item = Serialization.unmarshal("{\"metadata\":{\"name\":\"web\",\"creationTimestamp\":\"" + created + "\"},"
                + "\"spec\":{\"nodeName\":\"n1\",\"mode\":\"Rootful\"},\"status\":{\"phase\":\"Ready\",\"inspect\":{\"ipAddress\":\"10.89.0.2\"}}}",
                JsonNode.class);
        Map<String, Object> table = PrinterTable.of(crd, "v1alpha1", item);
        JsonNode t = Serialization.jsonMapper().valueToTree(table);
        assertThat(t.get("columnDefinitions").findValuesAsText("name")).contains("Name", "Node", "Mode", "Phase", "IP", "Age");
        assertThat(t.at("/rows/0/cells").toString()).contains("\"web\"", "\"n1\"", "\"Rootful\"", "\"Ready\"", "\"10.89.0.2\"", "\"5m\"");
        assertThat(PrinterTable.age(Instant.now().minusSeconds(30).toString(), Instant.now())).isEqualTo("30s");
        assertThat(PrinterTable.age(Instant.now().minusSeconds(3 * 86400).toString(), Instant.now())).isEqualTo("3d");
    }

    @Test
    void eventsArePrintedWithTheApiServersColumns() {
        String seen = Instant.now().minusSeconds(90).toString();
        JsonNode list = Serialization.unmarshal("{\"kind\":\"EventList\",\"items\":[{\"metadata\":{\"name\":\"web.x7k2q\"},"
                + "\"type\":\"Warning\",\"reason\":\"UnknownNetwork\",\"message\":\"network \\\"x\\\" is not defined\","
                + "\"involvedObject\":{\"kind\":\"PodNetwork\",\"name\":\"web\"},\"lastTimestamp\":\"" + seen + "\","
                + "\"firstTimestamp\":\"" + seen + "\",\"count\":2,\"source\":{\"component\":\"podnet-agent\",\"host\":\"n1\"}}]}",
                JsonNode.class);
        JsonNode t = Serialization.jsonMapper().valueToTree(PrinterTable.ofEvents(list));
        assertThat(t.get("columnDefinitions").findValuesAsText("name"))
                .containsExactly("Last Seen", "Type", "Reason", "Object", "Message", "Source", "First Seen", "Count", "Name");
        assertThat(t.at("/rows/0/cells").toString()).isEqualTo(
                "[\"90s\",\"Warning\",\"UnknownNetwork\",\"podnetwork/web\",\"network \\\"x\\\" is not defined\","
                        + "\"podnet-agent, n1\",\"90s\",2,\"web.x7k2q\"]");
    }

    @Test
    void generateNameGetsFiveCharactersOfTheApiServersAlphabet() {
        JsonNode named = Serialization.unmarshal(GeneratedNames.named("{\"metadata\":{\"generateName\":\"web.\"}}"), JsonNode.class);
        assertThat(named.at("/metadata/name").asText()).matches("web\\.[bcdfghjklmnpqrstvwxz2456789]{5}");
        String given = "{\"metadata\":{\"name\":\"db\",\"generateName\":\"web.\"}}";
        assertThat(GeneratedNames.named(given)).isEqualTo(given);
        assertThat(GeneratedNames.named("not json")).isEqualTo("not json");
        assertThat(GeneratedNames.name("x".repeat(300))).hasSize(253);
    }

    @Test
    void createFillsTheSchemaDefaults() throws IOException {
        CustomResourceDefinition crd = Serialization.unmarshal(Files.readString(Path.of("crds/podnetworks.podnet.io-v1.yml")),
                CustomResourceDefinition.class);
        JsonNode pn = Serialization.unmarshal("{\"spec\":{\"nodeName\":\"n1\",\"portMappings\":[{\"containerPort\":80}],\"netns\":{}}}", JsonNode.class);
        SchemaDefaults.apply(pn, crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());
        assertThat(pn.at("/spec/mode").asText()).isEqualTo("Rootful");
        assertThat(pn.at("/spec/portMappings/0/protocol").asText()).isEqualTo("tcp");
        assertThat(pn.at("/spec/portMappings/0/range").asInt()).isEqualTo(1);
        assertThat(pn.at("/spec/netns/type").asText()).isEqualTo("New");
    }

    @Test
    void theEmbeddedApiStartsOnlyWithoutACluster(@TempDir Path home) throws IOException {
        Path own = home.resolve("own-kubeconfig");
        Map<String, String> bare = Map.of("HOME", home.toString());
        assertThat(EmbeddedApiActivation.wanted("auto", own, bare, Optional.empty())).isTrue();
        assertThat(EmbeddedApiActivation.wanted("auto", own, Map.of("HOME", home.toString(), "KUBERNETES_SERVICE_HOST", "10.0.0.1"),
                Optional.empty())).isFalse();
        assertThat(EmbeddedApiActivation.wanted("auto", own, bare, Optional.of("https://api:6443"))).isFalse();
        Files.createDirectories(home.resolve(".kube"));
        Files.writeString(home.resolve(".kube/config"), "apiVersion: v1");
        assertThat(EmbeddedApiActivation.wanted("auto", own, bare, Optional.empty())).isFalse();
        // KUBECONFIG pointing at the file an earlier embedded run wrote does not count as a cluster
        Files.writeString(own, "apiVersion: v1");
        assertThat(EmbeddedApiActivation.wanted("auto", own, Map.of("HOME", "/nonexistent", "KUBECONFIG", own.toString()), Optional.empty())).isTrue();
        assertThat(EmbeddedApiActivation.wanted("false", own, bare, Optional.empty())).isFalse();
        assertThat(EmbeddedApiActivation.wanted("true", own, Map.of("KUBERNETES_SERVICE_HOST", "x"), Optional.empty())).isTrue();
        assertThatThrownBy(() -> EmbeddedApiActivation.wanted("maybe", own, bare, Optional.empty()))
                .hasMessageContaining("auto, true or false");
    }
}
