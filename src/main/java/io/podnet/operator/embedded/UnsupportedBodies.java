package io.podnet.operator.embedded;

import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * Bodies the embedded API cannot read, refused with 415 as an API server refuses what it cannot
 * decode, instead of being stored garbled: protobuf (kubectl's typed create commands send it),
 * strategic merge patches of custom resources (an API server refuses those too), and
 * server-side apply.
 */
final class UnsupportedBodies {
    private static final String ACCEPTED = "accepted media types include: application/json-patch+json, application/merge-patch+json";

    private UnsupportedBodies() {
    }

    /** The refusal for the request, or null when its body can be read. */
    static MockResponse refusal(RecordedRequest request, String path) {
        HttpMethod method = request.method();
        if (method != HttpMethod.POST && method != HttpMethod.PUT && method != HttpMethod.PATCH) {
            return null;
        }
        String type = request.getHeader("Content-Type");
        if (type == null) {
            return null;
        }
        if (type.startsWith("application/vnd.kubernetes.protobuf")) {
            return refused("the embedded API reads JSON and YAML bodies only, not protobuf; kubectl create <kind> sends protobuf, "
                    + "use kubectl apply -f instead");
        }
        if (type.startsWith("application/apply-patch")) {
            return refused("the embedded API does not do server-side apply; " + ACCEPTED);
        }
        if (type.startsWith("application/strategic-merge-patch") && path.startsWith("/apis/")) {
            return refused("the body of the request was in an unknown format - " + ACCEPTED);
        }
        return null;
    }

    private static MockResponse refused(String message) {
        return ApiStatus.of(415, "UnsupportedMediaType", message);
    }
}
