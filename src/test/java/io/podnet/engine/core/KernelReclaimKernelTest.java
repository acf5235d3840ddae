package io.podnet.engine.core;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.podnet.engine.DnsRequest;
import io.podnet.engine.PodResult;
import io.podnet.engine.plan.KernelNames;
import io.podnet.inet.IpAddresses;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Sandbox;
import io.podnet.testing.Shell;

/**
 * Teardown of a pod in a namespace podnet made leaves its veth pair to the kernel, which destroys
 * it with the namespace after teardown returned: the host side must be done at once (no bridge
 * port, no frame carried) and a pod set up right after must not collide with the pair still dying.
 */
@RequiresRoot
class KernelReclaimKernelTest {
    private static final String NETWORK = """
            {"name": "podnet", "driver": "bridge", "network_interface": "podnet0",
             "subnets": [{"subnet": "10.89.0.0/24", "gateway": "10.89.0.1"}]}
            """;

    private SandboxEngine node;
    private String resident;

    @BeforeEach
    void start() throws IOException {
        node = new SandboxEngine("", NETWORK);
        // keeps the bridge, as on a node with running pods, so its ports can be counted
        resident = node.newPod();
        node.engine.setup(SandboxEngine.request(resident, DnsRequest.NONE, "podnet"));
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private String sandbox() {
        return node.sandbox.name();
    }

    /** The host links of this name (none, or the one). */
    private List<JsonNode> hostLinks(String name) {
        List<JsonNode> found = new java.util.ArrayList<>();
        ipJson(sandbox(), "link", "show").forEach(l -> {
            if (l.get("ifname").asText().equals(name)) {
                found.add(l);
            }
        });
        return found;
    }

    private List<String> bridgePorts() {
        List<String> names = new java.util.ArrayList<>();
        ipJson(sandbox(), "link", "show", "master", "podnet0").forEach(l -> names.add(l.get("ifname").asText()));
        return names;
    }

    private void awaitGone(String hostVeth) throws InterruptedException {
        for (int i = 0; i < 500 && hostLinks(hostVeth).size() > 0; i++) {
            Thread.sleep(10);
        }
    }

    @Test
    void teardownTakesTheHostSideAtOnceAndTheKernelTheRest() throws InterruptedException {
        String id = node.newPod();
        node.engine.setup(SandboxEngine.request(id, DnsRequest.NONE, "podnet"));
        String hostVeth = KernelNames.hostVeth(id, "podnet");
        assertThat(bridgePorts()).contains(hostVeth);

        node.engine.teardown(id);

        assertThat(bridgePorts()).as("out of the bridge when teardown returns").containsExactly(KernelNames.hostVeth(resident, "podnet"));
        List<JsonNode> left = hostLinks(hostVeth);
        if (left.size() > 0) { // the kernel has not destroyed it yet: it must carry nothing meanwhile
            assertThat(left.get(0).get("flags").toString()).doesNotContain("\"UP\"");
            assertThat(left.get(0).has("master")).isFalse();
        }
        assertThat(Path.of("/run/netns", "podnet-" + id)).doesNotExist();
        assertThat(node.kernelState.resolve("pods").resolve(id + ".json")).doesNotExist();
        awaitGone(hostVeth);
        assertThat(hostLinks(hostVeth)).as("the kernel destroyed the pair with the namespace").isEmpty();
    }

    @Test
    void theSamePodSetUpRightAfterItsTeardownDoesNotCollideWithItsDyingPair() {
        String id = node.newPod();
        String hostVeth = KernelNames.hostVeth(id, "podnet");
        for (int i = 0; i < 10; i++) {
            node.engine.setup(SandboxEngine.request(id, DnsRequest.NONE, "podnet"));
            node.engine.teardown(id);
            PodResult r = node.engine.setup(SandboxEngine.request(id, DnsRequest.NONE, "podnet"));

            List<JsonNode> host = hostLinks(hostVeth);
            assertThat(host).as("round " + i).hasSize(1);
            assertThat(host.get(0).get("flags").toString()).contains("\"UP\"");
            assertThat(host.get(0).get("master").asText()).isEqualTo("podnet0");
            String ns = "podnet-" + id;
            assertThat(ipJson(ns, "addr", "show", "eth0").get(0).get("addr_info").toString())
                    .contains(IpAddresses.format(r.networks().get("podnet").interfaces().get("eth0").addresses().get(0).ipnet().address()));
            Shell.ok("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "2", "10.89.0.1");
            node.engine.teardown(id);
        }
    }

    @Test
    void theNextPodGetsTheFreedAddressAndTheHostReachesItNotTheDyingPod() {
        String first = node.newPod();
        PodResult a = node.engine.setup(SandboxEngine.request(first, DnsRequest.NONE, "podnet"));
        String ip = IpAddresses.format(a.networks().get("podnet").interfaces().get("eth0").addresses().get(0).ipnet().address());
        // (no ping to the first pod: the host's neighbour entry would keep its MAC for the reachable time, a reuse
        // question of its own; here the host resolves the address afresh, and both namespaces still hold it)
        node.engine.teardown(first);

        String next = node.newPod();
        PodResult b = node.engine.setup(SandboxEngine.request(next, DnsRequest.NONE, "podnet"));
        PodResult.InterfaceResult eth0 = b.networks().get("podnet").interfaces().get("eth0");
        assertThat(IpAddresses.format(eth0.addresses().get(0).ipnet().address())).isEqualTo(ip);

        // a reply can only come from the new pod's namespace: count what its eth0 received
        long before = rxPackets("podnet-" + next);
        Shell.ok("ip", "netns", "exec", sandbox(), "ping", "-c", "3", "-i", "0.2", "-W", "2", ip);
        assertThat(rxPackets("podnet-" + next)).isGreaterThanOrEqualTo(before + 3);
    }

    private static long rxPackets(String ns) {
        return ipJson(ns, "-s", "link", "show", "eth0").get(0).at("/stats64/rx/packets").asLong();
    }

    @Test
    void podStateAndAddressesLiveOnTheRunDirAndNothingOnTheDurableDir() throws IOException {
        String id = node.newPod();
        PodResult r = node.engine.setup(SandboxEngine.request(id, DnsRequest.NONE, "podnet"));
        String ip = r.networks().get("podnet").interfaces().get("eth0").addresses().get(0).ipnet().toString();

        assertThat(node.kernelState).isEqualTo(node.dir.resolve("run").resolve("state"));
        assertThat(node.kernelState.resolve("pods").resolve(id + ".json")).isRegularFile();
        assertThat(Files.readString(node.kernelState.resolve("ipam").resolve("podnet.json"))).contains("\"" + id + "\": [\"" + ip + "\"]");
        assertThat(node.kernelState.resolve("bridges").resolve("podnet0")).isRegularFile();
        assertThat(node.state.resolve("pods")).doesNotExist();
        assertThat(node.state.resolve("ipam")).doesNotExist();
        assertThat(Sandbox.NETNS_DIR.resolve("podnet-" + id)).exists();
    }
}
