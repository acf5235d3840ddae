package io.podnet.operator.embedded;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionList;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The fabric8 mock server's CRUD store, plus what a real client needs from an API server that
 * the mock does not answer: version and discovery documents (for kubectl) and field selectors on
 * {@code spec.nodeName} (the mock only knows metadata.name and metadata.namespace).
 */
final class EmbeddedApiDispatcher extends KubernetesCrudDispatcher {
    private static final String NODE_FIELD = "spec.nodeName";
    private volatile String serverAddress = "127.0.0.1";

    void serverAddress(String hostPort) {
        this.serverAddress = hostPort;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        URI uri = URI.create(request.getPath());
        String path = uri.getPath();
        if (request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.GET) {
            MockResponse discovery = discovery(path);
            if (discovery != null) {
                return discovery;
            }
            String nodeName = nodeFieldSelector(uri.getRawQuery());
            if (nodeName != null) {
                return filterByNode(super.handleGet(withoutNodeSelector(uri)), nodeName);
            }
        }
        if (request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.PATCH
                || request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.PUT) {
            return withFinalObject(request, path);
        }
        return super.dispatch(request);
    }

    /**
     * An update that removes the last finalizer of a deleted resource deletes it; the mock then
     * answers with an empty body where a real API server returns the object (JOSDK caches it).
     */
    private MockResponse withFinalObject(RecordedRequest request, String path) {
        MockResponse before = super.handleGet(path);
        MockResponse response = super.dispatch(request);
        boolean emptyBody = response.getBody() == null || response.getBody().size() == 0;
        if (response.code() / 100 != 2 || !emptyBody || before.code() != 200) {
            return response;
        }
        JsonNode last = Serialization.unmarshal(before.getBody().readUtf8(), JsonNode.class);
        if (last instanceof ObjectNode object && object.get("metadata") instanceof ObjectNode metadata) {
            metadata.putArray("finalizers");
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(last));
    }

    private MockResponse discovery(String path) {
        if (path.equals("/version")) {
            return json(Map.of("major", "1", "minor", "32", "gitVersion", "v1.32.0-podnet-embedded",
                    "platform", "linux/amd64"));
        }
        if (path.equals("/api")) {
            return json(Discovery.coreVersions(serverAddress));
        }
        if (path.equals("/api/v1")) {
            return json(Discovery.coreResources());
        }
        if (path.equals("/apis")) {
            return json(Discovery.groups(crds()));
        }
        String[] parts = path.split("/");
        // "/apis/<group>" -> ["", "apis", group]; "/apis/<group>/<version>" -> 4 parts
        if (parts.length == 3 && parts[1].equals("apis")) {
            Object group = Discovery.group(parts[2], crds());
            return group == null ? notFound(path) : json(group);
        }
        if (parts.length == 4 && parts[1].equals("apis")) {
            Object resources = Discovery.resources(parts[2], parts[3], crds());
            return resources == null ? notFound(path) : json(resources);
        }
        return null;
    }

    private List<CustomResourceDefinition> crds() {
        MockResponse response = super.handleGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
        if (response.code() != 200) {
            return List.of();
        }
        CustomResourceDefinitionList list = Serialization.unmarshal(response.getBody().readUtf8(), CustomResourceDefinitionList.class);
        return list.getItems() == null ? List.of() : list.getItems();
    }

    /** The node name of a {@code spec.nodeName=X} requirement in the field selector, if any. */
    static String nodeFieldSelector(String rawQuery) {
        String selector = queryParameter(rawQuery, "fieldSelector");
        if (selector == null) {
            return null;
        }
        for (String requirement : selector.split(",")) {
            String r = requirement.trim();
            for (String op : new String[] {"==", "="}) {
                if (r.startsWith(NODE_FIELD + op) && !r.startsWith(NODE_FIELD + "!=")) {
                    return r.substring(NODE_FIELD.length() + op.length());
                }
            }
        }
        return null;
    }

    private static String withoutNodeSelector(URI uri) {
        List<String> kept = new ArrayList<>();
        for (String param : uri.getRawQuery().split("&")) {
            if (param.startsWith("fieldSelector=")) {
                String selector = URLDecoder.decode(param.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
                List<String> rest = new ArrayList<>();
                for (String requirement : selector.split(",")) {
                    if (!requirement.trim().startsWith(NODE_FIELD)) {
                        rest.add(requirement);
                    }
                }
                if (!rest.isEmpty()) {
                    kept.add("fieldSelector=" + URLEncoder.encode(String.join(",", rest), StandardCharsets.UTF_8));
                }
            } else {
                kept.add(param);
            }
        }
        return uri.getRawPath() + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }

    private static MockResponse filterByNode(MockResponse response, String nodeName) {
        if (response.code() != 200 || response.getWebSocketListener() != null) {
            return response; // watches deliver every event; the agent filters again
        }
        JsonNode body = Serialization.unmarshal(response.getBody().readUtf8(), JsonNode.class);
        if (body instanceof ObjectNode list && list.get("items") instanceof ArrayNode items) {
            ArrayNode kept = list.putArray("items");
            for (JsonNode item : items) {
                if (nodeName.equals(item.path("spec").path("nodeName").asText(null))) {
                    kept.add(item);
                }
            }
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(body));
    }

    private static String queryParameter(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String param : rawQuery.split("&")) {
            int eq = param.indexOf('=');
            if (eq > 0 && param.substring(0, eq).equals(name)) {
                return URLDecoder.decode(param.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private static MockResponse json(Object body) {
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(body));
    }

    private static MockResponse notFound(String path) {
        return new MockResponse().setResponseCode(404).setHeader("Content-Type", "application/json")
                .setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"the server could not find "
                        + path + "\",\"reason\":\"NotFound\",\"code\":404}");
    }
}
