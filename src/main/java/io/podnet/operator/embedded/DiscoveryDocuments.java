package io.podnet.operator.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

/**
 * The version, discovery and OpenAPI v3 documents kubectl reads before anything else, made from
 * the CRDs in the store (the mock answers none of them).
 */
final class DiscoveryDocuments {
    private final Supplier<List<CustomResourceDefinition>> crds;
    private final Supplier<String> serverAddress;

    DiscoveryDocuments(Supplier<List<CustomResourceDefinition>> crds, Supplier<String> serverAddress) {
        this.crds = crds;
        this.serverAddress = serverAddress;
    }

    /** The document at {@code path}, or null when the path is not a discovery path. */
    MockResponse answer(String path) {
        if (path.equals("/version")) {
            return json(Map.of("major", "1", "minor", "32", "gitVersion", "v1.32.0-podnet-embedded",
                    "platform", "linux/amd64"));
        }
        if (path.equals("/api")) {
            return json(Discovery.coreVersions(serverAddress.get()));
        }
        if (path.equals("/api/v1")) {
            return json(Discovery.coreResources());
        }
        if (path.equals("/apis")) {
            return json(Discovery.groups(crds.get()));
        }
        if (path.equals("/openapi/v3")) {
            List<String> gvs = new ArrayList<>(List.of("api/v1"));
            for (var group : Discovery.groups(crds.get()).getGroups()) {
                group.getVersions().forEach(v -> gvs.add("apis/" + v.getGroupVersion()));
            }
            return json(OpenApiV3.root(gvs));
        }
        if (path.startsWith("/openapi/v3/")) {
            String gv = path.substring("/openapi/v3/".length());
            var resources = gv.equals("api/v1") ? Discovery.coreResources()
                    : gv.startsWith("apis/") && gv.split("/").length == 3
                            ? Discovery.resources(gv.split("/")[1], gv.split("/")[2], crds.get())
                            : null;
            return resources == null ? notFound(path) : json(OpenApiV3.groupVersion(gv, resources, schemas(gv)));
        }
        String[] parts = path.split("/");
        // "/apis/<group>" -> ["", "apis", group]; "/apis/<group>/<version>" -> 4 parts
        if (parts.length == 3 && parts[1].equals("apis")) {
            Object group = Discovery.group(parts[2], crds.get());
            return group == null ? notFound(path) : json(group);
        }
        if (parts.length == 4 && parts[1].equals("apis")) {
            Object resources = Discovery.resources(parts[2], parts[3], crds.get());
            return resources == null ? notFound(path) : json(resources);
        }
        return null;
    }

    /** Kind -> the CRD's openAPIV3Schema, for the custom resources of "apis/<group>/<version>". */
    private Map<String, Object> schemas(String gvPath) {
        String[] parts = gvPath.split("/");
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        if (parts.length != 3 || !parts[0].equals("apis")) {
            return out;
        }
        for (CustomResourceDefinition crd : crds.get()) {
            if (!crd.getSpec().getGroup().equals(parts[1])) {
                continue;
            }
            crd.getSpec().getVersions().stream().filter(v -> v.getName().equals(parts[2]) && v.getSchema() != null)
                    .forEach(v -> out.put(crd.getSpec().getNames().getKind(), v.getSchema().getOpenAPIV3Schema()));
        }
        return out;
    }

    private static MockResponse json(Object body) {
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(body));
    }

    private static MockResponse notFound(String path) {
        return ApiStatus.of(404, "NotFound", "the server could not find " + path);
    }
}
