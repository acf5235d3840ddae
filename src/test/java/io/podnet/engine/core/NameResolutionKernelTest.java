package io.podnet.engine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.policy.Tenant;
import io.podnet.engine.PodResult;
import io.podnet.inet.IpAddresses;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.podnet.testing.UpstreamDns;

/**
 * Name resolution on dns_enabled networks, through the real resolvers: {@code dig} and
 * {@code getent hosts} inside the pods' namespaces (the latter with the pod's own resolv.conf
 * mounted over /etc/resolv.conf), against the engine's name server on the gateways of a sandbox
 * playing the host. The upstream is a resolver the test runs itself on an address of that sandbox.
 */
@RequiresRoot
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NameResolutionKernelTest {
    /** The host's resolver, the other network's (network_dns_servers) and one pod's own. */
    private static final InetAddress UPSTREAM = IpAddresses.parse("198.51.100.53");
    private static final InetAddress OTHERS_UPSTREAM = IpAddresses.parse("198.51.100.54");
    private static final InetAddress PODS_UPSTREAM = IpAddresses.parse("198.51.100.55");
    private static final String FRONT = """
            {"name": "front", "driver": "bridge", "network_interface": "pndns0", "dns_enabled": true, "ipv6_enabled": true,
             "subnets": [{"subnet": "10.91.0.0/24", "gateway": "10.91.0.1"}, {"subnet": "fd91::/64", "gateway": "fd91::1"}]}
            """;
    private static final String OTHER = """
            {"name": "other", "driver": "bridge", "network_interface": "pndns1", "dns_enabled": true,
             "network_dns_servers": ["198.51.100.54"], "subnets": [{"subnet": "10.93.0.0/24", "gateway": "10.93.0.1"}]}
            """;

    private SandboxEngine node;
    private UpstreamDns upstream;
    private UpstreamDns othersUpstream;
    private UpstreamDns podsUpstream;

    @BeforeEach
    void start() throws IOException {
        node = new SandboxEngine("nameserver " + IpAddresses.format(UPSTREAM) + "\nnameserver 127.0.0.53\n", FRONT, OTHER);
        // the kernel here has no dummy links: the upstream's address sits on the sandbox's loopback
        for (InetAddress a : List.of(UPSTREAM, OTHERS_UPSTREAM, PODS_UPSTREAM)) {
            Shell.ok(Shell.ip(node.sandbox.path().toString(), "addr", "add", IpAddresses.format(a) + "/32", "dev", "lo"));
        }
        upstream = new UpstreamDns(node.sandbox.netns(), UPSTREAM, Map.of("example.test.", IpAddresses.parse("192.0.2.10")));
        othersUpstream = new UpstreamDns(node.sandbox.netns(), OTHERS_UPSTREAM, Map.of("example.test.", IpAddresses.parse("192.0.2.20")));
        podsUpstream = new UpstreamDns(node.sandbox.netns(), PODS_UPSTREAM, Map.of("example.test.", IpAddresses.parse("192.0.2.30")));
    }

    @AfterEach
    void stop() {
        try {
            upstream.close();
            othersUpstream.close();
            podsUpstream.close();
        } finally {
            node.close();
        }
    }

    private PodResult pod(String id, String name, List<String> aliases, String... networks) {
        return pod(id, name, aliases, DnsRequest.NONE, networks);
    }

    private PodResult pod(String id, String name, List<String> aliases, DnsRequest dns, String... networks) {
        List<AttachmentRequest> attachments = new ArrayList<>();
        for (String n : networks) {
            attachments.add(new AttachmentRequest(n, null, List.of(), null, aliases));
        }
        return node.engine.setup(new PodRequest(id, "test/" + name, name, Tenant.named("test"), PodMode.ROOTFUL, NetnsRequest.NEW, attachments, List.of(), dns));
    }

    private static String ns(String id) {
        return "podnet-" + id;
    }

    private static String dig(String id, String... args) {
        List<String> command = new ArrayList<>(List.of("dig", "+time=2", "+tries=1"));
        command.addAll(List.of(args));
        return Shell.run(Shell.in(ns(id), command.toArray(String[]::new))).output();
    }

    private static String digShort(String id, String... args) {
        List<String> all = new ArrayList<>(List.of("+short"));
        all.addAll(List.of(args));
        return dig(id, all.toArray(String[]::new)).trim();
    }

    /** {@code getent hosts name} in the pod, resolving with the pod's own resolv.conf. */
    private static Shell.Result getent(String id, Path resolvConf, String name) {
        return Shell.run(Shell.in(ns(id), "unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$0\" /etc/resolv.conf && exec getent hosts \"$1\"", resolvConf.toString(), name));
    }

    private static String ipv4(PodResult r, String network) {
        return address(r, network, true);
    }

    private static String ipv6(PodResult r, String network) {
        return address(r, network, false);
    }

    private static String address(PodResult r, String network, boolean v4) {
        return r.networks().get(network).interfaces().values().iterator().next().addresses().stream()
                .map(a -> a.ipnet().address()).filter(a -> IpAddresses.isV4(a) == v4).map(IpAddresses::format).findFirst().orElseThrow();
    }

    @Test
    void podsOnTheNetworkResolveEachOtherByNameAliasAndShortIdOverUdpAndTcp() throws IOException {
        String web = node.newPod();
        String db = node.newPod();
        PodResult w = pod(web, "web", List.of("www"), "front");
        PodResult d = pod(db, "db", List.of(), "front");

        assertThat(Files.readAllLines(d.resolvConf())).containsExactly("search dns.podman", "nameserver 10.91.0.1", "nameserver fd91::1");
        assertThat(d.networks().get("front").dnsSearchDomains()).containsExactly("dns.podman");

        assertThat(digShort(db, "@10.91.0.1", "web")).isEqualTo(ipv4(w, "front"));
        assertThat(digShort(db, "@10.91.0.1", "www.dns.podman")).isEqualTo(ipv4(w, "front"));
        assertThat(digShort(db, "@10.91.0.1", web.replace("-", "").substring(0, 12))).isEqualTo(ipv4(w, "front"));
        assertThat(IpAddresses.parse(digShort(db, "@fd91::1", "AAAA", "web"))).isEqualTo(IpAddresses.parse(ipv6(w, "front")));
        assertThat(digShort(db, "@10.91.0.1", "+tcp", "web")).isEqualTo(ipv4(w, "front"));
        // a pod resolves itself too
        assertThat(digShort(web, "@10.91.0.1", "db")).isEqualTo(ipv4(d, "front"));

        Shell.Result byGetent = getent(db, d.resolvConf(), "web");
        assertThat(byGetent.exitCode()).as(byGetent.output()).isZero();
        // getent hosts asks for IPv6 first, and web has both
        assertThat(byGetent.output()).contains("web").containsAnyOf(ipv4(w, "front"), ipv6(w, "front"));
        assertThat(upstream.asked()).as("pod names never go upstream").noneMatch(n -> n.startsWith("web") || n.startsWith("www"));
    }

    @Test
    void ptrGivesThePodsNames() throws IOException {
        String web = node.newPod();
        String db = node.newPod();
        PodResult w = pod(web, "web", List.of("www"), "front");
        PodResult d = pod(db, "db", List.of(), "front");

        assertThat(digShort(db, "@10.91.0.1", "-x", ipv4(w, "front")).lines()).containsExactly("web.", "www.", web.replace("-", "")
                .substring(0, 12) + ".");
        assertThat(digShort(db, "@10.91.0.1", "-x", ipv6(w, "front")).lines()).startsWith("web.");
        Shell.Result reverse = getent(db, d.resolvConf(), ipv4(w, "front"));
        assertThat(reverse.exitCode()).as(reverse.output()).isZero();
        assertThat(reverse.output()).contains("web");
        assertThat(dig(db, "@10.91.0.1", "-x", "10.91.0.200")).contains("status: NXDOMAIN");
    }

    @Test
    void aPodOnAnotherNetworkCannotResolveThem() throws IOException {
        String web = node.newPod();
        String lonely = node.newPod();
        pod(web, "web", List.of(), "front");
        PodResult l = pod(lonely, "lonely", List.of(), "other");

        // it reaches front's gateway through the host, and is refused there
        assertThat(dig(lonely, "@10.91.0.1", "web")).contains("status: REFUSED").doesNotContain("ANSWER SECTION");
        // its own gateway does not know them: the name goes upstream, which does not know it either
        assertThat(dig(lonely, "@10.93.0.1", "web")).contains("status: NXDOMAIN");
        assertThat(getent(lonely, l.resolvConf(), "web").exitCode()).isEqualTo(2);
        assertThat(node.engine.dnsQueries()).containsKey("refused");
        assertThat(node.engine.dnsQueries().get("refused")).isPositive();
    }

    @Test
    void otherNamesAreForwardedToTheUpstreamOverUdpAndTcp() throws IOException {
        String db = node.newPod();
        PodResult d = pod(db, "db", List.of(), "front");

        assertThat(digShort(db, "@10.91.0.1", "example.test")).isEqualTo("192.0.2.10");
        assertThat(digShort(db, "@10.91.0.1", "+tcp", "example.test")).isEqualTo("192.0.2.10");
        assertThat(dig(db, "@10.91.0.1", "nowhere.test")).contains("status: NXDOMAIN");
        Shell.Result byGetent = getent(db, d.resolvConf(), "example.test");
        assertThat(byGetent.exitCode()).as(byGetent.output()).isZero();
        assertThat(byGetent.output()).contains("192.0.2.10");
        assertThat(upstream.asked()).contains("example.test.", "nowhere.test.");
        // names under the search domain are the network's: never forwarded
        assertThat(dig(db, "@10.91.0.1", "nobody.dns.podman")).contains("status: NXDOMAIN");
        assertThat(upstream.asked()).noneMatch(n -> n.contains("dns.podman"));
        assertThat(node.engine.dnsQueries().get("forwarded")).isGreaterThanOrEqualTo(4);
        assertThat(node.engine.dnsQueries().get("answered")).isZero();
    }

    @Test
    void aPodsOwnServersAndTheNetworksServersTakeThePlaceOfTheHosts() {
        String plain = node.newPod();
        String own = node.newPod();
        String lonely = node.newPod();
        pod(plain, "plain", List.of(), "front");
        pod(own, "own", List.of(), new DnsRequest(List.of(PODS_UPSTREAM), List.of(), List.of()), "front");
        pod(lonely, "lonely", List.of(), "other");

        assertThat(digShort(plain, "@10.91.0.1", "example.test")).isEqualTo("192.0.2.10");
        assertThat(digShort(own, "@10.91.0.1", "example.test")).isEqualTo("192.0.2.30");
        assertThat(digShort(lonely, "@10.93.0.1", "example.test")).isEqualTo("192.0.2.20");
        // while the pod's own names are still answered by the gateway
        assertThat(digShort(own, "@10.91.0.1", "plain")).startsWith("10.91.0.");
    }

    @Test
    void recordsFollowConnectDisconnectAndDeleteAndListenersGoWithTheLastPod() {
        String web = node.newPod();
        String db = node.newPod();
        PodResult w = pod(web, "web", List.of(), "front");
        pod(db, "db", List.of(), "front");
        assertThat(digShort(db, "@10.91.0.1", "web")).isEqualTo(ipv4(w, "front"));

        pod(web, "web", List.of(), "other"); // disconnect from front, connect to other
        assertThat(dig(db, "@10.91.0.1", "web")).contains("status: NXDOMAIN");
        assertThat(dig(web, "@10.93.0.1", "web")).contains("ANSWER SECTION");

        pod(web, "web", List.of(), "other", "front"); // connect again
        assertThat(digShort(db, "@10.91.0.1", "web")).isEqualTo(ipv4(w, "front"));

        node.engine.teardown(web);
        assertThat(dig(db, "@10.91.0.1", "web")).contains("status: NXDOMAIN");

        node.engine.teardown(db);
        assertThat(Shell.ok(Shell.in(node.sandbox.path().toString(), "ss", "-Hlnu"))).doesNotContain("10.91.0.1:53", "10.93.0.1:53");
    }

    @Test
    void queriesInFlightAreAnsweredWhileRecordsChange() throws Exception {
        String web = node.newPod();
        String db = node.newPod();
        String churn = node.newPod();
        PodResult w = pod(web, "web", List.of(), "front");
        pod(db, "db", List.of(), "front");
        InetAddress expected = IpAddresses.parse(ipv4(w, "front"));

        java.util.concurrent.atomic.AtomicBoolean churning = new java.util.concurrent.atomic.AtomicBoolean(true);
        CompletableFuture<int[]> asking = CompletableFuture.supplyAsync(() -> {
            try (Netns pod = NetnsManager.join(Path.of("/run/netns", ns(db)))) {
                return pod.run(() -> askWhile(churning, expected));
            }
        });
        try {
            for (int i = 0; i < 20; i++) { // connect and disconnect another pod as fast as the engine goes: 20 new tables
                pod(churn, "churn" + i, List.of(), i % 2 == 0 ? new String[] {"front"} : new String[] {"other"});
            }
        } finally {
            churning.set(false);
        }
        int[] outcome = asking.get(60, TimeUnit.SECONDS);
        assertThat(outcome[0]).as("queries asked while the records changed").isGreaterThan(100);
        assertThat(outcome[1]).as("answered with web's address").isEqualTo(outcome[0]);
        assertThat(outcome[2]).as("timed out").isZero();
    }

    /** Asks the gateway for web, one query at a time, while {@code going} (at most 100000): [asked, answered right, timed out]. */
    private static int[] askWhile(java.util.concurrent.atomic.AtomicBoolean going, InetAddress expected) throws IOException {
        int asked = 0;
        int right = 0;
        int lost = 0;
        byte[] buf = new byte[512];
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1000);
            s.connect(new InetSocketAddress("10.91.0.1", 53));
            for (; going.get() && asked < 100_000; asked++) {
                Message q = Message.newQuery(Record.newRecord(Name.fromString("web."), Type.A, DClass.IN));
                byte[] wire = q.toWire();
                s.send(new DatagramPacket(wire, wire.length));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    lost++;
                    continue;
                }
                Message a = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                if (a.getHeader().getRcode() == Rcode.NOERROR && a.getSection(Section.ANSWER).size() == 1
                        && a.getSection(Section.ANSWER).get(0).rdataToString().equals(IpAddresses.format(expected))) {
                    right++;
                }
            }
        }
        return new int[] {asked, right, lost};
    }
}
