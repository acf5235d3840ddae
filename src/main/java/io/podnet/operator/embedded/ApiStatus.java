package io.podnet.operator.embedded;

import java.util.Map;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

/** A failure answered as an API server answers it: a v1 Status with its code, reason and message. */
final class ApiStatus {
    private ApiStatus() {
    }

    static MockResponse of(int code, String reason, String message) {
        return of(code, reason, message, null);
    }

    /** @param details what the Status is about (name, group, kind), or null */
    static MockResponse of(int code, String reason, String message, Map<String, Object> details) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("kind", "Status");
        body.put("apiVersion", "v1");
        body.put("metadata", Map.of());
        body.put("status", "Failure");
        body.put("message", message);
        body.put("reason", reason);
        if (details != null) {
            body.put("details", details);
        }
        body.put("code", code);
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(Serialization.asJson(body));
    }
}
