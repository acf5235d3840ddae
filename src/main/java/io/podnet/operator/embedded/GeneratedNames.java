package io.podnet.operator.embedded;

import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * {@code metadata.generateName} as the API server handles it: the prefix plus five characters
 * from the alphabet of Kubernetes' random names (no vowels, no look-alikes), so events read
 * {@code web.x7k2q} as on a cluster.
 */
final class GeneratedNames {
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final int SUFFIX_LENGTH = 5;
    private static final int MAX_NAME = 253;

    private GeneratedNames() {
    }

    /** The body with a generated name when it has a generateName and no name; any other body unchanged. */
    static String named(String body) {
        JsonNode object;
        try {
            object = Serialization.unmarshal(body, JsonNode.class);
        } catch (RuntimeException e) {
            return body; // let the store answer the malformed body
        }
        if (!(object instanceof ObjectNode) || !(object.get("metadata") instanceof ObjectNode metadata)) {
            return body;
        }
        String prefix = metadata.path("generateName").asText("");
        if (prefix.isEmpty() || !metadata.path("name").asText("").isEmpty()) {
            return body;
        }
        metadata.put("name", name(prefix));
        return Serialization.asJson(object);
    }

    static String name(String prefix) {
        String base = prefix.length() > MAX_NAME - SUFFIX_LENGTH ? prefix.substring(0, MAX_NAME - SUFFIX_LENGTH) : prefix;
        StringBuilder name = new StringBuilder(base);
        for (int i = 0; i < SUFFIX_LENGTH; i++) {
            name.append(ALPHABET.charAt(ThreadLocalRandom.current().nextInt(ALPHABET.length())));
        }
        return name.toString();
    }
}
