package io.podnet.firewall;

import java.util.Collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A libnftables JSON command list ({@code {"nftables": [...]}}) for table inet podnet, run as
 * one transaction by {@code nft_run_cmd_from_buffer}: all commands apply, or none.
 */
final class NftCommands {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final ObjectNode root = F.objectNode();
    private final ArrayNode list = root.putArray("nftables");

    boolean isEmpty() {
        return list.isEmpty();
    }

    int size() {
        return list.size();
    }

    ObjectNode json() {
        return root;
    }

    @Override
    public String toString() {
        return root.toString();
    }

    static String listTable() {
        NftCommands c = new NftCommands();
        c.command("list", "table", table());
        return c.toString();
    }

    NftCommands addTable() {
        return command("add", "table", table());
    }

    NftCommands deleteTable() {
        return command("delete", "table", table());
    }

    NftCommands addSet(NftLayout.SetDef def) {
        ObjectNode s = object(def.name());
        String[] type = def.type().split(" \\. ");
        if (type.length == 1) {
            s.put("type", type[0]);
        } else {
            ArrayNode t = s.putArray("type");
            for (String part : type) {
                t.add(part);
            }
        }
        if (def.isMap()) {
            s.put("map", def.map());
        }
        s.putArray("flags").add("interval");
        return command("add", def.isMap() ? "map" : "set", s);
    }

    NftCommands deleteSet(String name, boolean map) {
        return command("delete", map ? "map" : "set", object(name));
    }

    NftCommands addChain(NftLayout.ChainDef def) {
        ObjectNode c = object(def.name());
        if (def.isBase()) {
            c.put("type", def.type()).put("hook", def.hook()).put("prio", def.prio()).put("policy", "accept");
        }
        return command("add", "chain", c);
    }

    NftCommands flushChain(String name) {
        return command("flush", "chain", object(name));
    }

    NftCommands deleteChain(String name) {
        return command("delete", "chain", object(name));
    }

    NftCommands addRule(String chain, NftLayout.RuleDef rule) {
        ObjectNode r = F.objectNode();
        r.put("family", NftLayout.FAMILY).put("table", NftLayout.TABLE).put("chain", chain).put("comment", rule.comment());
        r.set("expr", rule.expr());
        return command("add", "rule", r);
    }

    /** Adds elements of one set, each with its comment. Adding an identical element again is no error. */
    NftCommands addElements(String set, Collection<Element> elements) {
        if (elements.isEmpty()) {
            return this;
        }
        ObjectNode e = object(set);
        ArrayNode elem = e.putArray("elem");
        for (Element el : elements) {
            ObjectNode wrapped = F.objectNode();
            wrapped.putObject("elem").put("comment", el.comment()).set("val", el.key());
            if (el.value() == null) {
                elem.add(wrapped);
            } else {
                elem.add(F.arrayNode().add(wrapped).add(el.value()));
            }
        }
        return command("add", "element", e);
    }

    /** Deletes elements of one set by key; every key must exist or the transaction fails. */
    NftCommands deleteElements(String set, Collection<JsonNode> keys) {
        if (keys.isEmpty()) {
            return this;
        }
        ObjectNode e = object(set);
        ArrayNode elem = e.putArray("elem");
        keys.forEach(elem::add);
        return command("delete", "element", e);
    }

    private NftCommands command(String verb, String kind, ObjectNode body) {
        ObjectNode inner = F.objectNode();
        inner.set(kind, body);
        list.addObject().set(verb, inner);
        return this;
    }

    private static ObjectNode table() {
        ObjectNode t = F.objectNode();
        t.put("family", NftLayout.FAMILY).put("name", NftLayout.TABLE);
        return t;
    }

    private static ObjectNode object(String name) {
        ObjectNode o = F.objectNode();
        o.put("family", NftLayout.FAMILY).put("table", NftLayout.TABLE).put("name", name);
        return o;
    }
}
