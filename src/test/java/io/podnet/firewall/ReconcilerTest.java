package io.podnet.firewall;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.podnet.firewall.Repair.Action;
import io.podnet.firewall.Repair.Item;
import io.podnet.firewall.Repair.Kind;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.Protocol;

/**
 * Repair plans against a listing captured from the kernel (libnftables 1.0.6): table inet podnet
 * as NftFirewall.sync built it with network podnet0, pod-a (tcp 8080 -> 10.89.0.2:80) and pod-b
 * (udp 198.51.100.1:9000-9002 -> 10.89.0.3, sctp 7000-7001 -> [fd00:89::3]:70-71), then drifted
 * by hand: an element without a comment in hostports4 ({@code nft add element inet podnet
 * hostports4 '{ 10.0.0.1 . tcp . 1234 : 10.89.0.9 }'}), a rule appended to postrouting
 * ({@code nft add rule inet podnet postrouting counter}) and a chain "extra".
 */
class ReconcilerTest {
    private static JsonNode capture() throws IOException {
        try (InputStream in = ReconcilerTest.class.getResourceAsStream("listing-drifted.json")) {
            return NftLayout.JSON.readTree(in);
        }
    }

    private static List<Element> network() {
        return Elements.forNetwork(new NetworkRules("podnet0", List.of(Cidr.parse("10.89.0.0/24"), Cidr.parse("fd00:89::/64")), false));
    }

    private static List<Element> podA() {
        return Elements.forPod("pod-a", List.of(new DnatRule(null, Protocol.TCP, 8080, 1, IpAddresses.parse("10.89.0.2"), 80)));
    }

    private static List<Element> podB() {
        return Elements.forPod("pod-b", List.of(
                new DnatRule(IpAddresses.parse("198.51.100.1"), Protocol.UDP, 9000, 3, IpAddresses.parse("10.89.0.3"), 9000),
                new DnatRule(null, Protocol.SCTP, 7000, 2, IpAddresses.parse("fd00:89::3"), 70)));
    }

    private static List<Element> all(List<Element>... parts) {
        List<Element> out = new ArrayList<>();
        for (List<Element> p : parts) {
            out.addAll(p);
        }
        return out;
    }

    private static List<String> verbs(Reconciler.Plan plan) {
        List<String> out = new ArrayList<>();
        for (JsonNode cmd : plan.commands().json().get("nftables")) {
            String verb = cmd.fieldNames().next();
            JsonNode body = cmd.get(verb);
            String kind = body.fieldNames().next();
            JsonNode o = body.get(kind);
            String name = o.has("chain") ? o.get("chain").asText() : o.get("name").asText();
            int n = o.has("elem") ? o.get("elem").size() : 0;
            out.add(verb + " " + kind + " " + name + (n > 0 ? " x" + n : ""));
        }
        return out;
    }

    @Test
    void theListingParses() throws IOException {
        TableListing l = TableListing.parse(capture());
        assertThat(l.ruleCount()).isEqualTo(14);
        assertThat(l.chains().keySet()).containsExactly("hostports", "prerouting", "output", "postrouting", "forward", "extra");
        assertThat(l.chains().get("prerouting").matches(NftLayout.CHAINS.get(1))).isTrue();
        assertThat(l.chains().get("postrouting").ruleComments()).hasSize(6).endsWith("");
        for (NftLayout.SetDef def : NftLayout.SETS) {
            assertThat(l.sets().get(def.name()).matches(def)).as(def.name()).isTrue();
        }
        assertThat(l.sets().get("hostports4").elements()).extracting(TableListing.ListedElement::comment)
                .containsExactly(podB().get(0).comment(), podA().get(0).comment(), null);
        assertThat(l.sets().get("dports6").elements()).hasSize(2);
    }

    @Test
    void aFullSyncRemovesWhatWasAddedByHandAndRestoresTheChain() throws IOException {
        Reconciler.Plan plan = Reconciler.plan(TableListing.parse(capture()), all(network(), podA(), podB()), owner -> true);
        assertThat(verbs(plan)).containsExactly(
                "flush chain postrouting",
                "flush chain extra",
                "delete chain extra",
                "add rule postrouting", "add rule postrouting", "add rule postrouting", "add rule postrouting", "add rule postrouting",
                "delete element hostports4 x1");
        assertThat(plan.repairs()).containsExactly(
                new Item(Kind.CHAIN, Action.REPLACED, "postrouting"),
                new Item(Kind.CHAIN, Action.REMOVED, "extra"),
                new Item(Kind.ELEMENT, Action.REMOVED, "hostports4 {\"concat\":[\"10.0.0.1\",\"tcp\",1234]}"));
        assertThat(plan.commands().json().at("/nftables/8/delete/element/elem/0")).isEqualTo(NftLayout.parse("""
                {"concat": ["10.0.0.1", "tcp", 1234]}"""));
    }

    @Test
    void aFullSyncRemovesThePodsThatAreNoLongerExpected() throws IOException {
        Reconciler.Plan plan = Reconciler.plan(TableListing.parse(capture()), all(network(), podA()), owner -> true);
        assertThat(verbs(plan)).contains("delete element hostports4 x2", "delete element hostports6 x1", "delete element dports6 x2");
        assertThat(plan.repairs().stream().filter(i -> i.kind() == Kind.ELEMENT && i.name().contains("pod-b"))).hasSize(4);
    }

    @Test
    void aRepairForOnePodDeletesOnlyThatPodsElements() throws IOException {
        // pod-b unknown (before the first sync after a restart) and pod-a gone: only pod-a's may go
        Reconciler.Plan plan = Reconciler.plan(TableListing.parse(capture()), network(), "pod-a"::equals);
        assertThat(verbs(plan)).contains("delete element hostports4 x1", "delete element dports4 x1")
                .doesNotContain("delete element hostports6 x1", "delete element dports6 x2");
        assertThat(plan.repairs()).filteredOn(i -> i.kind() == Kind.ELEMENT).allMatch(i -> i.name().contains("pod-a"));
    }

    @Test
    void whatIsMissingIsAddedAndNothingElseTouched() throws IOException {
        JsonNode listing = capture();
        ArrayNode items = (ArrayNode) listing.get("nftables");
        // drop the hand-made drift, then lose dports4 and the rules of output
        List<JsonNode> kept = new ArrayList<>();
        for (JsonNode item : items) {
            JsonNode rule = item.get("rule");
            if (rule != null && (!rule.has("comment") || rule.get("chain").asText().equals("output"))) {
                continue;
            }
            if (item.has("chain") && item.get("chain").get("name").asText().equals("extra")) {
                continue;
            }
            if (item.has("map") && item.get("map").get("name").asText().equals("dports4")) {
                continue;
            }
            if (item.has("map") && item.get("map").get("name").asText().equals("hostports4")) {
                ArrayNode elem = (ArrayNode) item.get("map").get("elem");
                elem.remove(2);
            }
            kept.add(item);
        }
        items.removeAll();
        items.addAll(kept);
        Reconciler.Plan plan = Reconciler.plan(TableListing.parse(listing), all(network(), podA(), podB()), owner -> true);
        assertThat(verbs(plan)).containsExactly("add map dports4", "add rule output", "add element dports4 x1");
        assertThat(plan.repairs()).extracting(Item::kind).containsExactly(Kind.CHAIN, Kind.MAP, Kind.ELEMENT);
    }

    @Test
    void noTableMeansEverythingIsCreated() {
        Reconciler.Plan plan = Reconciler.plan(null, all(network(), podA()), owner -> true);
        assertThat(verbs(plan).get(0)).isEqualTo("add table podnet");
        assertThat(plan.repairs().get(0)).isEqualTo(new Item(Kind.TABLE, Action.ADDED, "inet podnet"));
        assertThat(plan.repairs().stream().filter(i -> i.kind() == Kind.ELEMENT)).hasSize(network().size() + podA().size());
    }

    @Test
    void aChangedDefinitionRebuildsTheTableInTheSameTransaction() throws IOException {
        JsonNode listing = capture();
        for (JsonNode item : listing.get("nftables")) {
            if (item.has("map") && item.get("map").get("name").asText().equals("dports4")) {
                ((ObjectNode) item.get("map")).put("map", "ipv4_addr");
            }
        }
        Reconciler.Plan plan = Reconciler.plan(TableListing.parse(listing), all(network(), podA(), podB()), owner -> true);
        assertThat(verbs(plan).subList(0, 2)).containsExactly("delete table podnet", "add table podnet");
        assertThat(plan.repairs().get(0)).isEqualTo(new Item(Kind.TABLE, Action.REPLACED, "inet podnet"));
    }

    @Test
    void aMatchingTableNeedsNothing() throws IOException {
        JsonNode listing = capture();
        Reconciler.Plan repaired = Reconciler.plan(TableListing.parse(listing), all(network(), podA(), podB()), owner -> true);
        assertThat(repaired.repairs()).isNotEmpty();
        // the same listing without the drift is what podnet wants: nothing to do
        ArrayNode items = (ArrayNode) listing.get("nftables");
        List<JsonNode> kept = new ArrayList<>();
        for (JsonNode item : items) {
            boolean handRule = item.has("rule") && !item.get("rule").has("comment");
            boolean extraChain = item.has("chain") && item.get("chain").get("name").asText().equals("extra");
            if (!handRule && !extraChain) {
                kept.add(item);
            }
            if (item.has("map") && item.get("map").get("name").asText().equals("hostports4")) {
                ((ArrayNode) item.get("map").get("elem")).remove(2);
            }
        }
        items.removeAll();
        items.addAll(kept);
        Reconciler.Plan plan = Reconciler.plan(TableListing.parse(listing), all(network(), podA(), podB()), owner -> true);
        assertThat(plan.commands().isEmpty()).isTrue();
        assertThat(plan.repairs()).isEmpty();
    }
}
