package io.podnet.firewall;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * The fixed part of table {@code inet podnet}: its sets, maps, chains and rules. Nothing here
 * depends on pods or networks; they only add elements, so the number of rules is the same with
 * one port or ten thousand.
 *
 * <pre>
 * set subnets4, subnets6      every podnet bridge subnet (hairpin, and "not towards a pod" for egress)
 * set masq4, masq6            the subnets of non-internal networks, masqueraded towards the outside
 * map hostports4, hostports6  host address . protocol . host port(s) : pod address
 *                             (host address 0.0.0.0/0 or ::/0 for any; port ranges as intervals)
 * map dports4, dports6        host address . protocol . host port : container port, only for ports
 *                             that change number (one element per port)
 * set isolation               input bridge . output bridge pairs whose forwarded traffic is dropped
 *                             (the networks' isolate option)
 * chain prerouting  nat hook prerouting  priority dstnat: fib daddr type local jump hostports
 * chain output      nat hook output      priority dstnat: fib daddr type local jump hostports
 * chain hostports   the DNAT: first "address and port from the maps", then "address only" (port kept)
 * chain postrouting nat hook postrouting priority srcnat: hairpin, 127.0.0.1, egress masquerade
 * chain forward     filter hook forward priority filter: drop between isolated bridges
 * </pre>
 *
 * Every rule carries a comment "name hash" where the hash covers its expression, so a check can
 * tell from a listing whether a chain still holds exactly these rules without parsing them back
 * (libnftables 1.0.6 does not even print a two-map dnat back as it was given).
 */
final class NftLayout {
    static final String FAMILY = "inet";
    static final String TABLE = "podnet";

    static final String SUBNETS4 = "subnets4";
    static final String SUBNETS6 = "subnets6";
    static final String MASQ4 = "masq4";
    static final String MASQ6 = "masq6";
    static final String HOSTPORTS4 = "hostports4";
    static final String HOSTPORTS6 = "hostports6";
    static final String DPORTS4 = "dports4";
    static final String DPORTS6 = "dports6";
    static final String ISOLATION = "isolation";

    static final ObjectMapper JSON = new ObjectMapper();

    /** A set or map: type as nft prints it (concatenations joined by " . "), map data type or null. */
    record SetDef(String name, String type, String map) {
        boolean isMap() {
            return map != null;
        }
    }

    record RuleDef(String comment, ArrayNode expr) {
    }

    /** A chain; type, hook and prio are null for a regular chain. */
    record ChainDef(String name, String type, String hook, Integer prio, List<RuleDef> rules) {
        boolean isBase() {
            return hook != null;
        }
    }

    static final List<SetDef> SETS = List.of(
            new SetDef(SUBNETS4, "ipv4_addr", null),
            new SetDef(SUBNETS6, "ipv6_addr", null),
            new SetDef(MASQ4, "ipv4_addr", null),
            new SetDef(MASQ6, "ipv6_addr", null),
            new SetDef(HOSTPORTS4, "ipv4_addr . inet_proto . inet_service", "ipv4_addr"),
            new SetDef(HOSTPORTS6, "ipv6_addr . inet_proto . inet_service", "ipv6_addr"),
            new SetDef(DPORTS4, "ipv4_addr . inet_proto . inet_service", "inet_service"),
            new SetDef(DPORTS6, "ipv6_addr . inet_proto . inet_service", "inet_service"),
            new SetDef(ISOLATION, "ifname . ifname", null));

    /** In creation order: jump targets first. */
    static final List<ChainDef> CHAINS = List.of(
            new ChainDef("hostports", null, null, null, List.of(
                    rule("hostports", "ipv6-loopback-untouched", """
                            [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "::1"}},
                             {"return": null}]"""),
                    dnatAddressAndPort("ip", HOSTPORTS4, DPORTS4),
                    dnatAddress("ip", HOSTPORTS4),
                    dnatAddressAndPort("ip6", HOSTPORTS6, DPORTS6),
                    dnatAddress("ip6", HOSTPORTS6))),
            new ChainDef("prerouting", "nat", "prerouting", -100, List.of(jumpToHostports("prerouting"))),
            new ChainDef("output", "nat", "output", -100, List.of(jumpToHostports("output"))),
            new ChainDef("postrouting", "nat", "postrouting", 100, List.of(
                    rule("postrouting", "hairpin-ipv4", """
                            [{"match": {"op": "in", "left": {"ct": {"key": "status"}}, "right": "dnat"}},
                             {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@subnets4"}},
                             {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@subnets4"}},
                             {"masquerade": null}]"""),
                    rule("postrouting", "localhost-ipv4", """
                            [{"match": {"op": "in", "left": {"ct": {"key": "status"}}, "right": "dnat"}},
                             {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                                        "right": {"prefix": {"addr": "127.0.0.0", "len": 8}}}},
                             {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@subnets4"}},
                             {"masquerade": null}]"""),
                    rule("postrouting", "egress-ipv4", """
                            [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@masq4"}},
                             {"match": {"op": "!=", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@subnets4"}},
                             {"match": {"op": "!=", "left": {"payload": {"protocol": "ip", "field": "daddr"}},
                                        "right": {"prefix": {"addr": "224.0.0.0", "len": 4}}}},
                             {"masquerade": null}]"""),
                    rule("postrouting", "hairpin-ipv6", """
                            [{"match": {"op": "in", "left": {"ct": {"key": "status"}}, "right": "dnat"}},
                             {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "saddr"}}, "right": "@subnets6"}},
                             {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "@subnets6"}},
                             {"masquerade": null}]"""),
                    rule("postrouting", "egress-ipv6", """
                            [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "saddr"}}, "right": "@masq6"}},
                             {"match": {"op": "!=", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "@subnets6"}},
                             {"match": {"op": "!=", "left": {"payload": {"protocol": "ip6", "field": "daddr"}},
                                        "right": {"prefix": {"addr": "ff00::", "len": 8}}}},
                             {"masquerade": null}]"""))),
            new ChainDef("forward", "filter", "forward", 0, List.of(
                    rule("forward", "isolation", """
                            [{"match": {"op": "==", "left": {"concat": [{"meta": {"key": "iifname"}}, {"meta": {"key": "oifname"}}]},
                                        "right": "@isolation"}},
                             {"drop": null}]"""))));

    private NftLayout() {
    }

    static int ruleCount() {
        return CHAINS.stream().mapToInt(c -> c.rules().size()).sum();
    }

    static SetDef set(String name) {
        return SETS.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    private static RuleDef jumpToHostports(String chain) {
        return rule(chain, "to-hostports", """
                [{"match": {"op": "==", "left": {"fib": {"result": "type", "flags": ["daddr"]}}, "right": "local"}},
                 {"jump": {"target": "hostports"}}]""");
    }

    /** The lookup key: destination address . protocol . destination port. */
    private static String key(String family) {
        return """
                {"concat": [{"payload": {"protocol": "%s", "field": "daddr"}}, {"meta": {"key": "l4proto"}},
                            {"payload": {"protocol": "th", "field": "dport"}}]}""".formatted(family);
    }

    /** Ports that change number: the address from one map, the port from the other. */
    private static RuleDef dnatAddressAndPort(String family, String addressMap, String portMap) {
        return rule("hostports", "dnat-port-" + family, """
                [{"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": {"set": ["tcp", "udp", "sctp"]}}},
                 {"dnat": {"family": "%s", "addr": {"map": {"key": %s, "data": "@%s"}},
                                           "port": {"map": {"key": %s, "data": "@%s"}}}}]"""
                .formatted(family, key(family), addressMap, key(family), portMap));
    }

    /** Ports that keep their number (and whole ranges of them): the address only. */
    private static RuleDef dnatAddress(String family, String addressMap) {
        return rule("hostports", "dnat-" + family, """
                [{"dnat": {"family": "%s", "addr": {"map": {"key": %s, "data": "@%s"}}}}]"""
                .formatted(family, key(family), addressMap));
    }

    private static RuleDef rule(String chain, String name, String exprJson) {
        try {
            ArrayNode expr = (ArrayNode) JSON.readTree(exprJson);
            return new RuleDef(name + " " + hash(chain + "|" + expr), expr);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("bad rule " + name + ": " + e.getMessage(), e);
        }
    }

    /** 12 hex digits of SHA-256: enough to tell versions of a rule or element apart. */
    static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> ruleComments(ChainDef chain) {
        List<String> out = new ArrayList<>();
        for (RuleDef r : chain.rules()) {
            out.add(r.comment());
        }
        return out;
    }

    static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new FirewallException("libnftables printed JSON that does not parse: " + e.getMessage(), e);
        }
    }
}
