package io.podnet.operator;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.podnet.api.NetInterface;
import io.podnet.api.NetnsSpec;
import io.podnet.api.NetnsType;
import io.podnet.api.NetworkAttachment;
import io.podnet.api.PodNetwork;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Pods that change while they run: networks connected and disconnected, reloads, joined namespaces, dual stack. */
@QuarkusTest
@RequiresRoot
@WithTestResource(SandboxHostResource.class)
@TestProfile(LiveChangesTest.JoinsGranted.class)
class LiveChangesTest extends OperatorTestBase {
    /** These tests join namespaces (Path, Pid) from "default", which the node policy grants to no one by default. */
    public static class JoinsGranted implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("podnet.policy.grants", "everyone",
                    "podnet.policy.everyone.namespaces", "*",
                    "podnet.policy.everyone.netns", "Path,Pid",
                    "podnet.policy.everyone.rootful", "true",
                    "podnet.policy.everyone.hostPorts", "1-65535",
                    "podnet.policy.everyone.hostIPs", "0.0.0.0/0,::/0");
        }
    }

    private static NetInterface iface(PodNetwork pn, String network, String name) {
        return pn.getStatus().getNetworks().get(network).getInterfaces().get(name);
    }

    @Test
    void connectingAndDisconnectingANetworkLeavesEth0AndItsConnectionsAlone() throws Exception {
        client.resource(podNetwork("web", "local", network("podnet"))).create();
        PodNetwork before = awaitReady("web", pn -> true);
        String ns = podNetns(before);
        NetInterface eth0 = iface(before, "podnet", "eth0");

        // a TCP connection through eth0: a server on the sandbox host's bridge address, a client in the pod
        ServerSocket server = SandboxHostResource.sandbox.netns().run(() -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress(InetAddress.getByName("10.89.0.1"), 0));
            return s;
        });
        closeLast(server);
        Socket client = NetnsManager.join(Path.of(ns)).run(() -> {
            Socket c = new Socket();
            c.connect(new InetSocketAddress(InetAddress.getByName("10.89.0.1"), server.getLocalPort()), 5000);
            return c;
        });
        closeLast(client);
        server.setSoTimeout(5000);
        Socket accepted = server.accept();
        closeLast(accepted);

        // connect a second network
        PodNetwork updated = get("web");
        updated.getSpec().setNetworks(List.of(network("podnet"), network("backend")));
        this.client.resource(updated).update();
        PodNetwork connected = awaitReady("web", pn -> pn.getStatus().getNetworks().containsKey("backend"));
        assertThat(iface(connected, "backend", "eth1").getSubnets().get(0).getIpnet()).startsWith("10.90.0.");
        assertThat(iface(connected, "podnet", "eth0").getMacAddress()).isEqualTo(eth0.getMacAddress());
        assertThat(iface(connected, "podnet", "eth0").getSubnets().get(0).getIpnet()).isEqualTo(eth0.getSubnets().get(0).getIpnet());
        assertThat(ipJson(ns, "link", "show").toString()).contains("\"eth1\"");
        String eth1Ip = iface(connected, "backend", "eth1").getSubnets().get(0).getIpnet().split("/")[0];
        Path hosts = Path.of(connected.getStatus().getHostsPath());
        assertThat(Files.readString(hosts)).contains(eth0.getSubnets().get(0).getIpnet().split("/")[0] + "\tweb", eth1Ip + "\tweb");
        assertThat(Files.readString(Path.of(connected.getStatus().getResolvConfPath()))).contains("nameserver 10.89.0.1");

        // the connection opened before still carries data both ways
        send(client, "after connect", accepted);
        send(accepted, "and back", client);

        // disconnect it again
        updated = get("web");
        updated.getSpec().setNetworks(List.of(network("podnet")));
        this.client.resource(updated).update();
        PodNetwork disconnected = awaitReady("web", pn -> !pn.getStatus().getNetworks().containsKey("backend"));
        assertThat(ipJson(ns, "link", "show").toString()).doesNotContain("\"eth1\"");
        assertThat(Files.readString(hosts)).doesNotContain(eth1Ip);
        assertThat(iface(disconnected, "podnet", "eth0").getMacAddress()).isEqualTo(eth0.getMacAddress());
        send(client, "after disconnect", accepted);
    }

    private static void send(Socket from, String text, Socket to) throws Exception {
        OutputStream out = from.getOutputStream();
        out.write((text + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        to.setSoTimeout(5000);
        InputStream in = to.getInputStream();
        byte[] buf = new byte[text.length() + 1];
        int read = 0;
        while (read < buf.length) {
            int n = in.read(buf, read, buf.length - read);
            assertThat(n).as("connection closed").isPositive();
            read += n;
        }
        assertThat(new String(buf, StandardCharsets.UTF_8)).isEqualTo(text + "\n");
    }

    @Test
    void aNewReloadAnnotationReappliesWithTheSameNamesMacsAndAddresses() {
        client.resource(podNetwork("reloaded", "local", network("podnet"))).create();
        PodNetwork before = awaitReady("reloaded", pn -> true);
        String ns = podNetns(before);
        // something for the reload to re-apply: the pod's default route and address go
        Shell.ok(Shell.ip(ns, "route", "del", "default"));
        Shell.ok(Shell.ip(ns, "addr", "flush", "dev", "eth0", "scope", "global"));
        PodNetwork edited = get("reloaded");
        edited.getMetadata().setAnnotations(Map.of("podnet.io/reload", "1"));
        client.resource(edited).update();
        PodNetwork after = awaitReady("reloaded", pn -> "1".equals(pn.getStatus().getObservedReload()));
        assertThat(after.getStatus().getNetworks()).usingRecursiveComparison().isEqualTo(before.getStatus().getNetworks());
        String ip = before.getStatus().getInspect().getIpAddress();
        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(Shell.ipJson(ns, "route", "show", "default").toString()).contains("10.89.0.1");
            assertThat(Shell.ipJson(ns, "addr", "show", "eth0").toString()).contains("\"" + ip + "\"");
        });
        String uid = before.getMetadata().getUid();
        await().atMost(TIMEOUT).until(() -> events(uid).stream().anyMatch(e -> e.getReason().equals("Reloaded")));
    }

    @Test
    void aPathNamespaceGetsInterfacesAndKeepsOnlyWhatItHadAfterTeardown() throws Exception {
        String name = "podnet-test-joined-" + UUID.randomUUID().toString().substring(0, 8);
        NetnsManager manager = new NetnsManager(SandboxHostResource.netnsDir);
        Netns joined = manager.createOrOpen(name);
        String path = SandboxHostResource.netnsDir.resolve(name).toString();
        closeLast(() -> {
            joined.close();
            manager.delete(name);
        });
        Shell.ok(Shell.ip(path, "link", "add", "keep0", "type", "veth", "peer", "name", "keep1"));
        Shell.ok(Shell.ip(path, "addr", "add", "192.168.77.2/24", "dev", "keep0"));
        Shell.ok(Shell.ip(path, "link", "set", "keep0", "up"));

        PodNetwork pn = podNetwork("joined", "local", network("podnet"));
        NetnsSpec netns = new NetnsSpec();
        netns.setType(NetnsType.Path);
        netns.setPath(path);
        pn.getSpec().setNetns(netns);
        client.resource(pn).create();
        PodNetwork ready = awaitReady("joined", p -> true);
        assertThat(ready.getStatus().getNetnsPath()).isEqualTo(path);
        String ip = iface(ready, "podnet", "eth0").getSubnets().get(0).getIpnet().split("/")[0];
        assertThat(ipJson(path, "addr", "show", "eth0").get(0).get("addr_info").toString()).contains(ip);
        // the summary is read back from the namespace: podnet's eth0 and the namespace's own keep0
        assertThat(ready.getStatus().getInspect().getIpAddress()).isEqualTo(ip);
        assertThat(ready.getStatus().getInspect().getSecondaryIPAddresses()).extracting(a -> a.getAddr()).contains("192.168.77.2");
        Shell.ok(Shell.in(path, "ping", "-c", "1", "-W", "2", "10.89.0.1"));

        client.resource(ready).delete();
        awaitGone("joined");
        assertThat(SandboxHostResource.netnsDir.resolve(name)).exists();
        assertThat(linkNames(path)).containsExactlyInAnyOrder("lo", "keep0", "keep1");
    }

    @Test
    void aProcessNamespaceGetsInterfacesAndTheProcessKeepsItsNamespaceAfterTeardown() throws Exception {
        Process process = new ProcessBuilder("unshare", "--net", "sleep", "120").start();
        closeLast(() -> {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        });
        long pid = process.pid();
        await().atMost(TIMEOUT).until(() -> !Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "ns", "net"))
                .equals(Files.readSymbolicLink(Path.of("/proc/self/ns/net"))));

        PodNetwork pn = podNetwork("process", "local", network("podnet"));
        NetnsSpec netns = new NetnsSpec();
        netns.setType(NetnsType.Pid);
        netns.setPid((int) pid);
        pn.getSpec().setNetns(netns);
        client.resource(pn).create();
        PodNetwork ready = awaitReady("process", p -> true);
        String ip = iface(ready, "podnet", "eth0").getSubnets().get(0).getIpnet().split("/")[0];
        assertThat(Shell.ok("nsenter", "--target", Long.toString(pid), "--net", "ip", "-br", "addr")).contains("eth0", ip);
        assertThat(ready.getStatus().getNetnsPath()).isEqualTo(podNetns(ready));

        client.resource(ready).delete();
        awaitGone("process");
        assertThat(Path.of(ready.getStatus().getNetnsPath())).doesNotExist();
        assertThat(process.isAlive()).isTrue();
        assertThat(Shell.ok("nsenter", "--target", Long.toString(pid), "--net", "ip", "-br", "link")).doesNotContain("eth0").contains("lo");
    }

    @Test
    void theAgentsOwnNamespaceCannotBeJoined() {
        PodNetwork pn = podNetwork("sneaky", "local", network("podnet"));
        NetnsSpec netns = new NetnsSpec();
        netns.setType(NetnsType.Pid);
        netns.setPid((int) ProcessHandle.current().pid());
        pn.getSpec().setNetns(netns);
        client.resource(pn).create();
        awaitPhase("sneaky", "Failed");
        assertThat(get("sneaky").getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready")).singleElement()
                .satisfies(c -> assertThat(c.getReason()).isEqualTo("NetnsNotAllowed"));
    }

    @Test
    void theDnsFilesHoldTheGatewayTheSearchesTheAliasesAndTheShortId() throws Exception {
        NetworkAttachment podnet = network("podnet");
        podnet.setAliases(List.of("web-alias", "www"));
        PodNetwork pn = podNetwork("named", "local", podnet);
        io.podnet.api.DnsSpec dns = new io.podnet.api.DnsSpec();
        dns.setServers(List.of("192.0.2.53"));
        dns.setSearches(List.of("corp.example"));
        dns.setOptions(List.of("ndots:2"));
        pn.getSpec().setDns(dns);
        client.resource(pn).create();
        PodNetwork ready = awaitReady("named", p -> true);
        String ip = ready.getStatus().getInspect().getIpAddress();
        String shortId = ready.getMetadata().getUid().replace("-", "").substring(0, 12);

        List<String> hosts = Files.readAllLines(Path.of(ready.getStatus().getHostsPath()));
        assertThat(hosts).anySatisfy(l -> assertThat(l.split("\\s+")).startsWith(ip).contains("named", "web-alias", "www", shortId));
        String resolv = Files.readString(Path.of(ready.getStatus().getResolvConfPath()));
        // the sandbox's podnet network has dns_enabled: its gateway answers, and spec.dns.servers are this pod's
        // upstreams behind it (as Podman hands them to aardvark-dns), not in the file
        assertThat(resolv).contains("nameserver 10.89.0.1").doesNotContain("192.0.2.53");
        assertThat(resolv).contains("search dns.podman corp.example").contains("options ndots:2");
    }

    @Test
    void theNamespaceOfABuiltPodCannotChange() throws Exception {
        client.resource(podNetwork("settled", "local", network("podnet"))).create();
        PodNetwork ready = awaitReady("settled", p -> true);
        String ns = podNetns(ready);
        String before = Shell.ok(Shell.ip(ns, "-br", "addr"));
        Process other = new ProcessBuilder("unshare", "--net", "sleep", "60").start();
        try {
            PodNetwork edited = get("settled");
            NetnsSpec netns = new NetnsSpec();
            netns.setType(NetnsType.Pid);
            netns.setPid((int) other.pid());
            edited.getSpec().setNetns(netns);
            client.resource(edited).update();
            await().atMost(TIMEOUT).until(() -> get("settled").getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Ready") && "NetnsImmutable".equals(c.getReason())));
            // the built pod is left as it was: same namespace, same addresses
            assertThat(get("settled").getStatus().getNetnsPath()).isEqualTo(ready.getStatus().getNetnsPath());
            assertThat(Shell.ok(Shell.ip(ns, "-br", "addr"))).isEqualTo(before);
        } finally {
            other.destroyForcibly().waitFor();
        }
    }

    @Test
    void theNamespaceThatPlaysTheHostCannotBeJoinedEither() throws Exception {
        // a process inside the configured host namespace (the sandbox here): joining it would wire the node itself
        Process inHost = new ProcessBuilder("ip", "netns", "exec", sandbox(), "sleep", "60").start();
        try {
            long pid = awaitChildPid(inHost);
            PodNetwork pn = podNetwork("host-joiner", "local", network("podnet"));
            NetnsSpec netns = new NetnsSpec();
            netns.setType(NetnsType.Pid);
            netns.setPid((int) pid);
            pn.getSpec().setNetns(netns);
            client.resource(pn).create();
            awaitPhase("host-joiner", "Failed");
            assertThat(get("host-joiner").getStatus().getConditions()).filteredOn(c -> c.getType().equals("Ready")).singleElement()
                    .satisfies(c -> {
                        assertThat(c.getReason()).isEqualTo("NetnsNotAllowed");
                        assertThat(c.getMessage()).contains("node's own network namespace");
                    });
            assertThat(Shell.ok("ip", "-n", sandbox(), "-br", "link")).doesNotContain("eth0");
        } finally {
            inHost.destroyForcibly().waitFor();
        }
    }

    /** `ip netns exec` execs the command in place, so the process is the sleep itself once its netns is the sandbox's. */
    private static long awaitChildPid(Process p) throws Exception {
        Path hostNs = SandboxHostResource.sandbox.path();
        Object want = Files.getAttribute(hostNs, "unix:ino");
        for (int i = 0; i < 100; i++) {
            try {
                if (want.equals(Files.getAttribute(Path.of("/proc", Long.toString(p.pid()), "ns", "net"), "unix:ino"))) {
                    return p.pid();
                }
            } catch (java.io.IOException e) {
                // not there yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the process never entered " + hostNs);
    }

    @Test
    void aDualStackNetworkGivesIpv4AndIpv6AndTheIpv6GatewayAnswers() {
        NetworkAttachment dual = network("dual");
        client.resource(podNetwork("dual", "local", dual)).create();
        PodNetwork ready = awaitReady("dual", p -> true);
        String ns = podNetns(ready);
        NetInterface eth0 = iface(ready, "dual", "eth0");
        assertThat(eth0.getSubnets()).extracting(a -> a.getIpnet()).anyMatch(s -> s.startsWith("10.91.0.")).anyMatch(s -> s.startsWith("fd00:91::"));
        String v6 = eth0.getSubnets().stream().filter(a -> a.getIpnet().contains(":")).findFirst().orElseThrow().getIpnet().split("/")[0];
        assertThat(ready.getStatus().getInspect().getGlobalIPv6Address()).isEqualTo(v6);
        assertThat(ready.getStatus().getInspect().getGlobalIPv6PrefixLen()).isEqualTo(64);
        assertThat(ready.getStatus().getInspect().getIpv6Gateway()).isEqualTo("fd00:91::1");
        JsonNode addrs = ipJson(ns, "addr", "show", "eth0").get(0).get("addr_info");
        assertThat(addrs.toString()).contains(v6, "10.91.0.");
        assertThat(ipJson(ns, "-6", "route", "show", "default").get(0).get("gateway").asText()).isEqualTo("fd00:91::1");
        Shell.ok(Shell.in(ns, "ping", "-6", "-c", "1", "-W", "3", "fd00:91::1"));
    }

    private static List<String> linkNames(String netns) {
        List<String> names = new ArrayList<>();
        ipJson(netns, "link", "show").forEach(l -> names.add(l.get("ifname").asText()));
        return names;
    }
}
