package io.podnet.operator.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.vertx.core.http.HttpServerResponse;

/**
 * A watch streamed as client-go and kubectl read it: one JSON event after another in a chunked
 * HTTP response, written to by the CRUD store's watch listener as to a websocket.
 * <ul>
 * <li>An API server starts a watch after the resourceVersion it is given, so the store's replay
 * of what exists (ADDED or MODIFIED at or below that version) is dropped; "" and "0" keep it.</li>
 * <li>With {@code sendInitialEvents=true} (client-go's watch-list, which kubectl wait and delete
 * use) the stream starts with the current objects and a bookmark marking their end; what the
 * listener sends meanwhile is held back until then.</li>
 * </ul>
 */
final class ChunkedWatch implements WebSocket {
    /** What a watch-list starts with: the objects as listed, their kind, and the list's resourceVersion. */
    record InitialEvents(JsonNode list, String apiVersion, String kind) {
    }

    private final RecordedRequest request;
    private final HttpServerResponse response;
    private final UnaryOperator<JsonNode> view;
    private long after;
    private boolean holding;
    private final List<String> held = new ArrayList<>();
    private volatile boolean closed;

    /**
     * @param after the resourceVersion the client asked to start after, or -1 for none
     * @param view  what the client asked to see of each object (itself, or a Table row)
     */
    private ChunkedWatch(RecordedRequest request, HttpServerResponse response, long after, UnaryOperator<JsonNode> view) {
        this.request = request;
        this.response = response;
        this.after = after;
        this.view = view;
    }

    /**
     * Answers the request with a stream fed by the store's listener in {@code answer}, until the
     * client goes; {@code initial} is null unless the client asked for initial events.
     */
    static void serve(HttpServerResponse response, RecordedRequest request, MockResponse answer, String resourceVersion,
            UnaryOperator<JsonNode> view, java.util.function.Supplier<InitialEvents> initial) {
        ChunkedWatch watch = new ChunkedWatch(request, response, startAfter(resourceVersion), view);
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
        response.closeHandler(gone -> {
            watch.closed = true;
            answer.getWebSocketListener().onClosed(watch, 1000, "client gone");
        });
        response.writeHead();
        watch.holding = initial != null;
        answer.getWebSocketListener().onOpen(watch, answer); // registered before the list below is taken: nothing falls between
        if (initial != null) {
            watch.sendInitial(initial.get());
        }
    }

    private void sendInitial(InitialEvents initial) {
        for (JsonNode item : initial.list().path("items")) {
            write(event("ADDED", view.apply(item)));
        }
        String version = initial.list().path("metadata").path("resourceVersion").asText();
        ObjectNode bookmark = JsonNodeFactory.instance.objectNode();
        bookmark.put("apiVersion", initial.apiVersion()).put("kind", initial.kind());
        bookmark.putObject("metadata").put("resourceVersion", version).putObject("annotations").put("k8s.io/initial-events-end", "true");
        write(event("BOOKMARK", bookmark));
        List<String> release;
        synchronized (this) {
            after = startAfter(version);
            holding = false;
            release = new ArrayList<>(held);
            held.clear();
        }
        release.forEach(this::send);
    }

    static long startAfter(String resourceVersion) {
        if (resourceVersion == null || resourceVersion.isEmpty()) {
            return -1;
        }
        try {
            long v = Long.parseLong(resourceVersion);
            return v == 0 ? -1 : v;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public RecordedRequest request() {
        return request;
    }

    @Override
    public boolean send(String text) {
        if (closed) {
            return false;
        }
        synchronized (this) {
            if (holding) {
                held.add(text);
                return true;
            }
        }
        JsonNode event = Serialization.unmarshal(text, JsonNode.class);
        if (event instanceof ObjectNode e && !alreadySeen(e)) {
            write(event(e.path("type").asText(), view.apply(e.path("object"))));
        }
        return true;
    }

    /** An ADDED or MODIFIED the client's list or start version already holds; deletions always pass. */
    private synchronized boolean alreadySeen(ObjectNode event) {
        String type = event.path("type").asText();
        if (after < 0 || !(type.equals("ADDED") || type.equals("MODIFIED"))) {
            return false;
        }
        long version = startAfter(event.path("object").path("metadata").path("resourceVersion").asText());
        return version >= 0 && version <= after;
    }

    private static ObjectNode event(String type, JsonNode object) {
        ObjectNode e = JsonNodeFactory.instance.objectNode();
        e.put("type", type);
        e.set("object", object);
        return e;
    }

    private void write(ObjectNode event) {
        if (!closed) {
            response.write(Serialization.asJson(event) + "\n");
        }
    }

    @Override
    public boolean send(byte[] bytes) {
        return send(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
    }

    @Override
    public boolean close(int code, String reason) {
        if (!closed) {
            closed = true;
            response.end();
        }
        return true;
    }
}
