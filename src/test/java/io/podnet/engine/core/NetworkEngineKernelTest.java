package io.podnet.engine.core;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.EngineObserver;
import io.podnet.engine.EngineSettings;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.PodResult;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.plan.KernelNames;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.policy.Tenant;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Sandbox;
import io.podnet.testing.Shell;

/** The rootful engine against the real kernel, with a sandbox namespace playing the host. */
@RequiresRoot
class NetworkEngineKernelTest {
    @TempDir
    Path state;
    @TempDir
    Path networksDir;

    private Sandbox sandbox;
    private NetworkEngine engine;
    private final List<String> pods = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        Files.writeString(networksDir.resolve("podnet.json"), """
                {"name": "podnet", "driver": "bridge", "network_interface": "podnet0",
                 "subnets": [{"subnet": "10.89.0.0/24", "gateway": "10.89.0.1"}]}
                """);
        Files.writeString(networksDir.resolve("backend.json"), """
                {"name": "backend", "driver": "bridge", "network_interface": "podnet1",
                 "subnets": [{"subnet": "10.90.0.0/24", "gateway": "10.90.0.1"}], "internal": true}
                """);
        sandbox = new Sandbox();
        engine = openEngine();
    }

    /** Pods the engine reported removed, as the metrics hear of it. */
    private final List<String> removed = new java.util.concurrent.CopyOnWriteArrayList<>();

    private NetworkEngine openEngine() {
        return NetworkEngine.open(EngineSettings.of(sandbox.path(), Sandbox.NETNS_DIR, state, state.resolve("run"),
                NetworkDefinitions.load(networksDir)), new EngineObserver() {
                    @Override
                    public void removed(String podId) {
                        removed.add(podId);
                    }
                });
    }

    @AfterEach
    void stop() {
        try {
            pods.forEach(engine::teardown);
            engine.close();
        } finally {
            sandbox.close();
        }
    }

    private String newPod() {
        String id = UUID.randomUUID().toString();
        pods.add(id);
        return id;
    }

    private static PodRequest request(String id, AttachmentRequest... attachments) {
        return new PodRequest(id, "test/" + id, "pod-" + id.substring(0, 4), Tenant.named("test"), PodMode.ROOTFUL, NetnsRequest.NEW, List.of(attachments), List.of(), DnsRequest.NONE);
    }

    private static PodResult.InterfaceResult iface(PodResult r, String network, String name) {
        return r.networks().get(network).interfaces().get(name);
    }

    @Test
    void setupBuildsTheNamespaceAndTeardownRemovesEverything() {
        String id = newPod();
        PodResult r = engine.setup(request(id, AttachmentRequest.of("podnet")));
        String ns = "podnet-" + id;
        PodResult.InterfaceResult eth0 = iface(r, "podnet", "eth0");
        String ip = IpAddresses.format(eth0.addresses().get(0).ipnet().address());

        assertThat(r.netnsPath()).isEqualTo(Path.of("/run/netns", ns));
        assertThat(eth0.addresses().get(0).ipnet().toString()).isEqualTo("10.89.0.2/24");
        assertThat(eth0.addresses().get(0).gateway()).isEqualTo(IpAddresses.parse("10.89.0.1"));

        // inside the pod: the address, the MAC, the default route, and the gateway answers
        JsonNode link = ipJson(ns, "addr", "show", "eth0").get(0);
        assertThat(link.get("address").asText()).isEqualTo(eth0.mac().toString());
        assertThat(link.get("operstate").asText()).isEqualTo("UP");
        assertThat(link.get("addr_info").toString()).contains("\"local\":\"" + ip + "\"", "\"prefixlen\":24");
        JsonNode route = ipJson(ns, "route", "show", "default").get(0);
        assertThat(route.get("gateway").asText()).isEqualTo("10.89.0.1");
        assertThat(route.get("dev").asText()).isEqualTo("eth0");
        assertThat(ipJson(ns, "link", "show", "lo").get(0).get("flags").toString()).contains("UP");
        Shell.ok("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "2", "10.89.0.1");

        // on the host side: the bridge with the gateway, and one veth enslaved to it
        assertThat(ipJson(sandbox.name(), "-d", "link", "show", "podnet0").get(0).at("/linkinfo/info_kind").asText()).isEqualTo("bridge");
        assertThat(ipJson(sandbox.name(), "addr", "show", "podnet0").get(0).get("addr_info").toString()).contains("10.89.0.1");
        JsonNode ports = ipJson(sandbox.name(), "link", "show", "master", "podnet0");
        assertThat(ports).hasSize(1);
        assertThat(ports.get(0).get("ifname").asText()).isEqualTo(KernelNames.hostVeth(id, "podnet")).startsWith("pn");

        engine.teardown(id);
        assertThat(Path.of("/run/netns", ns)).doesNotExist();
        // the pair is the kernel's to destroy with the namespace, after teardown returned; meanwhile it is down and portless
        ipJson(sandbox.name(), "link", "show").forEach(l -> {
            if (l.get("ifname").asText().startsWith("pn")) {
                assertThat(l.get("flags").toString()).doesNotContain("\"UP\"");
                assertThat(l.has("master")).isFalse();
            }
        });
        for (int i = 0; i < 500 && ipJson(sandbox.name(), "link", "show").toString().contains("\"pn"); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        assertThat(ipJson(sandbox.name(), "link", "show").toString()).doesNotContain("\"pn", "podnet0");
        assertThat(Shell.ok("ip", "netns", "exec", sandbox.name(), "nft", "list", "tables")).as("the last pod took the table with it")
                .doesNotContain("podnet");
        assertThat(state.resolve("run/state/pods").resolve(id + ".json")).doesNotExist();
        assertThat(engine.knownPods()).doesNotContain(id);
        assertThat(removed).as("the observer hears of it, whoever asked for the teardown").containsExactly(id);
        // the address is free again: the next pod gets it
        String next = newPod();
        assertThat(iface(engine.setup(request(next, AttachmentRequest.of("podnet"))), "podnet", "eth0").addresses().get(0).ipnet().toString())
                .isEqualTo("10.89.0.2/24");
    }

    @Test
    void setupTwiceIsSetupOnce() throws IOException {
        String id = newPod();
        PodResult first = engine.setup(request(id, AttachmentRequest.of("podnet")));
        Object inode = Files.getAttribute(first.netnsPath(), "unix:ino");
        int links = ipJson(sandbox.name(), "link", "show").size();
        PodResult second = engine.setup(request(id, AttachmentRequest.of("podnet")));
        assertThat(second).isEqualTo(first);
        assertThat(Files.getAttribute(second.netnsPath(), "unix:ino")).isEqualTo(inode);
        assertThat(ipJson(sandbox.name(), "link", "show").size()).isEqualTo(links);
        assertThat(ipJson("podnet-" + id, "addr", "show", "eth0").get(0).get("addr_info")).hasSize(2); // v4 + link-local v6
    }

    @Test
    void aRestartedEngineAdoptsTheSameNamespaceAddressAndMac() throws IOException {
        String id = newPod();
        PodResult before = engine.setup(request(id, AttachmentRequest.of("podnet")));
        Object inode = Files.getAttribute(before.netnsPath(), "unix:ino");
        engine.close();
        engine = openEngine();
        PodResult after = engine.setup(request(id, AttachmentRequest.of("podnet")));
        assertThat(after).isEqualTo(before);
        assertThat(Files.getAttribute(after.netnsPath(), "unix:ino")).isEqualTo(inode);
        assertThat(engine.knownPods()).contains(id);
        // and IPAM still holds the address: a new pod gets the next one
        String other = newPod();
        assertThat(iface(engine.setup(request(other, AttachmentRequest.of("podnet"))), "podnet", "eth0").addresses().get(0).ipnet().toString())
                .isEqualTo("10.89.0.3/24");
    }

    @Test
    void anUpgradedAgentAdoptsThePodsAnOlderOneRecordedInTheDurableStateDir() throws IOException {
        String id = newPod();
        PodResult before = engine.setup(request(id, AttachmentRequest.of("podnet")));
        engine.close();
        // as an older agent left it: pods, IPAM and bridge markers under the state dir, nothing in the run dir
        for (String part : List.of("pods", "ipam", "bridges")) {
            Path from = state.resolve("run/state").resolve(part);
            Path to = Files.createDirectories(state.resolve(part));
            try (var files = Files.list(from)) {
                for (Path f : files.toList()) {
                    Files.move(f, to.resolve(f.getFileName()));
                }
            }
        }
        engine = openEngine();
        assertThat(engine.knownPods()).contains(id);
        assertThat(state.resolve("run/state/pods").resolve(id + ".json")).isRegularFile();
        assertThat(state.resolve("pods").resolve(id + ".json")).as("moved, not copied").doesNotExist();
        assertThat(engine.setup(request(id, AttachmentRequest.of("podnet")))).isEqualTo(before);
        // IPAM came along: the next pod gets the next address, not the adopted pod's
        String other = newPod();
        assertThat(iface(engine.setup(request(other, AttachmentRequest.of("podnet"))), "podnet", "eth0").addresses().get(0).ipnet().toString())
                .isEqualTo("10.89.0.3/24");
    }

    @Test
    void aRestartedEngineLeavesExactlyOneFirewallElementPerPortAndNoneOfAGonePod() {
        String kept = newPod();
        String gone = newPod();
        engine.setup(withPorts(kept, 18100));
        engine.setup(withPorts(gone, 18101));
        engine.close();
        // the agent was down while "gone" was deleted: only its state file went (as a crash would leave it)
        new PodStateStore(state.resolve("run/state")).delete(gone);
        pods.remove(gone);
        engine = openEngine();
        engine.setup(withPorts(kept, 18100));
        String table = Shell.ok("ip", "netns", "exec", sandbox.name(), "nft", "list", "table", "inet", "podnet");
        // read the elements from nft's JSON: each set or map holding port 18100 holds it once, and nothing holds 18101
        assertThat(elementsWithPort(18100)).as("elements for port 18100").isNotEmpty().allSatisfy((set, count) -> assertThat(count)
                .as("elements of %s", set).isEqualTo(1));
        assertThat(elementsWithPort(18101)).isEmpty();
        assertThat(table).doesNotContain(gone);
        // what the collector does for a pod without a record: remove what its names say could be there
        engine.teardown(gone);
        assertThat(Path.of("/run/netns", "podnet-" + gone)).doesNotExist();
    }

    private static PodRequest withPorts(String id, int hostPort) {
        return new PodRequest(id, "test/" + id, "pod", Tenant.named("test"), PodMode.ROOTFUL, NetnsRequest.NEW, List.of(AttachmentRequest.of("podnet")),
                List.of(new io.podnet.inet.PortMapping(null, hostPort, 8080, io.podnet.inet.Protocol.TCP, 1)), DnsRequest.NONE);
    }

    @Test
    void aDeletedHostVethIsRebuiltWithTheSameMacAndAddress() {
        String id = newPod();
        PodResult before = engine.setup(request(id, AttachmentRequest.of("podnet")));
        Shell.ok("ip", "-n", sandbox.name(), "link", "del", KernelNames.hostVeth(id, "podnet"));
        assertThat(Shell.run("ip", "-n", "podnet-" + id, "link", "show", "eth0").ok()).isFalse();
        PodResult after = engine.setup(request(id, AttachmentRequest.of("podnet")));
        assertThat(after).isEqualTo(before);
        assertThat(ipJson("podnet-" + id, "link", "show", "eth0").get(0).get("address").asText())
                .isEqualTo(iface(before, "podnet", "eth0").mac().toString());
        Shell.ok("ip", "netns", "exec", "podnet-" + id, "ping", "-c", "1", "-W", "2", "10.89.0.1");
    }

    @Test
    void teardownSucceedsWhenTheNamespaceIsAlreadyGone() {
        String id = newPod();
        engine.setup(request(id, AttachmentRequest.of("podnet")));
        Shell.ok("ip", "netns", "delete", "podnet-" + id);
        engine.teardown(id);
        engine.teardown(id);
        assertThat(engine.knownPods()).doesNotContain(id);
        assertThat(ipJson(sandbox.name(), "link", "show").toString()).doesNotContain("\"pn");
    }

    @Test
    void teardownOfAPodNeverSeenSucceedsAndChangesNothing() {
        String built = newPod();
        engine.setup(request(built, AttachmentRequest.of("podnet")));
        java.util.List<String> links = linkIdentities();
        String ruleset = Shell.ok("ip", "netns", "exec", sandbox.name(), "nft", "list", "ruleset");
        java.util.Set<String> known = java.util.Set.copyOf(engine.knownPods());

        engine.teardown(UUID.randomUUID().toString());

        assertThat(linkIdentities()).isEqualTo(links);
        assertThat(Shell.ok("ip", "netns", "exec", sandbox.name(), "nft", "list", "ruleset")).isEqualTo(ruleset);
        assertThat(engine.knownPods()).containsExactlyInAnyOrderElementsOf(known);
        assertThat(Path.of("/run/netns", "podnet-" + built)).exists();
    }

    /** Each link's index, name, master, MTU and MAC: what a teardown could change (carrier and operstate settle on their own). */
    private java.util.List<String> linkIdentities() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (var link : ipJson(sandbox.name(), "link", "show")) {
            out.add(link.path("ifindex").asInt() + " " + link.path("ifname").asText() + " master=" + link.path("master").asText()
                    + " mtu=" + link.path("mtu").asInt() + " " + link.path("address").asText());
        }
        return out;
    }

    @Test
    void twoNetworksGiveEth0AndEth1AndAnInternalNetworkGetsNoDefaultRoute() {
        String id = newPod();
        PodResult r = engine.setup(request(id, AttachmentRequest.of("podnet"), AttachmentRequest.of("backend")));
        assertThat(r.networks().keySet()).containsExactly("podnet", "backend");
        assertThat(iface(r, "backend", "eth1").addresses().get(0).ipnet().toString()).isEqualTo("10.90.0.2/24");
        JsonNode routes = ipJson("podnet-" + id, "route", "show", "default");
        assertThat(routes).hasSize(1);
        assertThat(routes.get(0).get("dev").asText()).isEqualTo("eth0");
        Shell.ok("ip", "netns", "exec", "podnet-" + id, "ping", "-c", "1", "-W", "2", "10.90.0.1");
    }

    @Test
    void staticAddressMacAndInterfaceNameAreHonoured() {
        String id = newPod();
        MacAddress mac = MacAddress.parse("02:42:ac:11:00:99");
        PodResult r = engine.setup(request(id, new AttachmentRequest("podnet", "net0",
                List.of(IpAddresses.parse("10.89.0.77")), mac, List.of())));
        assertThat(iface(r, "podnet", "net0").mac()).isEqualTo(mac);
        JsonNode link = ipJson("podnet-" + id, "addr", "show", "net0").get(0);
        assertThat(link.get("address").asText()).isEqualTo("02:42:ac:11:00:99");
        assertThat(link.get("addr_info").toString()).contains("10.89.0.77");
    }

    @Test
    void rejectedRequestsChangeNothing() {
        String holder = newPod();
        engine.setup(request(holder, new AttachmentRequest("podnet", null, List.of(IpAddresses.parse("10.89.0.50")), null, List.of())));
        int links = ipJson(sandbox.name(), "link", "show").size();

        String id = newPod();
        assertRejected(request(id, AttachmentRequest.of("nope")), "UnknownNetwork");
        assertRejected(request(id, new AttachmentRequest("podnet", "a-very-long-name0", List.of(), null, List.of())), "InvalidInterfaceName");
        assertRejected(request(id, new AttachmentRequest("podnet", null, List.of(IpAddresses.parse("10.99.0.5")), null, List.of())),
                "StaticIPOutsideSubnet");
        assertRejected(request(id, new AttachmentRequest("podnet", null, List.of(IpAddresses.parse("10.89.0.50")), null, List.of())),
                "StaticIPTaken");
        assertRejected(request(id, AttachmentRequest.of("podnet"), new AttachmentRequest("backend", null,
                List.of(IpAddresses.parse("10.90.0.0")), null, List.of())), "StaticIPReserved");

        assertThat(Path.of("/run/netns", "podnet-" + id)).doesNotExist();
        assertThat(engine.knownPods()).containsExactly(holder);
        assertThat(ipJson(sandbox.name(), "link", "show").size()).isEqualTo(links);
        // the address the rejected pod would have had on the first network was given back
        String next = newPod();
        assertThat(iface(engine.setup(request(next, AttachmentRequest.of("podnet"))), "podnet", "eth0").addresses().get(0).ipnet().toString())
                .isEqualTo("10.89.0.2/24");
    }

    private void assertRejected(PodRequest request, String reason) {
        assertThatThrownBy(() -> engine.setup(request))
                .isInstanceOfSatisfying(RejectedRequestException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    /** Set or map name -> how many of its elements hold this port, from `nft -j list table inet podnet`. */
    private java.util.Map<String, Integer> elementsWithPort(int port) {
        java.util.Map<String, Integer> out = new java.util.TreeMap<>();
        try {
            JsonNode listing = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    Shell.ok("ip", "netns", "exec", sandbox.name(), "nft", "-j", "list", "table", "inet", "podnet"));
            for (JsonNode item : listing.path("nftables")) {
                JsonNode set = item.has("set") ? item.get("set") : item.get("map");
                if (set == null) {
                    continue;
                }
                for (JsonNode element : set.path("elem")) {
                    if (holdsPort(element, port)) {
                        out.merge(set.get("name").asText(), 1, Integer::sum);
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /** Whether the port appears as a number, or inside a range, anywhere in the element. */
    private static boolean holdsPort(JsonNode node, int port) {
        if (node.isInt()) {
            return node.asInt() == port;
        }
        if (node.has("range") && node.get("range").isArray() && node.get("range").size() == 2 && node.get("range").get(0).isInt()) {
            return node.get("range").get(0).asInt() <= port && port <= node.get("range").get(1).asInt();
        }
        for (JsonNode child : node) {
            if (holdsPort(child, port)) {
                return true;
            }
        }
        return false;
    }
}
