package io.podnet.engine.core;

import static io.podnet.testing.Shell.ip;
import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.PodNetworkException;
import io.podnet.engine.PodResult;
import io.podnet.engine.plan.KernelNames;
import io.podnet.inet.IpAddresses;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;

/** The bridge options and routes of network definitions, against the real kernel in a sandbox. */
@RequiresRoot
class BridgeOptionsKernelTest {
    private SandboxEngine env;

    private static String bridge(String name, String bridge, String subnet, String extra) {
        return """
                {"name": "%s", "network_interface": "%s", "subnets": [{"subnet": "%s"}]%s}""".formatted(name, bridge, subnet, extra);
    }

    @BeforeEach
    void start() throws IOException {
        env = new SandboxEngine("nameserver 192.0.2.53\n",
                """
                {"name": "tuned", "network_interface": "pnt0", "ipv6_enabled": true,
                 "subnets": [{"subnet": "10.96.0.0/24"}, {"subnet": "fd00:96::/64"}],
                 "options": {"mtu": "1400", "metric": "250"},
                 "routes": [{"destination": "10.200.0.0/16", "gateway": "10.96.0.5", "metric": 50},
                            {"destination": "fd00:200::/64", "gateway": "fd00:96::5"}]}""",
                bridge("noroute", "pnn0", "10.97.0.0/24", """
                        , "options": {"no_default_route": "true"}, "routes": [{"destination": "10.201.0.0/16", "gateway": "10.97.0.1"}]"""),
                bridge("closed", "pnc0", "10.98.0.0/24", ", \"internal\": true"),
                bridge("isoa", "pni0", "10.110.0.0/24", ", \"options\": {\"isolate\": \"true\"}"),
                bridge("isob", "pni1", "10.111.0.0/24", ", \"options\": {\"isolate\": \"true\"}"),
                bridge("open", "pno0", "10.112.0.0/24", ""),
                bridge("strict", "pns0", "10.113.0.0/24", ", \"options\": {\"isolate\": \"strict\"}"),
                bridge("tagged", "pnv0", "10.114.0.0/24", ", \"options\": {\"vlan\": \"7\"}"));
        assertThat(env.definitions.problems()).isEmpty();
    }

    @AfterEach
    void stop() {
        env.close();
    }

    private static String ns(String id) {
        return "podnet-" + id;
    }

    private String pod(AttachmentRequest... networks) {
        String id = env.newPod();
        env.engine.setup(new io.podnet.engine.PodRequest(id, "test/" + id, "pod", io.podnet.policy.Tenant.named("test"), io.podnet.engine.PodMode.ROOTFUL,
                io.podnet.engine.NetnsRequest.NEW, List.of(networks), List.of(), DnsRequest.NONE));
        return id;
    }

    private static List<JsonNode> routes(String netns, String family) {
        List<JsonNode> out = new java.util.ArrayList<>();
        ipJson(netns, family, "route", "show").forEach(out::add);
        return out;
    }

    private static JsonNode route(String netns, String family, String dst) {
        return routes(netns, family).stream().filter(r -> r.get("dst").asText().equals(dst)).findFirst()
                .orElseThrow(() -> new AssertionError("no route to " + dst + " in " + routes(netns, family)));
    }

    private static boolean pings(String netns, String address) {
        return Shell.run(Shell.in(netns, "ping", "-c", "1", "-W", "1", address)).ok();
    }

    private String nftSet(String set) {
        return Shell.ok(Shell.in(env.sandbox.name(), "nft", "list", "set", "inet", "podnet", set));
    }

    @Test
    void mtuMetricAndStaticRoutesOfTheDefinition() {
        String id = pod(AttachmentRequest.of("tuned"));
        assertThat(ipJson(ns(id), "link", "show", "eth0").get(0).get("mtu").asInt()).isEqualTo(1400);
        assertThat(ipJson(env.sandbox.name(), "link", "show", "pnt0").get(0).get("mtu").asInt()).isEqualTo(1400);
        for (String family : List.of("-4", "-6")) {
            JsonNode def = route(ns(id), family, "default");
            assertThat(def.get("metric").asInt()).as(family).isEqualTo(250);
            assertThat(def.get("protocol").asText()).isEqualTo("static");
        }
        JsonNode v4 = route(ns(id), "-4", "10.200.0.0/16");
        assertThat(v4.get("gateway").asText()).isEqualTo("10.96.0.5");
        assertThat(v4.get("metric").asInt()).isEqualTo(50);
        JsonNode v6 = route(ns(id), "-6", "fd00:200::/64");
        assertThat(v6.get("gateway").asText()).isEqualTo("fd00:96::5");
        assertThat(v6.get("metric").asInt()).as("netavark's default for routes").isEqualTo(100);

        // a deleted static route comes back on the next setup (the resync)
        Shell.ok(ip(ns(id), "route", "del", "10.200.0.0/16"));
        env.engine.setup(SandboxEngine.request(id, DnsRequest.NONE, "tuned"));
        assertThat(route(ns(id), "-4", "10.200.0.0/16").get("metric").asInt()).isEqualTo(50);
    }

    @Test
    void noDefaultRouteKeepsTheStaticRoutes() {
        String id = pod(AttachmentRequest.of("noroute"));
        assertThat(routes(ns(id), "-4")).noneMatch(r -> r.get("dst").asText().equals("default"));
        assertThat(route(ns(id), "-4", "10.201.0.0/16").get("gateway").asText()).isEqualTo("10.97.0.1");
        assertThat(pings(ns(id), "10.97.0.1")).as("the gateway is on the bridge all the same").isTrue();
    }

    @Test
    void severalStaticIpsInOneSubnet() {
        String id = env.newPod();
        PodResult r = env.engine.setup(new io.podnet.engine.PodRequest(id, "test/" + id, "pod", io.podnet.policy.Tenant.named("test"), io.podnet.engine.PodMode.ROOTFUL,
                io.podnet.engine.NetnsRequest.NEW, List.of(new AttachmentRequest("tuned", null,
                        List.of(IpAddresses.parse("10.96.0.10"), IpAddresses.parse("10.96.0.11")), null, List.of())), List.of(), DnsRequest.NONE));
        assertThat(r.networks().get("tuned").interfaces().get("eth0").addresses())
                .extracting(a -> a.ipnet().toString(), a -> IpAddresses.format(a.gateway()))
                .containsExactly(org.assertj.core.groups.Tuple.tuple("10.96.0.10/24", "10.96.0.1"),
                        org.assertj.core.groups.Tuple.tuple("10.96.0.11/24", "10.96.0.1"),
                        org.assertj.core.groups.Tuple.tuple("fd00:96::2/64", "fd00:96::1"));
        String addresses = ipJson(ns(id), "addr", "show", "eth0").toString();
        assertThat(addresses).contains("\"local\":\"10.96.0.10\"", "\"local\":\"10.96.0.11\"", "\"local\":\"fd00:96::2\"");
        assertThat(pings(ns(pod(AttachmentRequest.of("tuned"))), "10.96.0.11")).as("the second address answers too").isTrue();
    }

    @Test
    void anInternalNetworkHasNoDefaultRouteAndNoMasquerade() {
        String id = pod(AttachmentRequest.of("closed"), AttachmentRequest.of("open"));
        assertThat(routes(ns(id), "-4")).filteredOn(r -> r.get("dst").asText().equals("default")).extracting(r -> r.get("dev").asText())
                .containsExactly("eth1");
        assertThat(ipJson(env.sandbox.name(), "addr", "show", "pnc0").get(0).get("addr_info").toString()).doesNotContain("10.98.");
        assertThat(nftSet("masq4")).contains("10.112.0.0/24").doesNotContain("10.98.0.0/24");
        assertThat(nftSet("subnets4")).contains("10.98.0.0/24");
        assertThat(Shell.ok(Shell.in(env.sandbox.name(), "sysctl", "-n", "net.ipv4.conf.pnc0.forwarding")).trim())
                .as("the internal bridge forwards nothing").isEqualTo("0");

        // ports go to the first network, and nothing reaches an internal one from outside: refused, as netavark never forwards them
        String refused = env.newPod();
        assertThatThrownBy(() -> env.engine.setup(new io.podnet.engine.PodRequest(refused, "test/" + refused, "pod",
                io.podnet.policy.Tenant.named("test"), io.podnet.engine.PodMode.ROOTFUL, io.podnet.engine.NetnsRequest.NEW, List.of(AttachmentRequest.of("closed")),
                List.of(new io.podnet.inet.PortMapping(null, 18090, 80, io.podnet.inet.Protocol.TCP, 1)), DnsRequest.NONE)))
                .isInstanceOfSatisfying(PodNetworkException.class, e -> assertThat(e.reason()).isEqualTo("PortsNeedAnExternalNetwork"));
        assertThat(Path.of("/run/netns", ns(refused))).doesNotExist();
    }

    @Test
    void isolatedNetworksDoNotReachEachOtherAndAStrictOneReachesNone() {
        String a = pod(AttachmentRequest.of("isoa"));
        String b = pod(AttachmentRequest.of("isob"));
        String open = pod(AttachmentRequest.of("open"));
        String strict = pod(AttachmentRequest.of("strict"));
        assertThat(pings(ns(a), "10.112.0.2")).as("isolated -> open").isTrue();
        assertThat(pings(ns(open), "10.110.0.2")).as("open -> isolated").isTrue();
        assertThat(pings(ns(a), "10.111.0.2")).as("isolated -> isolated").isFalse();
        assertThat(pings(ns(b), "10.110.0.2")).as("isolated -> isolated, the other way").isFalse();
        assertThat(pings(ns(strict), "10.112.0.2")).as("strict -> open").isFalse();
        assertThat(pings(ns(open), "10.113.0.2")).as("open -> strict").isFalse();
        assertThat(pings(ns(a), "10.113.0.2")).as("isolated -> strict").isFalse();
        assertThat(pings(ns(strict), "10.113.0.1")).as("its own gateway").isTrue();
        assertThat(nftSet("isolation")).contains("\"pni0\" . \"pni1\"", "\"pns0\" . \"pno0\"").doesNotContain("\"pni0\" . \"pno0\"");
        // it is the pairs that keep them apart: flushed, the isolated networks meet; the node's resync puts them back
        Shell.ok(Shell.in(env.sandbox.name(), "nft", "flush", "set", "inet", "podnet", "isolation"));
        assertThat(pings(ns(a), "10.111.0.2")).isTrue();
        env.engine.repairNode();
        assertThat(pings(ns(a), "10.111.0.2")).isFalse();

        // the strict network's last pod takes its bridge and its pairs along
        env.engine.teardown(strict);
        assertThat(nftSet("isolation")).doesNotContain("pns0").contains("\"pni1\" . \"pni0\"");
    }

    @Test
    void aVlanBridgeFiltersVlansWhereTheKernelCan() {
        if (!kernelFiltersVlans()) {
            String id = env.newPod();
            assertThatThrownBy(() -> env.engine.setup(SandboxEngine.request(id, DnsRequest.NONE, "tagged")))
                    .isInstanceOfSatisfying(PodNetworkException.class, e -> {
                        assertThat(e.reason()).isEqualTo("VlanFilteringUnsupported");
                        assertThat(e.getMessage()).contains("option vlan 7", "CONFIG_BRIDGE_VLAN_FILTERING");
                    });
            assertThat(Path.of("/run/netns", ns(id))).as("rolled back").doesNotExist();
            assertThat(Shell.run(ip(env.sandbox.name(), "link", "show", "pnv0")).ok()).as("no bridge left").isFalse();
            return;
        }
        String id = pod(AttachmentRequest.of("tagged"));
        assertThat(ipJson(env.sandbox.name(), "-d", "link", "show", "pnv0").get(0).at("/linkinfo/info_data/vlan_filtering").asInt()).isEqualTo(1);
        String port = KernelNames.hostVeth(id, "tagged");
        String vlans = Shell.ok(Shell.in(env.sandbox.name(), "bridge", "-j", "vlan", "show", "dev", port));
        assertThat(vlans).contains("\"vlan\":7", "PVID", "Egress Untagged");
    }

    /** Whether this kernel filters VLANs on bridges (this VM's is built without CONFIG_BRIDGE_VLAN_FILTERING). */
    private boolean kernelFiltersVlans() {
        boolean made = Shell.run(ip(env.sandbox.name(), "link", "add", "pnvprobe", "type", "bridge", "vlan_filtering", "1")).ok();
        if (made) {
            Shell.ok(ip(env.sandbox.name(), "link", "del", "pnvprobe"));
        }
        return made;
    }
}
