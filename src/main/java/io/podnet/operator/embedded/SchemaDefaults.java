package io.podnet.operator.embedded;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * Applies the {@code default} values of a CRD's structural schema to an object, as an API server
 * does on create and update (the mock server does not), so that objects read back look as they
 * would in a cluster.
 */
final class SchemaDefaults {
    private SchemaDefaults() {
    }

    static void apply(JsonNode node, JSONSchemaProps schema) {
        if (schema == null || node == null) {
            return;
        }
        if (node instanceof ObjectNode object && schema.getProperties() != null) {
            for (Map.Entry<String, JSONSchemaProps> p : schema.getProperties().entrySet()) {
                JSONSchemaProps child = p.getValue();
                if (!object.has(p.getKey()) && child.getDefault() != null) {
                    object.set(p.getKey(), Serialization.jsonMapper().valueToTree(child.getDefault()));
                }
                apply(object.get(p.getKey()), child);
            }
        } else if (node instanceof ArrayNode array && schema.getItems() != null && schema.getItems().getSchema() != null) {
            array.forEach(item -> apply(item, schema.getItems().getSchema()));
        }
    }
}
