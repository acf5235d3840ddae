package io.podnet.operator.embedded;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Field selectors the mock server does not know (it matches metadata.name and
 * metadata.namespace only): taken out of the query and applied to the listed items instead,
 * e.g. {@code spec.nodeName=node-1} for the agent's informer or {@code involvedObject.uid=...}
 * for kubectl describe's events. Watches are not filtered: the agent filters again.
 */
final class FieldSelectorEmulation {
    private static final Set<String> NATIVE = Set.of("metadata.name", "metadata.namespace");

    record Requirement(String path, String value, boolean negated) {
        boolean matches(JsonNode item) {
            JsonNode node = PrinterTable.at(item, path);
            String actual = node.isMissingNode() || node.isNull() ? "" : node.asText();
            return actual.equals(value) != negated;
        }
    }

    private final List<Requirement> emulated;
    private final String rewrittenQuery;

    private FieldSelectorEmulation(List<Requirement> emulated, String rewrittenQuery) {
        this.emulated = emulated;
        this.rewrittenQuery = rewrittenQuery;
    }

    /** Null when the query has no field selector the mock cannot do itself. */
    static FieldSelectorEmulation of(String rawQuery) {
        if (rawQuery == null || !rawQuery.contains("fieldSelector=")) {
            return null;
        }
        List<Requirement> emulated = new ArrayList<>();
        List<String> params = new ArrayList<>();
        for (String param : rawQuery.split("&")) {
            if (!param.startsWith("fieldSelector=")) {
                params.add(param);
                continue;
            }
            List<String> kept = new ArrayList<>();
            String selector = URLDecoder.decode(param.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
            for (String raw : selector.split(",")) {
                Requirement r = parse(raw.trim());
                if (r == null || NATIVE.contains(r.path())) {
                    kept.add(raw);
                } else {
                    emulated.add(r);
                }
            }
            if (!kept.isEmpty()) {
                params.add("fieldSelector=" + URLEncoder.encode(String.join(",", kept), StandardCharsets.UTF_8));
            }
        }
        return emulated.isEmpty() ? null : new FieldSelectorEmulation(emulated, String.join("&", params));
    }

    static Requirement parse(String requirement) {
        int ne = requirement.indexOf("!=");
        if (ne > 0) {
            return new Requirement(requirement.substring(0, ne), requirement.substring(ne + 2), true);
        }
        int eq = requirement.indexOf("==");
        if (eq > 0) {
            return new Requirement(requirement.substring(0, eq), requirement.substring(eq + 2), false);
        }
        eq = requirement.indexOf('=');
        return eq > 0 ? new Requirement(requirement.substring(0, eq), requirement.substring(eq + 1), false) : null;
    }

    List<Requirement> requirements() {
        return emulated;
    }

    /** The query without the emulated requirements. */
    String rewrittenQuery() {
        return rewrittenQuery;
    }

    /** Keeps the list items that match every emulated requirement; other bodies unchanged. */
    void filter(JsonNode body) {
        if (body instanceof ObjectNode list && list.get("items") instanceof ArrayNode items) {
            ArrayNode kept = list.putArray("items");
            for (JsonNode item : items) {
                if (emulated.stream().allMatch(r -> r.matches(item))) {
                    kept.add(item);
                }
            }
        }
    }
}
