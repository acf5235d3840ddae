package io.podnet.api;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A PodNetwork whose spec or status does not fit the model (a number beyond its field's type, a
 * string where a number belongs, an unknown enum value, a list where an object belongs) must not
 * fail the informer's whole list or watch, which would stop every other PodNetwork of the node
 * with it. Such a spec is kept as a marker naming the problem, with the node name when that much
 * is readable; such a status reads as none (the agent writes a new one).
 */
final class TolerantDeserializers {
    private TolerantDeserializers() {
    }

    static final class Spec extends JsonDeserializer<PodNetworkSpec> {
        @Override
        public PodNetworkSpec deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonNode tree = parser.readValueAsTree();
            try {
                return parser.getCodec().treeToValue(tree, PodNetworkSpec.class);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                PodNetworkSpec unmappable = new PodNetworkSpec();
                JsonNode node = tree == null ? null : tree.get("nodeName");
                unmappable.setNodeName(node != null && node.isTextual() ? node.asText() : null);
                unmappable.setMappingProblem(describe(e));
                return unmappable;
            }
        }
    }

    static final class Status extends JsonDeserializer<PodNetworkStatus> {
        @Override
        public PodNetworkStatus deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            JsonNode tree = parser.readValueAsTree();
            try {
                return parser.getCodec().treeToValue(tree, PodNetworkStatus.class);
            } catch (JsonProcessingException | IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** Where and what, without Jackson's source excerpt: "spec.portMappings[0].hostPort: Numeric value (...) out of range of int". */
    static String describe(Exception e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m) {
            StringBuilder path = new StringBuilder("spec");
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
                if (r.getFieldName() != null) {
                    path.append('.').append(r.getFieldName());
                } else if (r.getIndex() >= 0) {
                    path.append('[').append(r.getIndex()).append(']');
                }
            }
            return path + ": " + m.getOriginalMessage();
        }
        if (e instanceof JsonProcessingException p) {
            return "spec: " + p.getOriginalMessage();
        }
        return "spec: " + e.getMessage();
    }
}
