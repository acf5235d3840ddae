package io.podnet.api;

import java.io.IOException;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.Module;
import com.fasterxml.jackson.databind.SerializationConfig;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.BeanSerializerModifier;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.databind.util.TokenBuffer;

/**
 * A PodNetwork whose spec or status does not fit the model (a number beyond its field's type, a
 * string where a number belongs, an unknown enum value, a list where an object belongs) must not
 * fail the informer's whole list or watch, which would stop every other PodNetwork of the node
 * with it. Such a spec is kept as a marker naming the problem, with the node name when that much
 * is readable, and is written back as it was read; such a status reads as none (the agent writes
 * a new one).
 */
public final class TolerantDeserializers {
    private TolerantDeserializers() {
    }

    /** What to return when the value does not fit: given the value as read and why it does not fit. */
    private interface Unfit<T> {
        T of(JsonNode tree, Exception problem);
    }

    /**
     * The value as {@code type}; when it does not fit, what {@code unfit} makes of it. The tokens are
     * buffered once (cheaper than a tree) and read again only in the rare case that needs the tree.
     */
    private static <T> T readOr(JsonParser parser, DeserializationContext context, Class<T> type, Unfit<T> unfit) throws IOException {
        TokenBuffer copy = context.bufferAsCopyOfValue(parser);
        try (JsonParser value = copy.asParserOnFirstToken()) {
            return context.readValue(value, type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            try (JsonParser value = copy.asParser(parser.getCodec())) {
                value.nextToken();
                return unfit.of(value.readValueAsTree(), e);
            }
        }
    }

    static final class Spec extends JsonDeserializer<PodNetworkSpec> {
        @Override
        public PodNetworkSpec deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return readOr(parser, context, PodNetworkSpec.class, (tree, problem) -> {
                PodNetworkSpec unmappable = new PodNetworkSpec();
                JsonNode node = tree == null ? null : tree.get("nodeName");
                unmappable.setNodeName(node != null && node.isTextual() ? node.asText() : null);
                unmappable.setMappingProblem(describe(problem));
                unmappable.setUnmappedTree(tree);
                return unmappable;
            });
        }
    }

    /**
     * A Jackson module that writes an unmappable spec back exactly as it was read, so that JOSDK's
     * clones (written and read again) keep the marker and a patch computed from them never touches
     * the spec. A module, not an annotation: the CRD generator would take an annotated spec for
     * "any object".
     */
    public static Module specWriter() {
        return new SimpleModule("podnet-unmappable-spec").setSerializerModifier(new BeanSerializerModifier() {
            @Override
            @SuppressWarnings("unchecked")
            public JsonSerializer<?> modifySerializer(SerializationConfig config, BeanDescription description, JsonSerializer<?> serializer) {
                if (description.getBeanClass() != PodNetworkSpec.class) {
                    return serializer;
                }
                JsonSerializer<Object> bean = (JsonSerializer<Object>) serializer;
                return new StdSerializer<PodNetworkSpec>(PodNetworkSpec.class) {
                    @Override
                    public void serialize(PodNetworkSpec spec, JsonGenerator generator, SerializerProvider provider) throws IOException {
                        if (spec.getUnmappedTree() != null) {
                            generator.writeTree(spec.getUnmappedTree());
                        } else {
                            bean.serialize(spec, generator, provider);
                        }
                    }
                };
            }
        });
    }

    static final class Status extends JsonDeserializer<PodNetworkStatus> {
        @Override
        public PodNetworkStatus deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            return readOr(parser, context, PodNetworkStatus.class, (tree, problem) -> null);
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
