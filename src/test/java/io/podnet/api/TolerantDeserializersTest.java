package io.podnet.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.client.utils.Serialization;

/** A PodNetwork whose spec or status does not fit the model still reads, so one bad object cannot fail a whole list. */
class TolerantDeserializersTest {
    private static final String GOOD = """
            {"apiVersion": "podnet.io/v1alpha1", "kind": "PodNetwork", "metadata": {"name": "good", "namespace": "default", "uid": "u1"},
             "spec": {"nodeName": "n1", "portMappings": [{"hostPort": 8080, "containerPort": 80}]}}""";

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"nodeName\": \"n1\", \"portMappings\": [{\"hostPort\": 99999999999, \"containerPort\": 80}]}",
            "{\"nodeName\": \"n1\", \"portMappings\": [{\"hostPort\": \"eighty\", \"containerPort\": 80}]}",
            "{\"nodeName\": \"n1\", \"mode\": \"Bridged\"}",
            "{\"nodeName\": \"n1\", \"networks\": {\"name\": \"podnet\"}}",
            "{\"nodeName\": \"n1\", \"netns\": \"New\"}"})
    void aSpecThatDoesNotFitIsAMarkerWithTheNodeAndTheProblem(String spec) throws Exception {
        String json = "{\"apiVersion\": \"podnet.io/v1alpha1\", \"kind\": \"PodNetworkList\", \"items\": [" + GOOD + ","
                + "{\"apiVersion\": \"podnet.io/v1alpha1\", \"kind\": \"PodNetwork\", \"metadata\": {\"name\": \"bad\"}, \"spec\": " + spec + "}]}";
        List<PodNetwork> items = Serialization.jsonMapper().readValue(json,
                new com.fasterxml.jackson.core.type.TypeReference<io.fabric8.kubernetes.api.model.DefaultKubernetesResourceList<PodNetwork>>() {
                }).getItems();
        assertThat(items).hasSize(2);
        assertThat(items.get(0).getSpec().getMappingProblem()).isNull();
        assertThat(items.get(0).getSpec().getPortMappings().get(0).getHostPort()).isEqualTo(8080);
        PodNetworkSpec bad = items.get(1).getSpec();
        assertThat(bad.getNodeName()).isEqualTo("n1");
        assertThat(bad.getMappingProblem()).startsWith("spec.");
    }

    @Test
    void theProblemNamesTheField() {
        PodNetwork pn = Serialization.unmarshal("{\"apiVersion\": \"podnet.io/v1alpha1\", \"kind\": \"PodNetwork\", \"metadata\": {\"name\": \"x\"},"
                + " \"spec\": {\"nodeName\": \"n1\", \"portMappings\": [{\"hostPort\": 99999999999, \"containerPort\": 80}]}}", PodNetwork.class);
        assertThat(pn.getSpec().getMappingProblem()).startsWith("spec.portMappings[0].hostPort: ").contains("99999999999");
    }

    @Test
    void aNodeNameThatIsNotAStringIsNoNode() {
        PodNetwork pn = Serialization.unmarshal("{\"apiVersion\": \"podnet.io/v1alpha1\", \"kind\": \"PodNetwork\", \"metadata\": {\"name\": \"x\"},"
                + " \"spec\": {\"nodeName\": [\"n1\"]}}", PodNetwork.class);
        assertThat(pn.getSpec().getNodeName()).isNull();
        assertThat(pn.getSpec().getMappingProblem()).startsWith("spec.nodeName");
    }

    @Test
    void aStatusThatDoesNotFitReadsAsNone() {
        PodNetwork pn = Serialization.unmarshal("{\"apiVersion\": \"podnet.io/v1alpha1\", \"kind\": \"PodNetwork\", \"metadata\": {\"name\": \"x\"},"
                + " \"spec\": {\"nodeName\": \"n1\"}, \"status\": {\"observedGeneration\": \"many\"}}", PodNetwork.class);
        assertThat(pn.getStatus()).isNull();
        assertThat(pn.getSpec().getMappingProblem()).isNull();
    }

    @Test
    void anUnmappableSpecSurvivesACloneAndIsWrittenBackAsItWas() throws Exception {
        String spec = "{\"nodeName\":\"n1\",\"portMappings\":[{\"hostPort\":99999999999,\"containerPort\":80}]}";
        PodNetwork pn = Serialization.unmarshal("{\"apiVersion\": \"podnet.io/v1alpha1\", \"kind\": \"PodNetwork\", \"metadata\": {\"name\": \"x\"},"
                + " \"spec\": " + spec + "}", PodNetwork.class);
        com.fasterxml.jackson.databind.ObjectMapper agents = new com.fasterxml.jackson.databind.ObjectMapper()
                .registerModule(TolerantDeserializers.specWriter());
        String written = agents.writeValueAsString(pn);
        assertThat(written).contains("\"spec\":" + spec);
        // JOSDK hands the reconciler a clone made by writing and reading again
        PodNetwork clone = agents.readValue(written, PodNetwork.class);
        assertThat(clone.getSpec().getMappingProblem()).startsWith("spec.portMappings[0].hostPort: ").contains("99999999999");
        assertThat(clone.getSpec().getNodeName()).isEqualTo("n1");
    }

    @Test
    void aGoodPodNetworkWritesBackWithoutTheMarker() {
        PodNetwork pn = Serialization.unmarshal(GOOD, PodNetwork.class);
        assertThat(Serialization.asJson(pn)).doesNotContain("mappingProblem");
    }
}
