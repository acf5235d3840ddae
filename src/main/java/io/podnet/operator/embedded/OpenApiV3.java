package io.podnet.operator.embedded;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;

/**
 * Just enough OpenAPI v3 for kubectl: for each group version, the PATCH operation of every
 * resource, tagged with its group-version-kind and declaring the {@code fieldValidation} query
 * parameter. Seeing it, kubectl leaves validation to the server instead of downloading the
 * OpenAPI v2 document (which the mock cannot produce). The schemas of custom resources are the
 * CRD's own, tagged with their group-version-kind, so {@code kubectl explain} reads them.
 */
final class OpenApiV3 {
    private OpenApiV3() {
    }

    /** The root document: where each group version's document is. */
    static Map<String, Object> root(List<String> groupVersionPaths) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (String gv : groupVersionPaths) {
            paths.put(gv, Map.of("serverRelativeURL", "/openapi/v3/" + gv + "?hash=podnet"));
        }
        return Map.of("paths", paths);
    }

    /** The document of one group version, e.g. "apis/podnet.io/v1alpha1" or "api/v1". */
    static Map<String, Object> groupVersion(String gvPath, APIResourceList resources) {
        return groupVersion(gvPath, resources, Map.of());
    }

    /** The same, with the schemas of the custom resources of this group version, by kind. */
    static Map<String, Object> groupVersion(String gvPath, APIResourceList resources, Map<String, Object> schemasByKind) {
        String groupVersion = resources.getGroupVersion();
        int slash = groupVersion.indexOf('/');
        String group = slash < 0 ? "" : groupVersion.substring(0, slash);
        String version = slash < 0 ? groupVersion : groupVersion.substring(slash + 1);
        Map<String, Object> paths = new LinkedHashMap<>();
        for (APIResource r : resources.getResources()) {
            if (r.getName().contains("/")) {
                continue; // subresources
            }
            String item = "/" + gvPath + (Boolean.TRUE.equals(r.getNamespaced()) ? "/namespaces/{namespace}/" : "/") + r.getName() + "/{name}";
            Map<String, Object> patch = new LinkedHashMap<>();
            patch.put("operationId", "patch" + r.getKind());
            patch.put("parameters", List.of(Map.of("name", "fieldValidation", "in", "query", "schema", Map.of("type", "string"))));
            patch.put("x-kubernetes-group-version-kind", Map.of("group", group, "version", version, "kind", r.getKind()));
            paths.put(item, Map.of("patch", patch));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.0");
        doc.put("info", Map.of("title", "podnet embedded API", "version", version));
        doc.put("paths", paths);
        Map<String, Object> schemas = new LinkedHashMap<>();
        schemasByKind.forEach((kind, schema) -> {
            Map<String, Object> tagged = new LinkedHashMap<>(io.fabric8.kubernetes.client.utils.Serialization.jsonMapper()
                    .convertValue(schema, new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {
                    }));
            tagged.put("x-kubernetes-group-version-kind", List.of(Map.of("group", group, "version", version, "kind", kind)));
            String prefix = String.join(".", reversed(group.split("\\.")));
            schemas.put(prefix + "." + version + "." + kind, tagged);
        });
        doc.put("components", Map.of("schemas", schemas));
        return doc;
    }

    private static List<String> reversed(String[] parts) {
        List<String> out = new java.util.ArrayList<>(List.of(parts));
        java.util.Collections.reverse(out);
        return out;
    }
}
