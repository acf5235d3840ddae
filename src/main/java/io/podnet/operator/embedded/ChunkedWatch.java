package io.podnet.operator.embedded;

import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.vertx.core.http.HttpServerResponse;

/**
 * A watch streamed as client-go and kubectl read it: one JSON event after another in a chunked
 * HTTP response. The CRUD store's watch listener writes to it as to a websocket. An API server
 * starts a watch after the resourceVersion it is given, so the store's replay of what already
 * exists ({@code ADDED} at or below that version) is dropped; a watch from "" or "0" keeps it.
 */
final class ChunkedWatch implements WebSocket {
    private final RecordedRequest request;
    private final HttpServerResponse response;
    private final long after;
    private final UnaryOperator<JsonNode> view;
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

    /** Answers the request with a stream fed by the store's listener in {@code answer}, until the client goes. */
    static void serve(HttpServerResponse response, RecordedRequest request, MockResponse answer, String resourceVersion,
            UnaryOperator<JsonNode> view) {
        ChunkedWatch watch = new ChunkedWatch(request, response, startAfter(resourceVersion), view);
        response.setStatusCode(200).setChunked(true).putHeader("Content-Type", "application/json");
        response.closeHandler(gone -> {
            watch.closed = true;
            answer.getWebSocketListener().onClosed(watch, 1000, "client gone");
        });
        response.writeHead();
        answer.getWebSocketListener().onOpen(watch, answer);
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
        JsonNode event = Serialization.unmarshal(text, JsonNode.class);
        if (!(event instanceof ObjectNode e) || replayed(e)) {
            return true;
        }
        e.set("object", view.apply(e.path("object")));
        response.write(Serialization.asJson(e) + "\n");
        return true;
    }

    private boolean replayed(ObjectNode event) {
        if (after < 0 || !"ADDED".equals(event.path("type").asText())) {
            return false;
        }
        long version = startAfter(event.path("object").path("metadata").path("resourceVersion").asText());
        return version >= 0 && version <= after;
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
