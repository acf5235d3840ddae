package io.podnet.operator.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.vertx.ServerWebSocketHandler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.PfxOptions;

/**
 * The embedded API's HTTPS listener on 127.0.0.1: it hands each request to the CRUD dispatcher
 * as the mock web server does, and serves the dispatcher's watches both ways clients ask for
 * them: over a websocket (fabric8) and as a chunked HTTP stream (client-go, kubectl), which the
 * mock web server cannot stream.
 */
final class EmbeddedApiListener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedApiListener.class);
    private static final int RECORDED_LIMIT = 10_000;

    private final EmbeddedApiDispatcher dispatcher;
    private final Vertx vertx;
    private final HttpServer server;
    private final ConcurrentLinkedQueue<String> recorded = new ConcurrentLinkedQueue<>();
    private final AtomicInteger recordedCount = new AtomicInteger();

    EmbeddedApiListener(EmbeddedApiDispatcher dispatcher, ServingCertificate certificate, int port) {
        this.dispatcher = dispatcher;
        // one event loop is plenty for one node's agent and a user's kubectl
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1).setInternalBlockingPoolSize(1));
        char[] password = java.util.UUID.randomUUID().toString().toCharArray();
        HttpServerOptions options = new HttpServerOptions().setHost("127.0.0.1").setPort(port).setSsl(true)
                .setPfxKeyCertOptions(new PfxOptions().setValue(io.vertx.core.buffer.Buffer.buffer(certificate.pkcs12(password)))
                        .setPassword(new String(password)));
        try {
            this.server = vertx.createHttpServer(options).requestHandler(this::handle).listen()
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("the embedded API cannot listen on 127.0.0.1:" + port + ": " + rootMessage(e), e);
        }
    }

    int port() {
        return server.actualPort();
    }

    private void handle(HttpServerRequest http) {
        // an upgrade has no body, and reading one would keep the request from becoming a websocket
        var read = isWebSocketUpgrade(http) ? io.vertx.core.Future.<io.vertx.core.buffer.Buffer>succeededFuture(null) : http.body();
        read.onSuccess(body -> {
            RecordedRequest request = new RecordedRequest(http.version().alpnName().toUpperCase(java.util.Locale.ROOT),
                    HttpMethod.fromVertx(http.method()), http.uri(), Headers.builder().addAll(http.headers()).build(),
                    new Buffer(body == null ? new byte[0] : body.getBytes()));
            record(request);
            MockResponse answer;
            try {
                answer = dispatcher.dispatch(request);
            } catch (RuntimeException e) {
                LOG.warnf(e, "the embedded API failed on %s %s", request.getMethod(), request.getPath());
                answer = ApiStatus.of(500, "InternalError", String.valueOf(e.getMessage()));
            }
            if (answer.getWebSocketListener() == null) {
                respond(http.response(), answer);
            } else if (isWebSocketUpgrade(http)) {
                MockResponse upgraded = answer;
                http.toWebSocket().onSuccess(new ServerWebSocketHandler(request, upgraded))
                        .onFailure(e -> LOG.debugf("websocket upgrade failed: %s", e.getMessage()));
            } else {
                String path = http.path();
                ChunkedWatch.serve(http.response(), request, answer, http.getParam("resourceVersion"),
                        dispatcher.watchView(path, http.getHeader("Accept")),
                        "true".equals(http.getParam("sendInitialEvents")) ? () -> dispatcher.initialEvents(path, http.query()) : null);
            }
        }).onFailure(e -> {
            if (!http.response().headWritten()) {
                http.response().setStatusCode(400).end();
            }
        });
    }

    private static boolean isWebSocketUpgrade(HttpServerRequest http) {
        String upgrade = http.getHeader("Upgrade");
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }

    private static void respond(HttpServerResponse response, MockResponse answer) {
        response.setStatusCode(answer.code());
        answer.getHeaders().toMultimap().forEach(response::putHeader);
        if (answer.getBody() == null) {
            response.end();
        } else {
            response.end(io.vertx.core.buffer.Buffer.buffer(answer.getBody().getBytes()));
        }
    }

    private void record(RecordedRequest request) {
        recorded.add(request.getMethod() + " " + request.getPath());
        if (recordedCount.incrementAndGet() > RECORDED_LIMIT && recorded.poll() != null) {
            recordedCount.decrementAndGet();
        }
    }

    /** Takes the requests seen so far ("GET /apis/..."), at most the last 10,000. */
    List<String> drainRequests() {
        List<String> seen = new ArrayList<>();
        String r;
        while ((r = recorded.poll()) != null) {
            recordedCount.decrementAndGet();
            seen.add(r);
        }
        return seen;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage();
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.debugf("closing the embedded API listener: %s", e.getMessage());
        } finally {
            vertx.close();
        }
    }
}
