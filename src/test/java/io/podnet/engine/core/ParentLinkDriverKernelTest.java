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
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodNetworkException;
import io.podnet.engine.PodRequest;
import io.podnet.engine.PodResult;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;
import io.podnet.netns.NetnsManager;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;

/**
 * macvlan and ipvlan networks against the real kernel. The parent is one end of a veth pair in
 * the sandbox that plays the host (this kernel has no dummy interfaces); the other end holds
 * 192.168.50.1, the "router" of the parent's network, which pods reach past the host's routing.
 */
@RequiresRoot
class ParentLinkDriverKernelTest {
    /** A macvlan network on pv0 with these options (a JSON object's members). */
    private static String macvlan(String name, String subnet, String options) {
        return """
                {"name": "%s", "driver": "macvlan", "network_interface": "pv0", "subnets": [{"subnet": "%s"}],
                 "options": {%s}}""".formatted(name, subnet, options);
    }

    private SandboxEngine env;

    @BeforeEach
    void start() throws IOException {
        // the defaults let no namespace join one it did not create; the joined-namespace case needs that
        env = new SandboxEngine(io.podnet.policy.NodePolicy.parse(java.util.Map.of("grants", "all", "all.namespaces", "*",
                "all.netns", "Path", "all.rootful", "true", "all.hostPorts", "1-65535")), "nameserver 192.0.2.53\n",
                macvlan("mvbridge", "192.168.50.0/24", "\"mode\": \"bridge\", \"mtu\": \"1400\""),
                macvlan("mvprivate", "192.168.51.0/24", "\"mode\": \"private\""),
                macvlan("mvvepa", "192.168.52.0/24", "\"mode\": \"vepa\""),
                macvlan("mvpassthru", "192.168.53.0/24", "\"mode\": \"passthru\""),
                """
                {"name": "mvdefault", "driver": "macvlan", "subnets": [{"subnet": "192.168.54.0/24"}], "internal": true}""",
                """
                {"name": "mvgone", "driver": "macvlan", "network_interface": "nosuch0", "subnets": [{"subnet": "192.168.55.0/24"}]}""",
                """
                {"name": "iv", "driver": "ipvlan", "network_interface": "pv0", "subnets": [{"subnet": "192.168.56.0/24"}],
                 "options": {"mode": "l3s"}}""",
                """
                {"name": "br", "network_interface": "pnbr0", "subnets": [{"subnet": "10.95.0.0/24"}]}""");
        assertThat(env.definitions.problems()).isEmpty();
        String sb = env.sandbox.name();
        Shell.ok(ip(sb, "link", "add", "pv0", "type", "veth", "peer", "name", "pv1"));
        Shell.ok(ip(sb, "link", "set", "pv0", "up"));
        Shell.ok(ip(sb, "link", "set", "pv1", "up"));
        for (String router : List.of("192.168.50.1/24", "192.168.51.1/24", "192.168.52.1/24", "192.168.53.1/24", "192.168.56.1/24")) {
            Shell.ok(ip(sb, "addr", "add", router, "dev", "pv1"));
        }
    }

    @AfterEach
    void stop() {
        env.close();
    }

    private PodRequest request(String id, AttachmentRequest... attachments) {
        return new PodRequest(id, "test/" + id, "pod", io.podnet.policy.Tenant.named("test"), PodMode.ROOTFUL, NetnsRequest.NEW, List.of(attachments), List.of(), DnsRequest.NONE);
    }

    private static String ns(String id) {
        return "podnet-" + id;
    }

    private static JsonNode link(String netns, String name) {
        return ipJson(netns, "-d", "link", "show", name).get(0);
    }

    private static boolean pings(String netns, String address) {
        return Shell.run(Shell.in(netns, "ping", "-c", "1", "-W", "1", address)).ok();
    }

    @Test
    void aBridgeModeMacvlanHasItsMacAddressesRoutesAndMtuAndTeardownLeavesTheParent() {
        String id = env.newPod();
        PodResult r = env.engine.setup(request(id, AttachmentRequest.of("mvbridge")));
        PodResult.InterfaceResult eth0 = r.networks().get("mvbridge").interfaces().get("eth0");
        assertThat(eth0.addresses().get(0).ipnet().toString()).isEqualTo("192.168.50.2/24");
        assertThat(eth0.addresses().get(0).gateway()).isEqualTo(IpAddresses.parse("192.168.50.1"));

        JsonNode l = link(ns(id), "eth0");
        assertThat(l.at("/linkinfo/info_kind").asText()).isEqualTo("macvlan");
        assertThat(l.at("/linkinfo/info_data/mode").asText()).isEqualTo("bridge");
        assertThat(l.get("address").asText()).isEqualTo(eth0.mac().toString());
        assertThat(l.get("mtu").asInt()).isEqualTo(1400);
        assertThat(l.get("operstate").asText()).isIn("UP", "UNKNOWN");
        JsonNode route = ipJson(ns(id), "route", "show", "default").get(0);
        assertThat(route.get("gateway").asText()).isEqualTo("192.168.50.1");
        assertThat(route.get("metric").asInt()).isEqualTo(100);
        assertThat(route.get("protocol").asText()).isEqualTo("static");
        assertThat(pings(ns(id), "192.168.50.1")).as("the parent's network is reached past the host's routing").isTrue();
        // nothing on the host side but the parent, unchanged
        assertThat(ipJson(env.sandbox.name(), "link", "show").toString()).doesNotContain("\"pn");
        assertThat(Shell.ok(Shell.in(env.sandbox.name(), "nft", "list", "tables"))).doesNotContain("podnet");

        // a second setup is a resync: same MAC, nothing rebuilt
        PodResult again = env.engine.setup(request(id, AttachmentRequest.of("mvbridge")));
        assertThat(again.networks().get("mvbridge").interfaces().get("eth0").mac()).isEqualTo(eth0.mac());
        assertThat(link(ns(id), "eth0").get("ifindex").asInt()).isEqualTo(l.get("ifindex").asInt());

        env.engine.teardown(id);
        assertThat(Path.of("/run/netns", ns(id))).doesNotExist();
        assertThat(link(env.sandbox.name(), "pv0").get("operstate").asText()).isEqualTo("UP");
    }

    @Test
    void bridgeModeSiblingsTalkPrivateAndVepaOnesDoNot() {
        String a = env.newPod();
        String b = env.newPod();
        env.engine.setup(request(a, AttachmentRequest.of("mvbridge"), AttachmentRequest.of("mvprivate"), AttachmentRequest.of("mvvepa")));
        env.engine.setup(request(b, AttachmentRequest.of("mvbridge"), AttachmentRequest.of("mvprivate"), AttachmentRequest.of("mvvepa")));
        assertThat(link(ns(a), "eth1").at("/linkinfo/info_data/mode").asText()).isEqualTo("private");
        assertThat(link(ns(a), "eth2").at("/linkinfo/info_data/mode").asText()).isEqualTo("vepa");
        assertThat(pings(ns(a), "192.168.50.3")).as("bridge mode: siblings switch directly").isTrue();
        assertThat(pings(ns(a), "192.168.51.3")).as("private mode: no traffic between siblings").isFalse();
        // vepa sends everything to the wire; the veth peer is no hairpinning switch, so it never comes back
        assertThat(pings(ns(a), "192.168.52.3")).as("vepa mode without a hairpinning switch").isFalse();
        assertThat(pings(ns(a), "192.168.51.1")).as("private and vepa still reach the parent's network").isTrue();
        assertThat(pings(ns(a), "192.168.52.1")).isTrue();
        // later networks back up the first with higher metrics
        assertThat(ipJson(ns(a), "route", "show", "default").findValuesAsText("metric")).containsExactly("100", "101", "102");
    }

    @Test
    void aPassthruMacvlanTakesTheParentsMacAndTheParentWhole() {
        String mac = link(env.sandbox.name(), "pv0").get("address").asText();
        String first = env.newPod();
        PodResult r = env.engine.setup(request(first, AttachmentRequest.of("mvpassthru")));
        assertThat(r.networks().get("mvpassthru").interfaces().get("eth0").mac().toString()).as("the parent's").isEqualTo(mac);
        assertThat(link(ns(first), "eth0").get("address").asText()).isEqualTo(mac);
        assertThat(link(ns(first), "eth0").at("/linkinfo/info_data/mode").asText()).isEqualTo("passthru");
        assertThat(pings(ns(first), "192.168.53.1")).isTrue();

        String second = env.newPod();
        assertThatThrownBy(() -> env.engine.setup(request(second, AttachmentRequest.of("mvpassthru"))))
                .isInstanceOfSatisfying(PodNetworkException.class, e -> {
                    assertThat(e.reason()).isEqualTo("LinkCreateFailed");
                    assertThat(e.getMessage()).contains("a passthru macvlan needs a parent that has no other macvlan");
                });
        assertThat(Path.of("/run/netns", ns(second))).as("rolled back").doesNotExist();
        assertThatThrownBy(() -> env.engine.setup(request(env.newPod(), new AttachmentRequest("mvpassthru", null, List.of(),
                MacAddress.parse("02:00:00:00:00:99"), List.of())))).isInstanceOfSatisfying(PodNetworkException.class,
                        e -> assertThat(e.reason()).isEqualTo("StaticMACNotSupported"));
        env.engine.teardown(first);
        assertThat(link(env.sandbox.name(), "pv0").get("address").asText()).as("the parent keeps its MAC").isEqualTo(mac);
    }

    @Test
    void staticIpAndMacAreHonouredAndAnInternalNetworkOnTheDefaultRoutesInterfaceHasNoDefaultRoute() {
        Shell.ok(ip(env.sandbox.name(), "route", "add", "default", "dev", "pv0"));
        String id = env.newPod();
        PodResult r = env.engine.setup(request(id,
                new AttachmentRequest("mvbridge", "net0", List.of(IpAddresses.parse("192.168.50.77")), MacAddress.parse("02:aa:bb:cc:dd:ee"),
                        List.of()),
                AttachmentRequest.of("mvdefault")));
        assertThat(r.networks().get("mvbridge").interfaces().get("net0").mac()).isEqualTo(MacAddress.parse("02:aa:bb:cc:dd:ee"));
        assertThat(link(ns(id), "net0").get("address").asText()).isEqualTo("02:aa:bb:cc:dd:ee");
        assertThat(ipJson(ns(id), "addr", "show", "net0").toString()).contains("192.168.50.77");
        JsonNode eth0 = link(ns(id), "eth0");
        assertThat(eth0.get("link_index").asInt()).as("the parent is the interface of the host's default route")
                .isEqualTo(link(env.sandbox.name(), "pv0").get("ifindex").asInt());
        assertThat(r.networks().get("mvdefault").interfaces().get("eth0").addresses().get(0).gateway()).isNull();
        assertThat(ipJson(ns(id), "route", "show", "default").findValuesAsText("dev")).containsExactly("net0");
    }

    @Test
    void disconnectingRemovesTheMacvlanAndAJoinedNamespaceKeepsWhatItHad() {
        String id = env.newPod();
        env.engine.setup(request(id, AttachmentRequest.of("br"), AttachmentRequest.of("mvbridge")));
        assertThat(link(ns(id), "eth1").at("/linkinfo/info_kind").asText()).isEqualTo("macvlan");
        env.engine.setup(request(id, AttachmentRequest.of("br")));
        assertThat(Shell.run(ip(ns(id), "link", "show", "eth1")).ok()).as("disconnected").isFalse();
        assertThat(link(ns(id), "eth0").at("/linkinfo/info_kind").asText()).isEqualTo("veth");
        env.engine.teardown(id);

        NetnsManager manager = new NetnsManager(Path.of("/run/netns"));
        String joined = "podnet-test-joined-" + id.substring(0, 8);
        manager.createOrOpen(joined).close();
        try {
            Shell.ok(ip(joined, "link", "add", "own0", "type", "veth", "peer", "name", "own1"));
            String pod = env.newPod();
            PodRequest r = new PodRequest(pod, "test/" + pod, "pod", io.podnet.policy.Tenant.named("test"), PodMode.ROOTFUL,
                    new NetnsRequest(NetnsRequest.Kind.PATH, manager.pathOf(joined), 0), List.of(AttachmentRequest.of("mvbridge")), List.of(),
                    DnsRequest.NONE);
            env.engine.setup(r);
            assertThat(link(joined, "eth0").at("/linkinfo/info_kind").asText()).isEqualTo("macvlan");
            env.engine.teardown(pod);
            assertThat(Shell.run(ip(joined, "link", "show", "eth0")).ok()).as("podnet's macvlan is gone").isFalse();
            assertThat(Shell.run(ip(joined, "link", "show", "own0")).ok()).as("the namespace's own link stays").isTrue();
        } finally {
            manager.delete(joined);
        }
    }

    @Test
    void whatAMacvlanCannotDoIsRefusedBeforeAnyChange() {
        String id = env.newPod();
        assertRejected(new PodRequest(id, "test/p", "p", io.podnet.policy.Tenant.named("test"), PodMode.ROOTFUL, NetnsRequest.NEW, List.of(AttachmentRequest.of("mvbridge")),
                List.of(new PortMapping(null, 8080, 80, Protocol.TCP, 1)), DnsRequest.NONE), "PortsNeedABridge");
        assertRejected(new PodRequest(id, "test/p", "p", io.podnet.policy.Tenant.named("test"), PodMode.ROOTLESS, NetnsRequest.NEW, List.of(AttachmentRequest.of("mvbridge")),
                List.of(), DnsRequest.NONE), "DriverNotSupportedRootless");
        assertRejected(request(id, new AttachmentRequest("iv", null, List.of(), MacAddress.parse("02:00:00:00:00:01"), List.of())),
                "StaticMACNotSupported");
        assertThat(Path.of("/run/netns", ns(id))).doesNotExist();
        // ports on a bridge network first are fine, with a macvlan after it
        env.engine.setup(new PodRequest(id, "test/p", "p", io.podnet.policy.Tenant.named("test"), PodMode.ROOTFUL, NetnsRequest.NEW,
                List.of(AttachmentRequest.of("br"), AttachmentRequest.of("mvbridge")), List.of(new PortMapping(null, 18080, 80, Protocol.TCP, 1)),
                DnsRequest.NONE));
        assertThatThrownBy(() -> env.engine.setup(request(env.newPod(), AttachmentRequest.of("mvgone"))))
                .isInstanceOfSatisfying(PodNetworkException.class, e -> {
                    assertThat(e.reason()).isEqualTo("ParentNotFound");
                    assertThat(e.getMessage()).contains("parent interface nosuch0 does not exist on the host");
                });
    }

    private void assertRejected(PodRequest request, String reason) {
        assertThatThrownBy(() -> env.engine.setup(request)).isInstanceOfSatisfying(PodNetworkException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void ipvlanWorksWhereTheKernelHasItAndIsRefusedClearlyWhereNot() {
        String id = env.newPod();
        if (!kernelHasIpvlan()) {
            assertThatThrownBy(() -> env.engine.setup(request(id, AttachmentRequest.of("iv"))))
                    .isInstanceOfSatisfying(PodNetworkException.class, e -> {
                        assertThat(e.reason()).isEqualTo("DriverUnsupported");
                        assertThat(e.getMessage()).contains("this kernel cannot make ipvlan links (it was built without CONFIG_IPVLAN)");
                    });
            assertThat(Path.of("/run/netns", ns(id))).as("rolled back").doesNotExist();
            return;
        }
        PodResult r = env.engine.setup(request(id, AttachmentRequest.of("iv")));
        JsonNode l = link(ns(id), "eth0");
        assertThat(l.at("/linkinfo/info_kind").asText()).isEqualTo("ipvlan");
        assertThat(l.at("/linkinfo/info_data/mode").asText()).isEqualTo("l3s");
        String parentMac = link(env.sandbox.name(), "pv0").get("address").asText();
        assertThat(r.networks().get("iv").interfaces().get("eth0").mac().toString()).isEqualTo(parentMac);
        assertThat(pings(ns(id), "192.168.56.1")).isTrue();
    }

    /** Whether this kernel makes ipvlan links (Debian's does; this VM's kernel is built without CONFIG_IPVLAN). */
    private boolean kernelHasIpvlan() {
        boolean made = Shell.run(ip(env.sandbox.name(), "link", "add", "link", "pv0", "name", "ivprobe", "type", "ipvlan")).ok();
        if (made) {
            Shell.ok(ip(env.sandbox.name(), "link", "del", "ivprobe"));
        }
        return made;
    }
}
