package io.podnet.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.podnet.firewall.Repair.Action;
import io.podnet.firewall.Repair.Kind;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.netns.Netns;
import io.podnet.ports.HostPortRegistry;
import io.podnet.inet.PortMapping;
import io.podnet.ports.PortPolicy;
import io.podnet.ports.PortRefusedException;
import io.podnet.inet.Protocol;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;

/**
 * The firewall against the real kernel: a sandbox namespace plays the host (see
 * {@link Topology}), servers in pod namespaces answer with their name and port, and every
 * connection is to an address inside namespaces the test created.
 */
@RequiresRoot
class NftFirewallKernelTest {
    private static final NetworkRules NETWORK = new NetworkRules(Topology.BRIDGE,
            List.of(Cidr.parse("10.89.0.0/24"), Cidr.parse("fd00:89::/64")), false);
    private static final String A4 = "10.89.0.2";
    private static final String B4 = "10.89.0.3";

    private Topology topo;
    private NftFirewall fw;
    private Netns host;
    private Netns podA;
    private Netns podB;

    @BeforeEach
    void start() {
        topo = new Topology();
        host = topo.host.netns();
        podA = topo.pod("a", A4, "fd00:89::2");
        podB = topo.pod("b", B4, "fd00:89::3");
        topo.closeLater(Servers.start(podA, "a", List.of(80, 9000, 9001, 9002, 100, 101, 102), List.of(53, 200, 201)));
        topo.closeLater(Servers.start(podB, "b", List.of(80), List.of(53)));
        fw = openFirewall();
        fw.ensureNetwork(NETWORK.bridge(), NETWORK.subnets(), false);
    }

    @AfterEach
    void stop() {
        topo.close();
    }

    private NftFirewall openFirewall() {
        return topo.closeLater(NftFirewall.open(topo.hostPath()));
    }

    private static DnatRule rule(Protocol p, int hostPort, int range, String podIp, int containerPort) {
        return new DnatRule(null, p, hostPort, range, IpAddresses.parse(podIp), containerPort);
    }

    private static DnatRule tcp(int hostPort, String podIp, int containerPort) {
        return rule(Protocol.TCP, hostPort, 1, podIp, containerPort);
    }

    /** tcp and udp, single ports and ranges, keeping and changing port numbers, and IPv6. */
    private static List<DnatRule> rulesA() {
        return List.of(
                tcp(8080, A4, 80),
                rule(Protocol.UDP, 8053, 1, A4, 53),
                rule(Protocol.TCP, 9000, 3, A4, 9000),
                rule(Protocol.TCP, 8100, 3, A4, 100),
                rule(Protocol.UDP, 8200, 2, A4, 200),
                tcp(8080, "fd00:89::2", 80));
    }

    /** set or map name -> element comments (the owner and hash), from nft -j in the host. */
    private Map<String, List<String>> elements() {
        JsonNode listing = listing();
        Map<String, List<String>> out = new TreeMap<>();
        for (JsonNode item : listing.path("nftables")) {
            JsonNode s = item.has("set") ? item.get("set") : item.get("map");
            if (s == null) {
                continue;
            }
            List<String> comments = new ArrayList<>();
            for (JsonNode e : s.path("elem")) {
                JsonNode el = item.has("map") ? e.get(0) : e;
                comments.add(el.path("elem").path("comment").asText("<none>"));
            }
            out.put(s.get("name").asText(), comments);
        }
        return out;
    }

    private JsonNode listing() {
        Shell.Result r = topo.nft("-j", "list", "table", "inet", "podnet");
        assertThat(r.ok()).as(r.output()).isTrue();
        return NftLayout.parse(r.output());
    }

    private String text() {
        return topo.nft("list", "table", "inet", "podnet").output();
    }

    private static long owned(Map<String, List<String>> elements, String owner) {
        return elements.values().stream().flatMap(List::stream).filter(c -> c.startsWith(owner + " ")).count();
    }

    @Test
    void singlePortsAndRangesReachThePodFromTheHostAndFromOutside() {
        fw.applyPod("pod-a", rulesA());
        for (String address : List.of(Topology.HOST_V4, "127.0.0.1")) {
            assertThat(Servers.tcp(host, address, 8080)).as(address).startsWith("a tcp/80 ");
            assertThat(Servers.tcp(host, address, 9001)).as(address).startsWith("a tcp/9001 ");
            assertThat(Servers.tcp(host, address, 8100)).as(address).startsWith("a tcp/100 ");
            assertThat(Servers.tcp(host, address, 8102)).as(address).startsWith("a tcp/102 ");
            assertThat(Servers.udp(host, address, 8053)).as(address).startsWith("a udp/53 ");
            assertThat(Servers.udp(host, address, 8201)).as(address).startsWith("a udp/201 ");
            assertThat(Servers.tcp(host, address, 8103)).as(address).startsWith("failed");
        }
        // 127.0.0.1 cannot be answered from the pod: it is masqueraded to the bridge address
        assertThat(Servers.tcp(host, "127.0.0.1", 8080)).isEqualTo("a tcp/80 from " + Topology.GATEWAY_V4);
        // from outside, the pod sees the real client
        assertThat(Servers.tcp(topo.client, Topology.HOST_V4, 8080)).isEqualTo("a tcp/80 from " + Topology.CLIENT_V4);
        assertThat(Servers.udp(topo.client, Topology.HOST_V4, 8200)).isEqualTo("a udp/200 from " + Topology.CLIENT_V4);
        assertThat(Servers.tcp(topo.client, Topology.HOST_V4, 9002)).isEqualTo("a tcp/9002 from " + Topology.CLIENT_V4);
        // IPv6
        assertThat(Servers.tcp(host, Topology.HOST_V6, 8080)).startsWith("a tcp/80 ");
        assertThat(Servers.tcp(topo.client, Topology.HOST_V6, 8080)).isEqualTo("a tcp/80 from 2001:db8:1::2");
        assertThat(Servers.tcp(topo.client, Topology.HOST_V6, 8100)).startsWith("failed"); // only IPv4 rules for it

        assertThat(fw.ruleCount()).isEqualTo(13);
        assertThat(topo.hostSysctl("net/ipv4/conf/podnet0/route_localnet")).isEqualTo("1");
        assertThat(topo.hostSysctl("net/ipv4/ip_forward")).isEqualTo("1");
        assertThat(topo.hostSysctl("net/ipv6/conf/all/forwarding")).isEqualTo("1");
    }

    @Test
    void aHostAddressLimitsWhereThePortAnswers() {
        fw.applyPod("pod-a", List.of(new DnatRule(IpAddresses.parse(Topology.HOST_V4), Protocol.TCP, 8081, 1, IpAddresses.parse(A4), 80)));
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8081)).startsWith("a tcp/80 ");
        assertThat(Servers.tcp(topo.client, Topology.HOST_V4, 8081)).startsWith("a tcp/80 ");
        assertThat(Servers.tcp(host, "127.0.0.1", 8081)).startsWith("failed");
        assertThat(Servers.tcp(podA, Topology.GATEWAY_V4, 8081)).startsWith("failed");
    }

    @Test
    void hairpinAPodReachesItsOwnHostPortThroughTheGateway() {
        fw.applyPod("pod-a", List.of(tcp(8080, A4, 80), rule(Protocol.UDP, 8053, 1, A4, 53)));
        assertThat(Servers.tcp(podA, Topology.GATEWAY_V4, 8080)).isEqualTo("a tcp/80 from " + Topology.GATEWAY_V4);
        assertThat(Servers.udp(podA, Topology.GATEWAY_V4, 8053)).isEqualTo("a udp/53 from " + Topology.GATEWAY_V4);
        assertThat(Servers.tcp(podA, Topology.HOST_V4, 8080)).isEqualTo("a tcp/80 from " + Topology.GATEWAY_V4);
        // a neighbour on the same bridge too: its answer must come back through the host
        assertThat(Servers.tcp(podB, Topology.GATEWAY_V4, 8080)).isEqualTo("a tcp/80 from " + Topology.GATEWAY_V4);
    }

    @Test
    void podsReachTheOutsideMasqueradedUnlessTheirNetworkIsInternal() {
        topo.closeLater(Servers.start(topo.client, "outside", List.of(7000), List.of()));
        assertThat(Servers.tcp(podA, Topology.CLIENT_V4, 7000)).isEqualTo("outside tcp/7000 from " + Topology.HOST_V4);

        topo.bridge("podnet1", "10.90.0.1/24");
        Netns podC = topo.pod("c", "podnet1", "10.90.0.2/24", "10.90.0.1", null, null);
        fw.ensureNetwork("podnet1", List.of(Cidr.parse("10.90.0.0/24")), true);
        // not masqueraded: the outside sees 10.90.0.2, has no route back, and the connection fails
        assertThat(Servers.tcp(podC, Topology.CLIENT_V4, 7000)).startsWith("failed");
        Map<String, List<String>> e = elements();
        assertThat(e.get("subnets4")).hasSize(2).anyMatch(c -> c.startsWith("net/podnet1 "));
        assertThat(e.get("masq4")).hasSize(1).allMatch(c -> c.startsWith("net/podnet0 "));
        // as netavark: an internal network's bridge forwards nothing, and gets no route_localnet (no port reaches it)
        assertThat(topo.hostSysctl("net/ipv4/conf/podnet1/forwarding")).isEqualTo("0");
        assertThat(topo.hostSysctl("net/ipv4/conf/podnet1/route_localnet")).isEqualTo("0");
        assertThat(topo.hostSysctl("net/ipv4/conf/podnet0/route_localnet")).isEqualTo("1");
    }

    @Test
    void aSecondPodAskingForATakenPortIsRefusedAndTheFirstKeepsWorking() {
        HostPortRegistry registry = new HostPortRegistry();
        PortPolicy policy = PortPolicy.defaults();
        List<PortMapping> a = registry.reserve("pod-a", List.of(new PortMapping(null, 8080, 80, Protocol.TCP, 1)), policy, fw.listeningPorts());
        fw.applyPod("pod-a", DnatRule.forMappings(a, List.of(IpAddresses.parse(A4), IpAddresses.parse("fd00:89::2"))));
        Map<String, List<String>> before = elements();
        assertThat(Servers.tcp(host, Topology.HOST_V6, 8080)).startsWith("a tcp/80 "); // any host address: both families

        assertThatThrownBy(() -> registry.reserve("pod-b", List.of(new PortMapping(null, 8090, 80, Protocol.TCP, 1),
                new PortMapping(null, 8080, 80, Protocol.TCP, 1)), policy, fw.listeningPorts()))
                .isInstanceOfSatisfying(PortRefusedException.class, e -> {
                    assertThat(e.reason()).isEqualTo("PortConflict");
                    assertThat(e.port()).isEqualTo(8080);
                    assertThat(e.holder()).isEqualTo("pod-a");
                });
        assertThatThrownBy(() -> registry.reserve("pod-b", List.of(new PortMapping(null, 22, 22, Protocol.TCP, 1)), policy,
                fw.listeningPorts())).isInstanceOfSatisfying(PortRefusedException.class, e -> assertThat(e.reason()).isEqualTo("PortDenied"));
        assertThat(elements()).isEqualTo(before);
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("a tcp/80 ");

        // the firewall refuses the overlap by itself too, and changes nothing
        assertThatThrownBy(() -> fw.applyPod("pod-b", List.of(tcp(8080, B4, 80))))
                .isInstanceOf(FirewallException.class).hasMessageContaining("pod-a");
        assertThat(elements()).isEqualTo(before);
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("a tcp/80 ");
    }

    @Test
    void aRandomHostPortSkipsWhatListensOnTheHost() throws Exception {
        int taken;
        try (ServerSocket busy = host.run(() -> new ServerSocket(0, 1, InetAddress.getByName("0.0.0.0")))) {
            taken = busy.getLocalPort();
            HostPortRegistry registry = new HostPortRegistry(taken, Math.min(taken + 1, 65535));
            List<PortMapping> b = registry.reserve("pod-b", List.of(new PortMapping(null, 0, 80, Protocol.TCP, 1)),
                    PortPolicy.defaults(), fw.listeningPorts());
            assertThat(b.get(0).hostPort()).isEqualTo(taken + 1);
            fw.applyPod("pod-b", DnatRule.forMappings(b, List.of(IpAddresses.parse(B4))));
            assertThat(Servers.tcp(host, Topology.HOST_V4, taken + 1)).startsWith("b tcp/80 ");
        }
    }

    @Test
    void sctpRulesArePresentAndCarryTrafficWhenTheKernelHasSctp() throws Exception {
        fw.applyPod("pod-a", List.of(rule(Protocol.SCTP, 8300, 1, A4, 300), rule(Protocol.SCTP, 8400, 2, A4, 8400)));
        String text = text();
        assertThat(text).contains("0.0.0.0/0 . sctp . 8300", "0.0.0.0/0 . sctp . 8400-8401");
        assertThat(elements().get("dports4")).hasSize(1);
        // the rules are checked above on every kernel; traffic needs SCTP sockets and socat
        Assumptions.assumeTrue(Files.exists(Path.of("/proc/sys/net/sctp")), "SCTP traffic not sent: this kernel has no SCTP sockets "
                + "(/proc/sys/net/sctp is missing: CONFIG_IP_SCTP is off and there is no module to load); the SCTP rules were checked");
        Assumptions.assumeTrue(Shell.run("sh", "-c", "command -v socat").ok(), "SCTP traffic not sent: socat is not installed "
                + "(apt-get install socat); the SCTP rules were checked");
        Process server = new ProcessBuilder("ip", "netns", "exec", topo.nsName("a"), "socat", "SCTP-LISTEN:300,reuseaddr",
                "SYSTEM:echo sctp-ok").redirectErrorStream(true).start();
        try {
            String answer = "";
            for (int i = 0; i < 20 && !answer.contains("sctp-ok"); i++) {
                Shell.Result r = Shell.run("ip", "netns", "exec", topo.host.name(), "socat", "-T", "2", "-", "SCTP:" + Topology.HOST_V4 + ":8300");
                answer = r.output();
                Thread.sleep(100);
            }
            assertThat(answer).contains("sctp-ok");
        } finally {
            server.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFlushedRulesetComesBackWithSyncAndNothingElseIsTouched() {
        fw.applyPod("pod-a", rulesA());
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("a tcp/80 ");

        topo.nft("flush", "ruleset");
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("failed");
        // someone else's table, added after the flush, must survive the repair untouched
        Shell.ok("ip", "netns", "exec", topo.host.name(), "nft", "add table ip keepme; add chain ip keepme c { type filter hook input priority 0; };"
                + " add rule ip keepme c tcp dport 5 counter");
        String foreign = topo.nft("list", "table", "ip", "keepme").output();

        Repair r = fw.sync(Map.of("pod-a", rulesA()), List.of(NETWORK));
        assertThat(r.count(Kind.TABLE, Action.ADDED)).isEqualTo(1);
        assertThat(r.count(Kind.ELEMENT, Action.ADDED)).isEqualTo(owned(elements(), "pod-a") + owned(elements(), "net/podnet0"));
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("a tcp/80 ");
        assertThat(Servers.tcp(host, "127.0.0.1", 8102)).startsWith("a tcp/102 ");
        assertThat(topo.nft("list", "table", "ip", "keepme").output()).isEqualTo(foreign);
        assertThat(fw.check().isEmpty()).isTrue();

        // a map emptied by hand: only its elements come back
        topo.nft("flush", "map", "inet", "podnet", "dports4");
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8102)).startsWith("failed");
        Repair elementsOnly = fw.check();
        assertThat(elementsOnly.items()).extracting(Repair.Item::kind).containsOnly(Kind.ELEMENT);
        assertThat(elementsOnly.count(Kind.ELEMENT, Action.ADDED)).isEqualTo(7); // 8080, 8053, 8100-8102, 8200-8201
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8102)).startsWith("a tcp/102 ");

        // a rule added by hand to a podnet chain: the chain is rewritten
        topo.nft("insert", "rule", "inet", "podnet", "hostports", "tcp", "dport", "8080", "return");
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("failed");
        Repair chain = fw.check();
        assertThat(chain.items()).containsExactly(new Repair.Item(Kind.CHAIN, Action.REPLACED, "hostports"));
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("a tcp/80 ");

        // route_localnet reset: 127.0.0.1 stops working until the check
        Shell.ok("ip", "netns", "exec", topo.host.name(), "sh", "-c", "echo 0 > /proc/sys/net/ipv4/conf/podnet0/route_localnet");
        assertThat(Servers.tcp(host, "127.0.0.1", 8080)).startsWith("failed");
        assertThat(fw.check().items()).containsExactly(new Repair.Item(Kind.SYSCTL, Action.REPLACED, "net.ipv4.conf.podnet0.route_localnet"));
        assertThat(Servers.tcp(host, "127.0.0.1", 8080)).startsWith("a tcp/80 ");
        assertThat(fw.check().isEmpty()).isTrue();
    }

    @Test
    void aChangeAfterAFlushRepairsTheTableOnItsWay() {
        fw.applyPod("pod-a", List.of(tcp(8080, A4, 80)));
        topo.nft("flush", "ruleset");
        fw.applyPod("pod-b", List.of(tcp(8090, B4, 80)));
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8090)).startsWith("b tcp/80 ");
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("a tcp/80 ");
    }

    @Test
    void aRestartBetweenTransactionsEndsWithOneElementPerPort() {
        fw.applyPod("pod-a", List.of(tcp(8080, A4, 80)));
        fw.applyPod("pod-b", List.of(tcp(8090, B4, 80)));
        // the agent is killed: the table stays; while it is down pod-a moves to 8085 and pod-b goes away
        fw.close();
        NftFirewall restarted = openFirewall();
        restarted.applyPod("pod-a", List.of(tcp(8085, A4, 80)));
        restarted.applyPod("pod-a", List.of(tcp(8085, A4, 80)));
        Repair r = restarted.sync(Map.of("pod-a", List.of(tcp(8085, A4, 80))), List.of(NETWORK));
        // pod-b's two elements; pod-a's old 8080 elements went with its own first apply
        assertThat(r.count(Kind.ELEMENT, Action.REMOVED)).isEqualTo(2);

        Map<String, List<String>> e = elements();
        assertThat(e.get("hostports4")).hasSize(1).allMatch(c -> c.startsWith("pod-a "));
        assertThat(e.get("dports4")).hasSize(1).allMatch(c -> c.startsWith("pod-a "));
        assertThat(text()).contains(". tcp . 8085").doesNotContain("8080", "8090");
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8085)).startsWith("a tcp/80 ");
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("failed");
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8090)).startsWith("failed");

        // killed again, this time after pod-a's transaction but before pod-b's: sync at start adds pod-b
        restarted.close();
        NftFirewall again = openFirewall();
        Map<String, List<DnatRule>> expected = new LinkedHashMap<>();
        expected.put("pod-a", List.of(tcp(8085, A4, 80)));
        expected.put("pod-b", List.of(tcp(8090, B4, 80)));
        Repair second = again.sync(expected, List.of(NETWORK));
        assertThat(second.items()).extracting(Repair.Item::kind).containsOnly(Kind.ELEMENT);
        assertThat(second.count(Kind.ELEMENT, Action.ADDED)).isEqualTo(2);
        assertThat(again.sync(expected, List.of(NETWORK)).isEmpty()).isTrue();
        assertThat(elements().get("hostports4")).hasSize(2);
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8090)).startsWith("b tcp/80 ");
    }

    @Test
    void teardownRemovesExactlyThatPodsElements() {
        fw.applyPod("pod-a", rulesA());
        fw.applyPod("pod-b", List.of(tcp(8090, B4, 80), rule(Protocol.UDP, 8054, 1, B4, 53)));
        Map<String, List<String>> before = elements();
        assertThat(owned(before, "pod-a")).isEqualTo(14); // 2 + 2 + 1 + (1 + 3) + (1 + 2) + 2

        fw.removePod("pod-a");
        Map<String, List<String>> after = elements();
        Map<String, List<String>> expected = new TreeMap<>();
        before.forEach((set, comments) -> expected.put(set, comments.stream().filter(c -> !c.startsWith("pod-a ")).toList()));
        assertThat(after).isEqualTo(expected);
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("failed");
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8090)).startsWith("b tcp/80 ");
        assertThat(Servers.udp(host, Topology.HOST_V4, 8054)).startsWith("b udp/53 ");
        fw.removePod("pod-a");
        assertThat(fw.ruleCount()).isEqualTo(13);

        // a restarted agent that has not synced yet finds the pod's elements by their comments
        fw.close();
        NftFirewall restarted = openFirewall();
        restarted.removePod("pod-b");
        Map<String, List<String>> left = elements();
        assertThat(owned(left, "pod-b")).isZero();
        assertThat(owned(left, "net/podnet0")).isEqualTo(4);
    }

    @Test
    void removingAPodNeverSeenOnANodeWithoutATableCreatesNothing() {
        fw.close();
        assertThat(topo.nft("delete", "table", "inet", "podnet").ok()).isTrue();
        NftFirewall fresh = openFirewall();
        fresh.removePod("pod-ghost");
        assertThat(topo.nft("list", "tables").output()).doesNotContain("podnet");
        assertThat(fresh.ruleCount()).isZero();
    }

    @Test
    void theTableGoesWhenNothingUsesItAndComesBackWithTheNextUse() {
        fw.sync(Map.of("pod-a", List.of(tcp(8080, A4, 80))), List.of(NETWORK));
        fw.removePod("pod-a");
        assertThat(fw.ruleCount()).as("the network still uses it").isEqualTo(13);
        fw.removeNetwork(NETWORK.bridge(), NETWORK.subnets());
        assertThat(topo.nft("list", "tables").output()).doesNotContain("podnet");

        fw.ensureNetwork(NETWORK.bridge(), NETWORK.subnets(), false);
        fw.applyPod("pod-a", List.of(tcp(8080, A4, 80)));
        assertThat(Servers.tcp(host, Topology.HOST_V4, 8080)).startsWith("a tcp/80 ");

        // an agent starting on a node without pods removes the table left from before, and drift repair keeps it away
        fw.close();
        NftFirewall restarted = openFirewall();
        assertThat(restarted.sync(Map.of(), List.of()).isEmpty()).isTrue();
        assertThat(topo.nft("list", "tables").output()).doesNotContain("podnet");
        assertThat(restarted.check().isEmpty()).isTrue();
        assertThat(topo.nft("list", "tables").output()).doesNotContain("podnet");
    }

    @Test
    void networksAreIdempotentAndRemovable() {
        fw.ensureNetwork(NETWORK.bridge(), NETWORK.subnets(), false);
        assertThat(elements().get("subnets4")).hasSize(1);
        assertThatThrownBy(() -> fw.ensureNetwork("nosuchbr", List.of(Cidr.parse("10.91.0.0/24")), false))
                .isInstanceOf(FirewallException.class).hasMessageContaining("nosuchbr");
        fw.removeNetwork(NETWORK.bridge(), NETWORK.subnets());
        Map<String, List<String>> e = elements();
        assertThat(e.get("subnets4")).isEmpty();
        assertThat(e.get("masq6")).isEmpty();
        assertThat(fw.ruleCount()).isEqualTo(13);
    }

    @Test
    void aFirewallForTheAgentsOwnNamespaceOpensAndCloses() throws IOException {
        // null = the agent's own namespace: only opened and asked for its listeners, nothing is changed there
        // a loopback listener of this JVM, in the agent's own namespace, is seen there as in use
        try (NftFirewall own = NftFirewall.open(null); java.net.ServerSocket mine = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            assertThat(own.listeningPorts().inUse(java.net.InetAddress.getLoopbackAddress(), Protocol.TCP, mine.getLocalPort())).isTrue();
        }
    }
}
