package io.podnet.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.Protocol;
import io.podnet.netconf.Isolation;

/** The JSON commands podnet sends to libnftables, against the JSON they must be. */
class NftCommandsTest {
    private static JsonNode json(String text) {
        return NftLayout.parse(text);
    }

    /** Comments carry a hash; the tests check their form, then compare the rest. */
    private static JsonNode withoutHashes(JsonNode node) {
        JsonNode copy = node.deepCopy();
        strip(copy);
        return copy;
    }

    private static void strip(JsonNode n) {
        if (n instanceof ObjectNode o && o.has("comment")) {
            String c = o.get("comment").asText();
            assertThat(c).matches("\\S+ [0-9a-f]{12}");
            o.put("comment", c.substring(0, c.indexOf(' ')) + " #");
        }
        n.forEach(NftCommandsTest::strip);
    }

    private static DnatRule rule(String hostIp, Protocol p, int hostPort, int range, String podIp, int containerPort) {
        return new DnatRule(hostIp == null ? null : IpAddresses.parse(hostIp), p, hostPort, range, IpAddresses.parse(podIp), containerPort);
    }

    private static NftCommands addAll(List<Element> elements) {
        NftCommands c = new NftCommands();
        for (NftLayout.SetDef def : NftLayout.SETS) {
            c.addElements(def.name(), elements.stream().filter(e -> e.set().equals(def.name())).toList());
        }
        return c;
    }

    @Test
    void aPortThatChangesNumberIsAnAddressElementAndAPortElement() {
        List<Element> elements = Elements.forPod("pod-a", List.of(rule(null, Protocol.TCP, 8080, 1, "10.89.0.2", 80)));
        assertThat(withoutHashes(addAll(elements).json())).isEqualTo(json("""
                {"nftables": [
                 {"add": {"element": {"family": "inet", "table": "podnet", "name": "hostports4", "elem": [
                   [{"elem": {"comment": "pod-a #", "val": {"concat": [{"prefix": {"addr": "0.0.0.0", "len": 0}}, "tcp", 8080]}}}, "10.89.0.2"]]}}},
                 {"add": {"element": {"family": "inet", "table": "podnet", "name": "dports4", "elem": [
                   [{"elem": {"comment": "pod-a #", "val": {"concat": [{"prefix": {"addr": "0.0.0.0", "len": 0}}, "tcp", 8080]}}}, 80]]}}}
                ]}"""));
    }

    @Test
    void aRangeKeepingItsNumbersIsOneIntervalElement() {
        List<Element> elements = Elements.forPod("pod-a", List.of(rule("192.168.1.1", Protocol.UDP, 9000, 3, "10.89.0.2", 9000)));
        assertThat(withoutHashes(addAll(elements).json())).isEqualTo(json("""
                {"nftables": [
                 {"add": {"element": {"family": "inet", "table": "podnet", "name": "hostports4", "elem": [
                   [{"elem": {"comment": "pod-a #", "val": {"concat": ["192.168.1.1", "udp", {"range": [9000, 9002]}]}}}, "10.89.0.2"]]}}}
                ]}"""));
    }

    @Test
    void aRangeChangingItsNumbersMapsEachPort() {
        List<Element> elements = Elements.forPod("pod-b", List.of(rule(null, Protocol.SCTP, 7000, 2, "fd00:89::3", 70)));
        assertThat(withoutHashes(addAll(elements).json())).isEqualTo(json("""
                {"nftables": [
                 {"add": {"element": {"family": "inet", "table": "podnet", "name": "hostports6", "elem": [
                   [{"elem": {"comment": "pod-b #", "val": {"concat": [{"prefix": {"addr": "::", "len": 0}}, "sctp", {"range": [7000, 7001]}]}}}, "fd00:89::3"]]}}},
                 {"add": {"element": {"family": "inet", "table": "podnet", "name": "dports6", "elem": [
                   [{"elem": {"comment": "pod-b #", "val": {"concat": [{"prefix": {"addr": "::", "len": 0}}, "sctp", 7000]}}}, 70],
                   [{"elem": {"comment": "pod-b #", "val": {"concat": [{"prefix": {"addr": "::", "len": 0}}, "sctp", 7001]}}}, 71]]}}}
                ]}"""));
    }

    @Test
    void aNetworkPutsItsSubnetsInTheHairpinSetAndUnlessInternalTheMasqueradeSet() {
        List<Element> open = Elements.forNetwork(new NetworkRules("podnet0", List.of(Cidr.parse("10.89.0.1/24")), false));
        assertThat(withoutHashes(addAll(open).json())).isEqualTo(json("""
                {"nftables": [
                 {"add": {"element": {"family": "inet", "table": "podnet", "name": "subnets4", "elem": [
                   {"elem": {"comment": "net/podnet0 #", "val": {"prefix": {"addr": "10.89.0.0", "len": 24}}}}]}}},
                 {"add": {"element": {"family": "inet", "table": "podnet", "name": "masq4", "elem": [
                   {"elem": {"comment": "net/podnet0 #", "val": {"prefix": {"addr": "10.89.0.0", "len": 24}}}}]}}}
                ]}"""));
        List<Element> internal = Elements.forNetwork(new NetworkRules("podnet1", List.of(Cidr.parse("fd00:90::/64")), true));
        assertThat(internal).extracting(Element::set).containsExactly("subnets6");
    }

    @Test
    void deletesNameOnlyTheKey() {
        Element e = Elements.forPod("pod-a", List.of(rule(null, Protocol.TCP, 8080, 1, "10.89.0.2", 8080))).get(0);
        assertThat(new NftCommands().deleteElements(e.set(), List.of(e.key())).json()).isEqualTo(json("""
                {"nftables": [{"delete": {"element": {"family": "inet", "table": "podnet", "name": "hostports4", "elem": [
                  {"concat": [{"prefix": {"addr": "0.0.0.0", "len": 0}}, "tcp", 8080]}]}}}]}"""));
    }

    @Test
    void theCommentNamesTheOwnerAndChangesWithTheElement() {
        Element a = Elements.forPod("pod-a", List.of(rule(null, Protocol.TCP, 8080, 1, "10.89.0.2", 8080))).get(0);
        Element moved = Elements.forPod("pod-a", List.of(rule(null, Protocol.TCP, 8080, 1, "10.89.0.3", 8080))).get(0);
        assertThat(a.comment()).startsWith("pod-a ");
        assertThat(Element.ownerOf(a.comment())).isEqualTo("pod-a");
        assertThat(moved.comment()).isNotEqualTo(a.comment());
        assertThat(Element.ownerOf(null)).isNull();
        assertThat(Element.ownerOf("nospace")).isNull();
    }

    @Test
    void theLayoutIsCreatedWithTheseDefinitions() {
        NftCommands c = Reconciler.plan(null, List.of(), owner -> true).commands();
        JsonNode cmds = c.json().get("nftables");
        assertThat(cmds.get(0)).isEqualTo(json("""
                {"add": {"table": {"family": "inet", "name": "podnet"}}}"""));
        assertThat(cmds).contains(json("""
                {"add": {"map": {"family": "inet", "table": "podnet", "name": "hostports4",
                  "type": ["ipv4_addr", "inet_proto", "inet_service"], "map": "ipv4_addr", "flags": ["interval"]}}}"""));
        assertThat(cmds).contains(json("""
                {"add": {"set": {"family": "inet", "table": "podnet", "name": "masq6", "type": "ipv6_addr", "flags": ["interval"]}}}"""));
        assertThat(cmds).contains(json("""
                {"add": {"chain": {"family": "inet", "table": "podnet", "name": "prerouting",
                  "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}}}"""));
        assertThat(withoutHashes(c.json()).get("nftables")).contains(json("""
                {"add": {"rule": {"family": "inet", "table": "podnet", "chain": "hostports", "comment": "dnat-port-ip #", "expr": [
                  {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": {"set": ["tcp", "udp", "sctp"]}}},
                  {"dnat": {"family": "ip",
                    "addr": {"map": {"key": {"concat": [{"payload": {"protocol": "ip", "field": "daddr"}}, {"meta": {"key": "l4proto"}},
                                                        {"payload": {"protocol": "th", "field": "dport"}}]}, "data": "@hostports4"}},
                    "port": {"map": {"key": {"concat": [{"payload": {"protocol": "ip", "field": "daddr"}}, {"meta": {"key": "l4proto"}},
                                                        {"payload": {"protocol": "th", "field": "dport"}}]}, "data": "@dports4"}}}}]}}}"""));
        assertThat(cmds).contains(json("""
                {"add": {"set": {"family": "inet", "table": "podnet", "name": "isolation", "type": ["ifname", "ifname"], "flags": ["interval"]}}}"""));
        assertThat(cmds).contains(json("""
                {"add": {"chain": {"family": "inet", "table": "podnet", "name": "forward",
                  "type": "filter", "hook": "forward", "prio": 0, "policy": "accept"}}}"""));
        // 1 table, 9 sets and maps, 5 chains, 13 rules, and no elements
        assertThat(c.size()).isEqualTo(1 + 9 + 5 + 13);
        assertThat(NftLayout.ruleCount()).isEqualTo(13);
    }

    @Test
    void isolationPairsFollowNetavarksRules() {
        NetworkRules a = new NetworkRules("br-a", List.of(Cidr.parse("10.1.0.0/24")), false, Isolation.ISOLATED);
        NetworkRules b = new NetworkRules("br-b", List.of(Cidr.parse("10.2.0.0/24")), false, Isolation.ISOLATED);
        NetworkRules c = new NetworkRules("br-c", List.of(Cidr.parse("10.3.0.0/24")), true, Isolation.STRICT);
        NetworkRules d = new NetworkRules("br-d", List.of(Cidr.parse("10.4.0.0/24")), false);
        List<String> pairs = Elements.forIsolation(List.of(a, b, c, d)).stream()
                .map(e -> e.key().get("concat").get(0).asText() + ">" + e.key().get("concat").get(1).asText()).toList();
        // isolated ones never meet each other, the strict one meets nobody, the open ones meet the isolated ones
        assertThat(pairs).containsExactlyInAnyOrder("br-a>br-b", "br-b>br-a", "br-a>br-c", "br-c>br-a", "br-b>br-c", "br-c>br-b",
                "br-c>br-d", "br-d>br-c");
        assertThat(Elements.forIsolation(List.of(a, d))).as("one isolated network alone has nobody to be kept from").isEmpty();
        assertThat(Elements.forIsolation(List.of(a, b))).allMatch(e -> e.set().equals("isolation") && e.owner().equals("isolation/pairs"));
    }

    @Test
    void listingIsOneCommand() {
        assertThat(json(NftCommands.listTable())).isEqualTo(json("""
                {"nftables": [{"list": {"table": {"family": "inet", "name": "podnet"}}}]}"""));
    }
}
