package io.podnet.ipam;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.inet.Cidr;
import io.podnet.sys.AtomicFile;

/**
 * The on-disk form of one network's allocations, {@code <stateDir>/ipam/<network>.json}:
 * <pre>
 * {
 *   "version": 1,
 *   "network": "podnet",
 *   "allocations": {
 *     "owner-a": ["10.89.0.2/24", "fd00::2/64"],
 *     "owner-b": ["10.89.0.3/24", "fd00::3/64"]
 *   }
 * }
 * </pre>
 * Owners are sorted; each owner's addresses keep the order of the subnets they were allocated
 * from. Writes are crash-safe: a temp file {@code .<network>.json.tmp-<16 hex>} in the same
 * directory is written and fsynced, renamed over the old file (rename(2) is atomic), and the
 * directory is fsynced so the rename itself survives a power cut.
 */
final class StateFile {
    static final int VERSION = 1;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private StateFile() {
    }

    /** The content is unusable; {@link #newer} when it is a format from a later podnet rather than damage. */
    static final class Unreadable extends Exception {
        final boolean newer;

        Unreadable(String message, boolean newer) {
            super(message);
            this.newer = newer;
        }
    }

    static Path file(Path dir, String network) {
        return dir.resolve(network + ".json");
    }

    static byte[] encode(String network, Map<String, List<Cidr>> allocations) {
        Encoder e = new Encoder(network);
        allocations.forEach(e::add);
        return e.finish();
    }

    /**
     * Writes the file text directly, one owner per line: cheaper than building a JSON tree, which
     * matters because the whole file is rewritten on every change.
     */
    static final class Encoder {
        private final StringBuilder out;
        private boolean first = true;

        Encoder(String network) {
            this(network, 4096);
        }

        Encoder(String network, int capacity) {
            out = new StringBuilder(capacity);
            out.append("{\n  \"version\": ").append(VERSION).append(",\n  \"network\": \"");
            out.append(JsonStringEncoder.getInstance().quoteAsString(network)).append("\",\n  \"allocations\": {");
        }

        void add(String owner, List<Cidr> addresses) {
            addEntry(entry(owner, addresses));
        }

        /** An {@link #entry} made before: formatting the addresses costs more than copying the text. */
        void addEntry(String entry) {
            out.append(first ? "\n    " : ",\n    ").append(entry);
            first = false;
        }

        /** One owner's line without indent and comma: {@code "owner": ["10.89.0.2/24"]}. */
        static String entry(String owner, List<Cidr> addresses) {
            StringBuilder e = new StringBuilder(owner.length() + 24 * addresses.size() + 8).append('"');
            e.append(JsonStringEncoder.getInstance().quoteAsString(owner)).append("\": [");
            for (int i = 0; i < addresses.size(); i++) {
                e.append(i == 0 ? "\"" : ", \"").append(addresses.get(i)).append('"');
            }
            return e.append(']').toString();
        }

        byte[] finish() {
            out.append(first ? "}\n}\n" : "\n  }\n}\n");
            return out.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** Owner -> addresses, in file order. */
    static Map<String, List<Cidr>> decode(String network, byte[] content) throws Unreadable {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (IOException e) {
            String msg = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.toString();
            msg = msg.replaceAll("\\[Source: [^;\\]]*; ", "[");
            throw new Unreadable("invalid JSON: " + msg, false);
        }
        if (root == null || root.isMissingNode()) {
            throw new Unreadable("file is empty", false);
        }
        if (!root.isObject()) {
            throw new Unreadable("not a JSON object", false);
        }
        JsonNode version = root.get("version");
        if (version == null || !version.isInt()) {
            throw new Unreadable("no integer \"version\"", false);
        }
        if (version.intValue() > VERSION) {
            throw new Unreadable("format version " + version.intValue() + " is newer than this podnet's " + VERSION, true);
        }
        if (version.intValue() != VERSION) {
            throw new Unreadable("unknown format version " + version.intValue(), false);
        }
        JsonNode name = root.get("network");
        if (name == null || !name.isTextual() || !name.textValue().equals(network)) {
            throw new Unreadable("\"network\" is " + name + ", not \"" + network + "\"", false);
        }
        JsonNode all = root.get("allocations");
        if (all == null || !all.isObject()) {
            throw new Unreadable("no \"allocations\" object", false);
        }
        Map<String, List<Cidr>> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : all.properties()) {
            JsonNode list = e.getValue();
            if (!list.isArray() || list.isEmpty()) {
                throw new Unreadable("allocation of \"" + e.getKey() + "\" is not a non-empty array", false);
            }
            List<Cidr> addresses = new ArrayList<>();
            for (JsonNode a : list) {
                if (!a.isTextual()) {
                    throw new Unreadable("allocation of \"" + e.getKey() + "\" holds " + a + ", not an address", false);
                }
                try {
                    addresses.add(Cidr.parse(a.textValue()));
                } catch (IllegalArgumentException x) {
                    throw new Unreadable("allocation of \"" + e.getKey() + "\": " + x.getMessage(), false);
                }
            }
            out.put(e.getKey(), addresses);
        }
        return out;
    }

    /** Renames a damaged file to {@code <network>.json.corrupt-<UTC timestamp>} and returns the new path. */
    static Path setAside(Path file) throws IOException {
        String stamp = STAMP.format(ZonedDateTime.now(ZoneOffset.UTC));
        Path target = file.resolveSibling(file.getFileName() + ".corrupt-" + stamp);
        for (int i = 1; Files.exists(target); i++) {
            target = file.resolveSibling(file.getFileName() + ".corrupt-" + stamp + "-" + i);
        }
        Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        AtomicFile.forceDirectory(file.getParent());
        return target;
    }
}
