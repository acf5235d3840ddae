package io.podnet.operator.embedded;

import java.util.LinkedHashMap;
import java.util.Map;

import io.fabric8.mockwebserver.http.MockResponse;

/**
 * The 404 of a named object as an API server words it ({@code podnetworks.podnet.io "web" not
 * found}, with details), where the store says only that it found nothing.
 */
final class NotFoundStatus {
    private NotFoundStatus() {
    }

    static MockResponse of(String path, MockResponse response) {
        String[] parts = (path.endsWith("/status") ? path.substring(0, path.length() - "/status".length()) : path).split("/");
        String group;
        String plural;
        String name;
        if (parts.length > 2 && parts[1].equals("api") && (parts.length == 5 || parts.length == 7)) {
            group = "";
            plural = parts[parts.length - 2];
            name = parts[parts.length - 1];
        } else if (parts.length > 2 && parts[1].equals("apis") && (parts.length == 6 || parts.length == 8)) {
            group = parts[2];
            plural = parts[parts.length - 2];
            name = parts[parts.length - 1];
        } else {
            return response;
        }
        if (parts.length == 7 && !parts[3].equals("namespaces") || parts.length == 8 && !parts[4].equals("namespaces")) {
            return response;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", name);
        if (!group.isEmpty()) {
            details.put("group", group);
        }
        details.put("kind", plural);
        return ApiStatus.of(404, "NotFound", plural + (group.isEmpty() ? "" : "." + group) + " \"" + name + "\" not found",
                details);
    }
}
