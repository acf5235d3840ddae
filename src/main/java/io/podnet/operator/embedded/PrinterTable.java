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
 * shows Node, Mode, Phase and IP as it would against a real API server, and the columns the API
 * server prints for core Events. Column paths are the simple dotted JSON paths CRDs use.
 */
final class PrinterTable {
    private PrinterTable() {
    }

    static boolean wanted(String accept) {
        return accept != null && accept.contains("as=Table");
    }

    /** A column: its definition as a Table carries it, and how a cell is read from an object. */
    private record Column(String name, String type, String format, String description, int priority,
            java.util.function.BiFunction<JsonNode, java.time.Instant, Object> cell) {
    }

    /** @param body a single object or a list, as the CRUD store returned it */
    static Map<String, Object> of(CustomResourceDefinition crd, String version, JsonNode body) {
        List<CustomResourceColumnDefinition> printerColumns = crd.getSpec().getVersions().stream()
                .filter(v -> v.getName().equals(version)).findFirst()
                .map(v -> v.getAdditionalPrinterColumns() == null ? List.<CustomResourceColumnDefinition>of() : v.getAdditionalPrinterColumns())
                .orElse(List.of());
        List<Column> columns = new ArrayList<>();
        columns.add(nameColumn(0));
        for (CustomResourceColumnDefinition c : printerColumns) {
            String path = c.getJsonPath();
            boolean date = "date".equals(c.getType());
            columns.add(new Column(c.getName(), c.getType(), c.getFormat() == null ? "" : c.getFormat(),
                    c.getDescription() == null ? "" : c.getDescription(), c.getPriority() == null ? 0 : c.getPriority(),
                    (item, now) -> text(at(item, path), date, now)));
        }
        return table(columns, body);
    }

    /**
     * Core v1 Events as the API server prints them, so {@code kubectl get events} shows what
     * happened rather than names alone: Last Seen, Type, Reason, Object, Message.
     */
    static Map<String, Object> ofEvents(JsonNode body) {
        List<Column> columns = List.of(
                new Column("Last Seen", "string", "", "Time of the last occurrence", 0, (e, now) -> text(lastSeen(e), true, now)),
                new Column("Type", "string", "", "Normal or Warning", 0, (e, now) -> text(e.path("type"), false, now)),
                new Column("Reason", "string", "", "Why the event happened", 0, (e, now) -> text(e.path("reason"), false, now)),
                new Column("Object", "string", "", "The object the event is about", 0, (e, now) ->
                        e.path("involvedObject").path("kind").asText().toLowerCase(java.util.Locale.ROOT) + "/"
                                + e.path("involvedObject").path("name").asText()),
                new Column("Message", "string", "", "What happened", 0, (e, now) -> text(e.path("message"), false, now)),
                new Column("Source", "string", "", "Who reported it", 1, (e, now) -> e.path("source").path("component").asText()
                        + (e.path("source").path("host").asText().isEmpty() ? "" : ", " + e.path("source").path("host").asText())),
                new Column("First Seen", "string", "", "Time of the first occurrence", 1,
                        (e, now) -> text(e.path("firstTimestamp"), true, now)),
                new Column("Count", "integer", "", "How often it happened", 1, (e, now) -> e.path("count").asInt(1)),
                nameColumn(1));
        return table(columns, body);
    }

    private static JsonNode lastSeen(JsonNode event) {
        for (String field : List.of("lastTimestamp", "eventTime", "firstTimestamp")) {
            if (event.hasNonNull(field) && !event.get(field).asText().isEmpty()) {
                return event.get(field);
            }
        }
        return event.path("metadata").path("creationTimestamp");
    }

    private static Column nameColumn(int priority) {
        return new Column("Name", "string", "name", "Name of the resource", priority, (item, now) -> item.path("metadata").path("name").asText());
    }

    private static Object text(JsonNode value, boolean date, java.time.Instant now) {
        if (value == null || value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (date) {
            return age(value.asText(), now); // as the API server prints dates: "5m"
        }
        return value.isValueNode() ? value.asText() : value.toString();
    }

    private static Map<String, Object> table(List<Column> columns, JsonNode body) {
        List<Map<String, Object>> definitions = new ArrayList<>();
        for (Column c : columns) {
            definitions.add(column(c.name(), c.type(), c.format(), c.description(), c.priority()));
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
            for (Column c : columns) {
                cells.add(c.cell().apply(item, now));
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
