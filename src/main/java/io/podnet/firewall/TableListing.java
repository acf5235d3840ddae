package io.podnet.firewall;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Table inet podnet as {@code list table} printed it in JSON: sets and maps with their
 * elements (key and comment), chains with their base settings and the comments of their rules.
 */
record TableListing(Map<String, ListedSet> sets, Map<String, ListedChain> chains, int ruleCount) {
    record ListedSet(String name, boolean map, String type, String mapType, String flags, List<ListedElement> elements) {
        boolean matches(NftLayout.SetDef def) {
            return map == def.isMap() && type.equals(def.type()) && java.util.Objects.equals(mapType, def.map())
                    && flags.equals("interval");
        }
    }

    /** @param key the key exactly as listed, fit for a delete command */
    record ListedElement(JsonNode key, String comment) {
    }

    record ListedChain(String name, String type, String hook, Integer prio, List<String> ruleComments) {
        boolean matches(NftLayout.ChainDef def) {
            return java.util.Objects.equals(type, def.type()) && java.util.Objects.equals(hook, def.hook())
                    && java.util.Objects.equals(prio, def.prio());
        }
    }

    static TableListing parse(JsonNode listing) {
        Map<String, ListedSet> sets = new LinkedHashMap<>();
        Map<String, List<String>> rules = new LinkedHashMap<>();
        Map<String, JsonNode> chainNodes = new LinkedHashMap<>();
        int ruleCount = 0;
        for (JsonNode item : listing.path("nftables")) {
            if (item.has("set") || item.has("map")) {
                boolean map = item.has("map");
                JsonNode s = map ? item.get("map") : item.get("set");
                List<ListedElement> elements = new ArrayList<>();
                for (JsonNode e : s.path("elem")) {
                    elements.add(element(map ? e.get(0) : e));
                }
                String name = s.path("name").asText();
                sets.put(name, new ListedSet(name, map, typeText(s.path("type")), s.has("map") ? typeText(s.get("map")) : null,
                        flags(s.path("flags")), elements));
            } else if (item.has("chain")) {
                JsonNode c = item.get("chain");
                chainNodes.put(c.path("name").asText(), c);
                rules.putIfAbsent(c.path("name").asText(), new ArrayList<>());
            } else if (item.has("rule")) {
                JsonNode r = item.get("rule");
                rules.computeIfAbsent(r.path("chain").asText(), k -> new ArrayList<>()).add(r.path("comment").asText(""));
                ruleCount++;
            }
        }
        Map<String, ListedChain> chains = new LinkedHashMap<>();
        chainNodes.forEach((name, c) -> chains.put(name, new ListedChain(name,
                c.has("type") ? c.get("type").asText() : null,
                c.has("hook") ? c.get("hook").asText() : null,
                c.has("prio") && c.get("prio").isInt() ? c.get("prio").asInt() : null,
                List.copyOf(rules.get(name)))));
        return new TableListing(sets, chains, ruleCount);
    }

    /** An element is its key, or {"elem": {"val": key, "comment": ...}} when it carries a comment. */
    private static ListedElement element(JsonNode e) {
        if (e.isObject() && e.has("elem")) {
            JsonNode inner = e.get("elem");
            return new ListedElement(inner.get("val"), inner.has("comment") ? inner.get("comment").asText() : null);
        }
        return new ListedElement(e, null);
    }

    private static String typeText(JsonNode type) {
        if (type.isArray()) {
            List<String> parts = new ArrayList<>();
            type.forEach(t -> parts.add(t.asText()));
            return String.join(" . ", parts);
        }
        return type.asText();
    }

    private static String flags(JsonNode flags) {
        TreeSet<String> out = new TreeSet<>();
        if (flags.isArray()) {
            flags.forEach(f -> out.add(f.asText()));
        } else if (flags.isTextual()) {
            out.add(flags.asText());
        }
        return String.join(",", out);
    }
}
