package io.podnet.operator.embedded;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;

/**
 * Server-side printing as kubectl asks for it ({@code Accept: ...;as=Table}): a meta.k8s.io/v1
 * Table with a Name column and the CRD's additionalPrinterColumns, so {@code kubectl get pn}
 * shows Node, Mode, Phase and IP as it would against a real API server. Column paths are the
 * simple dotted JSON paths CRDs use.
 */
final class PrinterTable {
    private PrinterTable() {
    }

    static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    /** @param body a single object or a list, as the CRUD store returned it */
    static Map<String, Object> of(CustomResourceDefinition crd, String version, JsonNode body) {
        List<CustomResourceColumnDefinition> columns = crd.getSpec().getVersions().stream()
                .filter(v -> v.getName().equals(version)).findFirst()
                .map(v -> v.getAdditionalPrinterColumns() == null ? List.<CustomResourceColumnDefinition>of() : v.getAdditionalPrinterColumns())
                .orElse(List.of());
        List<Map<String, Object>> definitions = new ArrayList<>();
        definitions.add(column("Name", "string", "name", "Name of the resource", 0));
        for (CustomResourceColumnDefinition c : columns) {
            definitions.add(column(c.getName(), c.getType(), c.getFormat() == null ? "" : c.getFormat(),
                    c.getDescription() == null ? "" : c.getDescription(), c.getPriority() == null ? 0 : c.getPriority()));
        }
        List<JsonNode> items = new ArrayList<>();
        if (body.has("items")) {
            body.get("items").forEach(items::add);
        } else {
            items.add(body);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        java.time.Instant now = java.time.Instant.now();
        for (JsonNode item : items) {
            List<Object> cells = new ArrayList<>();
            cells.add(item.path("metadata").path("name").asText());
            for (CustomResourceColumnDefinition c : columns) {
                JsonNode value = at(item, c.getJsonPath());
                if (value == null || value.isMissingNode() || value.isNull()) {
                    cells.add(null);
                } else if ("date".equals(c.getType())) {
                    cells.add(age(value.asText(), now)); // as the API server prints dates: "5m"
                } else {
                    cells.add(value.isValueNode() ? value.asText() : value.toString());
                }
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("cells", cells);
            row.put("object", Map.of("kind", "PartialObjectMetadata", "apiVersion", "meta.k8s.io/v1", "metadata", item.path("metadata")));
            rows.add(row);
        }
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        table.put("metadata", Map.of("resourceVersion", body.path("metadata").path("resourceVersion").asText("")));
        table.put("columnDefinitions", definitions);
        table.put("rows", rows);
        return table;
    }

    private static Map<String, Object> column(String name, String type, String format, String description, int priority) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("name", name);
        c.put("type", type);
        c.put("format", format);
        c.put("description", description);
        c.put("priority", priority);
        return c;
    }

    /** kubectl's short age: 45s, 12m, 3h, 2d (the API server's translateTimestampSince). */
    static String age(String timestamp, java.time.Instant now) {
        try {
            long s = Math.max(0, java.time.Duration.between(java.time.Instant.parse(timestamp), now).getSeconds());
            if (s < 120) {
                return s + "s";
            }
            if (s < 2 * 3600) {
                return s / 60 + "m";
            }
            if (s < 48 * 3600) {
                return s / 3600 + "h";
            }
            return s / 86400 + "d";
        } catch (java.time.format.DateTimeParseException e) {
            return timestamp;
        }
    }

    /** Evaluates a simple path like ".status.inspect.ipAddress". */
    static JsonNode at(JsonNode node, String path) {
        JsonNode current = node;
        for (String part : path.split("\\.")) {
            if (part.isEmpty()) {
                continue;
            }
            current = current.path(part);
        }
        return current;
    }
}
