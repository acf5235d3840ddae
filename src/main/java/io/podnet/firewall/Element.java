package io.podnet.firewall;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One element of a podnet set or map, as podnet writes it. The comment is
 * {@code "<owner> <hash>"}: the owner (a pod id, or {@code net/<bridge>}) says whose element it
 * is, and the hash of set, key and value tells this version of the element from any other, so
 * {@code set + comment} identifies it in a listing without parsing keys back.
 *
 * @param value the mapped value for a map, null for a set
 */
record Element(String set, String owner, JsonNode key, JsonNode value, String comment) {
    static Element of(String set, String owner, JsonNode key, JsonNode value) {
        String hash = NftLayout.hash(set + "|" + key + "|" + (value == null ? "" : value.toString()));
        return new Element(set, owner, key, value, owner + " " + hash);
    }

    /** Unique in the table. */
    String id() {
        return set + " " + comment;
    }

    /** The owner named by a listed element's comment, or null when it has none we wrote. */
    static String ownerOf(String comment) {
        if (comment == null) {
            return null;
        }
        int space = comment.indexOf(' ');
        return space > 0 ? comment.substring(0, space) : null;
    }
}
