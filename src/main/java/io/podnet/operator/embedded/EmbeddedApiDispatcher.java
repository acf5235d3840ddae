package io.podnet.operator.embedded;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionList;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The fabric8 mock server's CRUD store, plus what a real client needs from an API server that
 * the mock does not answer: version and discovery documents (for kubectl) and field selectors on
 * {@code spec.nodeName} (the mock only knows metadata.name and metadata.namespace).
 */
final class EmbeddedApiDispatcher extends KubernetesCrudDispatcher {
    private volatile String serverAddress = "127.0.0.1";
    private final DiscoveryDocuments discoveryDocuments = new DiscoveryDocuments(this::crds, () -> serverAddress);
    private final byte[] bearer;
    private final StoredObjects store;
    /** Set while stored objects are put back: they keep their UIDs and are already on disk. */
    private volatile boolean restoring;
    /** Finds a named object without testing every stored key (see NamedKeys). */
    private final NamedKeys named = new NamedKeys();
    /**
     * Reads share, changes are alone: the store's own lock covers its map, this one also covers
     * {@link #named} and the reads this class makes of the map between the store's calls.
     */
    private final java.util.concurrent.locks.ReadWriteLock access = new java.util.concurrent.locks.ReentrantReadWriteLock();
    /**
     * The CRDs as the store last listed them, with the count of CRD changes they saw: every create of
     * a custom resource reads them, and a list is a scan of the whole store.
     */
    private volatile CrdSnapshot crds;
    private final java.util.concurrent.atomic.AtomicLong crdChanges = new java.util.concurrent.atomic.AtomicLong();

    private record CrdSnapshot(long changes, List<CustomResourceDefinition> list) {
    }

    /**
     * Every request must carry this token: whoever can create a PodNetwork makes the root agent change the node.
     *
     * @param store where every change is written, and what {@link #restore()} reads back
     */
    EmbeddedApiDispatcher(String token, StoredObjects store) {
        this.bearer = ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
        this.store = store;
    }

    /** Puts the stored objects back into the store; called once, before the first request. */
    void restore() {
        restoring = true;
        try {
            StoreRestore.restore(this, store.load());
        } finally {
            restoring = false;
        }
    }

    void serverAddress(String hostPort) {
        this.serverAddress = hostPort;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if (!authenticated(request)) {
            return ApiStatus.of(401, "Unauthorized", "Unauthorized");
        }
        URI uri = URI.create(request.getPath());
        String path = uri.getPath();
        MockResponse unsupported = UnsupportedBodies.refusal(request, path);
        if (unsupported != null) {
            return unsupported;
        }
        java.util.concurrent.locks.Lock lock = request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.GET ? access.readLock()
                : access.writeLock();
        lock.lock();
        try {
            MockResponse response = answer(request, uri, path);
            return response.code() == 404 ? NotFoundStatus.of(path, response) : response;
        } finally {
            lock.unlock();
        }
    }

    /** A named object from the index, as the store answers it (its body, or 404); lists and watches as the store does. */
    @Override
    public MockResponse handleGet(String path) {
        String query = URI.create(path).getRawQuery();
        if (query != null && query.contains("watch=true")) {
            return super.handleGet(path);
        }
        List<java.util.Map.Entry<AttributeSet, String>> found = named.matching(getKey(path), map);
        if (found == null || found.size() > 1) {
            return super.handleGet(path);
        }
        return found.isEmpty() ? new MockResponse().setResponseCode(404)
                : new MockResponse().setResponseCode(200).setBody(found.get(0).getValue());
    }

    /** What the store's create, update and patch look up: a named object from the index. */
    @Override
    public java.util.Map.Entry<AttributeSet, String> findResource(AttributeSet query) {
        List<java.util.Map.Entry<AttributeSet, String>> found = named.matching(query, map);
        if (found == null || found.size() > 1) {
            return super.findResource(query);
        }
        return found.isEmpty() ? null : found.get(0);
    }

    private MockResponse answer(RecordedRequest request, URI uri, String path) {
        if (request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.GET) {
            MockResponse discovery = discoveryDocuments.answer(path);
            if (discovery != null) {
                return discovery;
            }
            FieldSelectorEmulation selector = FieldSelectorEmulation.of(uri.getRawQuery());
            MockResponse response = withListKind(selector == null ? super.handleGet(request.getPath()) : filtered(uri, selector));
            return PrinterTable.wanted(request.getHeader("Accept")) ? TableAnswers.of(path, response, crds()) : response;
        }
        if (request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.POST
                || request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.PUT) {
            request = withDefaults(request, path);
        }
        if (request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.PATCH && isMergePatch(request)) {
            request = asJsonPatch(request, path);
        }
        if (request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.PATCH
                || request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.PUT) {
            return withFinalObject(request, path);
        }
        if (request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.POST) {
            return RandomUids.answered(super.dispatch(request));
        }
        return super.dispatch(request);
    }

    /**
     * A create (no earlier state) is stored with a random UID, as an API server gives it; every
     * change but an Event's is written to the store (an API server keeps events for an hour only).
     */
    @Override
    public void processEvent(String path, AttributeSet pathAttributes, AttributeSet oldAttributes, GenericKubernetesResource resource,
            String newState) {
        if (path.startsWith("/apis/apiextensions.k8s.io/")) {
            crdChanges.incrementAndGet(); // before the change: a list that reads this count waits for the change
        }
        if (restoring) {
            stored(path, pathAttributes, oldAttributes, resource, newState);
            return;
        }
        if (oldAttributes == null && resource != null && resource.getMetadata() != null && resource.getMetadata().getUid() != null) {
            RandomUids.assign(resource);
            newState = Serialization.asJson(resource);
        }
        String before = newState == null && oldAttributes != null ? map.get(oldAttributes) : null;
        stored(path, pathAttributes, oldAttributes, resource, newState);
        String state = newState == null ? before : newState;
        // the store was handed the object parsed; parse only what it was not (a deletion's last state)
        GenericKubernetesResource changed = newState != null && resource != null ? resource
                : state == null ? null : Serialization.unmarshal(state, GenericKubernetesResource.class);
        if (changed == null || changed.getMetadata() == null || changed.getMetadata().getUid() == null || "Event".equals(changed.getKind())) {
            return;
        }
        if (newState == null) {
            store.remove(changed.getMetadata().getUid());
        } else {
            store.save(changed.getMetadata().getUid(), newState);
        }
    }

    /** The store's change, and the same change to the index of names. */
    private void stored(String path, AttributeSet pathAttributes, AttributeSet oldAttributes, GenericKubernetesResource resource, String newState) {
        super.processEvent(path, pathAttributes, oldAttributes, resource, newState);
        named.remove(oldAttributes);
        if (newState != null) {
            named.put(NamedKeys.storeKey((io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor) getAttributeExtractor(),
                    pathAttributes, resource, newState));
        }
    }

    /** What a watch-list of {@code path} starts with: the list the same selectors give, and the kind for its bookmark. */
    ChunkedWatch.InitialEvents initialEvents(String path, String rawQuery) {
        String query = rawQuery == null ? "" : java.util.Arrays.stream(rawQuery.split("&"))
                .filter(p -> !p.isEmpty() && !WATCH_PARAMETERS.contains(p.split("=", 2)[0]))
                .collect(java.util.stream.Collectors.joining("&"));
        RecordedRequest list = new RecordedRequest("HTTP/1.1", io.fabric8.mockwebserver.dsl.HttpMethod.GET,
                path + (query.isEmpty() ? "" : "?" + query), io.fabric8.mockwebserver.http.Headers.builder()
                        .add("Authorization", new String(bearer, StandardCharsets.US_ASCII)).build(),
                new io.fabric8.mockwebserver.http.Buffer());
        JsonNode body = Serialization.unmarshal(dispatch(list).getBody().readUtf8(), JsonNode.class);
        String[] kind = kindOf(path);
        return new ChunkedWatch.InitialEvents(body, kind[0], kind[1]);
    }

    private static final java.util.Set<String> WATCH_PARAMETERS = java.util.Set.of("watch", "sendInitialEvents", "resourceVersion",
            "resourceVersionMatch", "allowWatchBookmarks", "timeoutSeconds");

    /** {apiVersion, kind} of the resources under a collection path, e.g. /apis/podnet.io/v1alpha1/namespaces/x/podnetworks. */
    private String[] kindOf(String path) {
        String[] parts = path.split("/");
        boolean core = parts.length > 3 && parts[1].equals("api");
        String plural = parts[parts.length - 1];
        if (core) {
            return Discovery.coreResources().getResources().stream().filter(r -> r.getName().equals(plural)).findFirst()
                    .map(r -> new String[] { "v1", r.getKind() }).orElse(new String[] { "v1", "Unknown" });
        }
        for (CustomResourceDefinition crd : crds()) {
            if (parts.length > 3 && crd.getSpec().getGroup().equals(parts[2]) && crd.getSpec().getNames().getPlural().equals(plural)) {
                return new String[] { parts[2] + "/" + parts[3], crd.getSpec().getNames().getKind() };
            }
        }
        return new String[] { parts.length > 3 ? parts[2] + "/" + parts[3] : "v1", "Unknown" };
    }

    /**
     * What a watch of {@code path} shows of each object: a Table row when kubectl asks for a
     * table ({@code kubectl get -w}), else the object.
     */
    java.util.function.UnaryOperator<JsonNode> watchView(String path, String accept) {
        if (!PrinterTable.wanted(accept)) {
            return java.util.function.UnaryOperator.identity();
        }
        return object -> {
            MockResponse one = new MockResponse().setResponseCode(200).setBody(Serialization.asJson(object));
            MockResponse table = TableAnswers.of(path, one, crds());
            return table == one ? object : Serialization.unmarshal(table.getBody().readUtf8(), JsonNode.class);
        };
    }

    /**
     * The request with the CRD schema's defaults filled in, for custom resources, and a name made
     * from {@code generateName} as the API server makes it (the mock appends a dash and a UUID).
     */
    private RecordedRequest withDefaults(RecordedRequest request, String path) {
        String body = request.getUtf8Body(); // reading consumes the buffer: always rebuild the request
        String[] parts = path.split("/");
        if (parts.length >= 5 && parts[1].equals("apis") && !path.endsWith("/status")) {
            body = defaulted(body, parts[2], parts[3]);
        }
        if (request.method() == io.fabric8.mockwebserver.dsl.HttpMethod.POST) {
            body = GeneratedNames.named(body);
        }
        var buffer = new io.fabric8.mockwebserver.http.Buffer(body.getBytes(StandardCharsets.UTF_8));
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), request.getHeaders(), buffer);
    }

    private String defaulted(String body, String group, String version) {
        JsonNode object;
        try {
            object = Serialization.unmarshal(body, JsonNode.class);
        } catch (RuntimeException e) {
            return body; // let the store answer the malformed body
        }
        if (object == null || !object.has("kind")) {
            return body;
        }
        for (CustomResourceDefinition crd : crds()) {
            if (crd.getSpec().getGroup().equals(group) && crd.getSpec().getNames().getKind().equals(object.get("kind").asText())) {
                crd.getSpec().getVersions().stream().filter(v -> v.getName().equals(version)).findFirst()
                        .ifPresent(v -> SchemaDefaults.apply(object, v.getSchema().getOpenAPIV3Schema()));
                return Serialization.asJson(object);
            }
        }
        return body;
    }

    private static boolean isMergePatch(RecordedRequest request) {
        String type = request.getHeader("Content-Type");
        return type != null && type.startsWith("application/merge-patch+json");
    }

    /** A merge patch applied with the API server's rules (MergePatches), handed on as a JSON patch. */
    private RecordedRequest asJsonPatch(RecordedRequest request, String path) {
        String body = request.getUtf8Body(); // reading consumes the buffer: always rebuild the request
        MockResponse current = super.handleGet(path.endsWith("/status") ? path.substring(0, path.length() - "/status".length()) : path);
        String patched = body;
        String type = request.getHeader("Content-Type");
        if (current.code() == 200) {
            try {
                JsonNode object = Serialization.unmarshal(current.getBody().readUtf8(), JsonNode.class);
                JsonNode patch = Serialization.unmarshal(body, JsonNode.class);
                patched = Serialization.asJson(MergePatches.asJsonPatch(object, patch));
                type = "application/json-patch+json";
            } catch (RuntimeException e) {
                // not JSON: the mock answers it as it would have
            }
        }
        var headers = request.getHeaders().newBuilder().set("Content-Type", type).build();
        var buffer = new io.fabric8.mockwebserver.http.Buffer(patched.getBytes(StandardCharsets.UTF_8));
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(), headers, buffer);
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

    private boolean authenticated(RecordedRequest request) {
        String header = request.getHeader("Authorization");
        return header != null && java.security.MessageDigest.isEqual(bearer, header.strip().getBytes(StandardCharsets.US_ASCII));
    }

    private List<CustomResourceDefinition> crds() {
        long changes = crdChanges.get();
        CrdSnapshot known = crds;
        if (known != null && known.changes() == changes) {
            return known.list();
        }
        List<CustomResourceDefinition> list = listCrds();
        crds = new CrdSnapshot(changes, list);
        return list;
    }

    private List<CustomResourceDefinition> listCrds() {
        MockResponse response = super.handleGet("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
        if (response.code() != 200) {
            return List.of();
        }
        CustomResourceDefinitionList list = Serialization.unmarshal(response.getBody().readUtf8(), CustomResourceDefinitionList.class);
        return list.getItems() == null ? List.of() : list.getItems();
    }

    /**
     * The store answers every list with kind "List"; typed clients (kubectl describe's events)
     * need the real list kind, e.g. "EventList", or they drop the answer.
     */
    private MockResponse withListKind(MockResponse response) {
        if (response.code() != 200 || response.getWebSocketListener() != null) {
            return response;
        }
        String text = response.getBody().readUtf8();
        JsonNode body = Serialization.unmarshal(text, JsonNode.class);
        if (body instanceof ObjectNode list && list.has("items")) {
            if ("List".equals(list.path("kind").asText()) && list.path("items").size() > 0) {
                list.put("kind", list.get("items").get(0).path("kind").asText() + "List");
            }
            // a watch from here replays nothing the list held (ChunkedWatch), as on an API server
            list.withObject("/metadata").put("resourceVersion", String.valueOf(requestResourceVersion()));
            return json(list);
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(text);
    }

    private MockResponse filtered(URI uri, FieldSelectorEmulation selector) {
        String query = selector.rewrittenQuery();
        MockResponse response = super.handleGet(uri.getRawPath() + (query.isEmpty() ? "" : "?" + query));
        if (response.code() != 200 || response.getWebSocketListener() != null) {
            return response; // watches deliver every event; the agent filters again
        }
        JsonNode body = Serialization.unmarshal(response.getBody().readUtf8(), JsonNode.class);
        selector.filter(body);
        return json(body);
    }

    private static MockResponse json(Object body) {
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json")
                .setBody(Serialization.asJson(body));
    }
}
