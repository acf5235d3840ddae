package io.podnet.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.fabric8.crdv2.generator.CRDGenerator;

/**
 * crds/ is what users apply: it must be exactly what the model generates (with the generator
 * QOSDK uses). To refresh it after changing the model:
 * {@code ./mvnw test -Dtest=CrdInSyncTest -Dpodnet.crd.update=true} (writes crds/ and the chart's copy)
 */
class CrdInSyncTest {
    static final Path COMMITTED = Path.of("crds", "podnetworks.podnet.io-v1.yml");
    /** The chart ships the same file (HelmChartTest checks they are byte-identical). */
    static final Path CHART_COPY = Path.of("helm", "podnet", "crds", "podnetworks.podnet.io-v1.yml");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void theCommittedCrdMatchesTheModel(@TempDir Path out) throws IOException {
        new CRDGenerator().inOutputDir(out.toFile()).forCRDVersions("v1").customResourceClasses(PodNetwork.class).generate();
        Path generated = out.resolve(COMMITTED.getFileName());
        if (Boolean.getBoolean("podnet.crd.update")) {
            Files.copy(generated, COMMITTED, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(generated, CHART_COPY, StandardCopyOption.REPLACE_EXISTING);
        }
        JsonNode expected = YAML.readTree(generated.toFile());
        JsonNode committed = YAML.readTree(COMMITTED.toFile());
        assertThat(committed)
                .as("crds/ is out of date with the model; run ./mvnw test -Dtest=CrdInSyncTest -Dpodnet.crd.update=true")
                .isEqualTo(expected);
    }

    @Test
    void theCrdDeclaresTheApiOfTheDesign() throws IOException {
        JsonNode crd = YAML.readTree(COMMITTED.toFile());
        assertThat(crd.at("/spec/group").asText()).isEqualTo("podnet.io");
        assertThat(crd.at("/spec/scope").asText()).isEqualTo("Namespaced");
        assertThat(crd.at("/spec/names/shortNames").toString()).contains("pn");
        JsonNode v = crd.at("/spec/versions/0");
        assertThat(v.get("name").asText()).isEqualTo("v1alpha1");
        assertThat(v.at("/subresources/status").isObject()).isTrue();
        assertThat(v.get("selectableFields").toString()).contains(".spec.nodeName");
        // the generator decides the column order
        assertThat(v.get("additionalPrinterColumns").findValuesAsText("name")).containsExactlyInAnyOrder("Node", "Mode", "Phase", "IP", "Age");
        JsonNode spec = v.at("/schema/openAPIV3Schema/properties/spec");
        assertThat(spec.get("required").toString()).contains("nodeName");
        assertThat(spec.at("/properties/nodeName/x-kubernetes-validations").toString()).contains("self == oldSelf");
        assertThat(spec.at("/properties/networks/items/properties/interfaceName/maxLength").asInt()).isEqualTo(15);
        assertThat(spec.at("/properties/networks/x-kubernetes-validations").toString()).contains("interface names must be unique");
        assertThat(spec.at("/properties/portMappings/items/properties/hostPort/maximum").asInt()).isEqualTo(65535);
        assertThat(spec.at("/properties/portMappings/items/x-kubernetes-validations").toString()).contains("hostPort + range - 1");
    }
}
