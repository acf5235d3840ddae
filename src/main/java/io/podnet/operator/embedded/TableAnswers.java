package io.podnet.operator.embedded;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;

/** Answers turned into the Tables kubectl asks for ({@code Accept: ...;as=Table}), with the CRD's printer columns. */
final class TableAnswers {
    private TableAnswers() {
    }

    /** The response as a Table when it holds custom resources of a known CRD or core Events, else unchanged. */
    static MockResponse of(String path, MockResponse response, List<CustomResourceDefinition> crds) {
        String[] parts = path.split("/");
        if (response.code() != 200 || response.getWebSocketListener() != null) {
            return response;
        }
        if (isCoreEvents(parts)) {
            return table(PrinterTable.ofEvents(Serialization.unmarshal(response.getBody().readUtf8(), JsonNode.class)));
        }
        if (parts.length < 5 || !parts[1].equals("apis")) {
            return response;
        }
        // /apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>]
        int pluralAt = parts.length > 5 && parts[4].equals("namespaces") ? 6 : 4;
        if (parts.length <= pluralAt) {
            return response;
        }
        String group = parts[2];
        String version = parts[3];
        String plural = parts[pluralAt];
        for (CustomResourceDefinition crd : crds) {
            if (crd.getSpec().getGroup().equals(group) && crd.getSpec().getNames().getPlural().equals(plural)) {
                return table(PrinterTable.of(crd, version, Serialization.unmarshal(response.getBody().readUtf8(), JsonNode.class)));
            }
        }
        return response;
    }

    /** /api/v1/events, /api/v1/namespaces/<ns>/events and /api/v1/namespaces/<ns>/events/<name> */
    private static boolean isCoreEvents(String[] parts) {
        if (parts.length < 4 || !parts[1].equals("api") || !parts[2].equals("v1")) {
            return false;
        }
        return parts.length == 4 ? parts[3].equals("events") : parts[3].equals("namespaces") && parts.length >= 6 && parts[5].equals("events");
    }

    private static MockResponse table(Object table) {
        return new MockResponse().setResponseCode(200)
                .setHeader("Content-Type", "application/json;as=Table;v=v1;g=meta.k8s.io")
                .setBody(Serialization.asJson(table));
    }
}
