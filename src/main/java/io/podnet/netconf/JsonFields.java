package io.podnet.netconf;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed reads of the fields of one file's JSON tree. A JSON {@code null} counts as an absent
 * field; a value of the wrong type is an error naming the file, the field and what was found,
 * where binding to classes would coerce it or report Jackson's wording instead.
 */
final class JsonFields {
    private final String file;
    /** The network's name once read and valid, so that every later error names it too. */
    private String network;

    JsonFields(String file) {
        this.file = file;
    }

    void network(String name) {
        this.network = name;
    }

    NetworkDefinitionException fail(String problem) {
        return fail(problem, NetworkDefinitionException.INVALID);
    }

    NetworkDefinitionException fail(String problem, String reason) {
        return new NetworkDefinitionException(file, problem, network, reason, null);
    }

    /**
     * The text of {@code parent.field}, or null when absent and not required; a required string
     * must not be empty. {@code where} is the field's path, as the error shows it.
     */
    String string(JsonNode parent, String field, String where, boolean required) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                throw fail("\"" + where + "\" is required");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw fail("\"" + where + "\" must be a string, found " + kind(n));
        }
        if (required && n.textValue().isEmpty()) {
            throw fail("\"" + where + "\" must not be empty");
        }
        return n.textValue();
    }

    /** {@code parent.field} as a boolean; absent is false. */
    boolean bool(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw fail("\"" + field + "\" must be true or false, found " + kind(n));
        }
        return n.booleanValue();
    }

    /**
     * {@code parent.field} as a map sorted by key, empty when absent. Values are strings, or
     * numbers and booleans taken as their text (netavark files written by hand have
     * {@code "mtu": 1500}); arrays, objects and null are refused.
     */
    Map<String, String> stringMap(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return Map.of();
        }
        if (!n.isObject()) {
            throw fail("\"" + field + "\" must be an object, found " + kind(n));
        }
        Map<String, String> out = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            JsonNode v = e.getValue();
            if (!v.isValueNode() || v.isNull()) {
                throw fail("\"" + field + "." + e.getKey() + "\" must be a string, found " + kind(v));
            }
            out.put(e.getKey(), v.asText());
        }
        return out;
    }

    /** {@code parent.field} as a list of strings, empty when absent. */
    List<String> stringList(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw fail("\"" + field + "\" must be an array of strings, found " + kind(n));
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode v = n.get(i);
            if (!v.isTextual()) {
                throw fail("\"" + field + "[" + i + "]\" must be a string, found " + kind(v));
            }
            out.add(v.textValue());
        }
        return out;
    }

    /** {@code parent.field} as a whole number, or null when absent. */
    Integer integer(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw fail("\"" + field + "\" must be a whole number, found " + (n.isNumber() ? n.asText() : kind(n)));
        }
        return n.intValue();
    }

    /** The JSON type of {@code n} with its article, for "found ..." in errors. */
    static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "nothing";
        };
    }
}
