package io.podnet.netlink;

import static io.podnet.netlink.RtnlConstants.AF_INET;
import static io.podnet.netlink.RtnlConstants.AF_INET6;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.testing.RequiresRoot;

/**
 * RtnlClient against the real kernel. Every test works in two sandbox namespaces of its own:
 * {@code host} plays the node's namespace (bridges, host-side veths), {@code pod} a pod's. Both
 * are deleted afterwards, with everything in them, whether the test passed or not; the
 * machine's own namespace is never touched. Clients are opened inside a namespace on a
 * namespace worker thread and then used from the test thread, as the engine will.
 */
@RequiresRoot
class RtnlClientKernelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final NetnsManager manager = new NetnsManager(Path.of("/run/netns"));
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String hostName = "podnet-test-" + id + "-h";
    private final String podName = "podnet-test-" + id + "-p";
    private Netns host;
    private Netns pod;
    private RtnlClient hostClient;
    private RtnlClient podClient;

    @BeforeEach
    void sandbox() {
        host = manager.createOrOpen(hostName);
        pod = manager.createOrOpen(podName);
        hostClient = host.run(RtnlClient::open);
        podClient = pod.run(RtnlClient::open);
    }

    @AfterEach
    void cleanup() {
        // sockets and fds keep a namespace alive: close them before the files go
        for (AutoCloseable c : new AutoCloseable[] {hostClient, podClient, host, pod}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // keep cleaning up
            }
        }
        manager.delete(hostName);
        manager.delete(podName);
    }

    @Test
    void createsABridgeAndSetsMtuMacAndUp() throws Exception {
        Link created = hostClient.createBridge("br0", LinkOptions.defaults());
        assertThat(created.kind()).isEqualTo("bridge");
        assertThat(created.isUp()).isFalse();

        MacAddress mac = MacAddress.parse("02:aa:00:00:00:01");
        hostClient.setMtu(created.index(), 1400);
        hostClient.setMac(created.index(), mac);
        hostClient.setUp(created.index());

        Link read = hostClient.link("br0").orElseThrow();
        assertThat(read.index()).isEqualTo(created.index());
        assertThat(read.mtu()).isEqualTo(1400);
        assertThat(read.mac()).isEqualTo(mac);
        assertThat(read.isUp()).isTrue();
        // by index too (stats left out: they may move between two reads)
        assertThat(hostClient.link(created.index())).get().usingRecursiveComparison().ignoringFields("stats")
                .isEqualTo(read);

        JsonNode ip = ipLink(hostName, "br0");
        assertThat(ip.get("mtu").asInt()).isEqualTo(1400);
        assertThat(ip.get("address").asText()).isEqualTo("02:aa:00:00:00:01");
        assertThat(ip.get("flags").toString()).contains("\"UP\"");

        hostClient.setDown(created.index());
        assertThat(hostClient.link("br0").orElseThrow().isUp()).isFalse();
    }

    @Test
    void createsABridgeWithOptionsInOneRequest() {
        MacAddress mac = MacAddress.parse("02:aa:00:00:00:02");
        Link br = hostClient.createBridge("podnet0", new LinkOptions(1450, mac, null, true));
        assertThat(br.mtu()).isEqualTo(1450);
        assertThat(br.mac()).isEqualTo(mac);
        assertThat(br.isUp()).isTrue();
        assertThatThrownBy(() -> hostClient.createBridge("podnet0", LinkOptions.defaults()))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EEXIST"));
        assertThat(hostClient.links()).extracting(Link::name).contains("lo", "podnet0");
    }

    @Test
    void createsAVethWhosePeerIsBornInsideThePodNamespace() throws Exception {
        Link br = hostClient.createBridge("br0", LinkOptions.defaults().withUp(true));
        MacAddress podMac = MacAddress.parse("02:bb:00:00:00:05");
        Link hostEnd = hostClient.createVeth("pn" + id,
                LinkOptions.defaults().withMtu(1400).withMaster(br.index()).withUp(true),
                "eth0", LinkOptions.defaults().withMac(podMac), pod.fd());

        assertThat(hostEnd.name()).isEqualTo("pn" + id);
        assertThat(hostEnd.kind()).isEqualTo("veth");
        assertThat(hostEnd.masterIndex()).isEqualTo(br.index());
        assertThat(hostEnd.isUp()).isTrue();
        assertThat(hostEnd.mtu()).isEqualTo(1400);
        assertThat(hostClient.link("eth0")).isEmpty(); // never existed on the host side

        Link podEnd = podClient.link("eth0").orElseThrow();
        assertThat(podEnd.kind()).isEqualTo("veth");
        assertThat(podEnd.mac()).isEqualTo(podMac);
        assertThat(podEnd.mtu()).isEqualTo(1400); // inherited from the host end's options
        assertThat(podEnd.isUp()).isFalse();

        JsonNode ip = ipLink(podName, "eth0");
        assertThat(ip.get("address").asText()).isEqualTo("02:bb:00:00:00:05");
        assertThat(ip.get("mtu").asInt()).isEqualTo(1400);

        // deleting either end deletes the pair
        assertThat(hostClient.deleteLink(hostEnd.name())).isTrue();
        assertThat(podClient.link("eth0")).isEmpty();
    }

    @Test
    void enslavesAndReleasesALink() {
        Link br = hostClient.createBridge("br0", LinkOptions.defaults());
        Link veth = hostClient.createVeth("pna", LinkOptions.defaults(), "pnb", LinkOptions.defaults(), null);
        assertThat(veth.masterIndex()).isZero();
        hostClient.setMaster(veth.index(), br.index());
        assertThat(hostClient.link(veth.index()).orElseThrow().masterIndex()).isEqualTo(br.index());
        hostClient.setMaster(veth.index(), 0);
        assertThat(hostClient.link(veth.index()).orElseThrow().masterIndex()).isZero();
    }

    @Test
    void addsAndReadsBackIpv4AndIpv6Addresses() {
        Link br = hostClient.createBridge("br0", LinkOptions.defaults().withUp(true));
        Cidr v4 = Cidr.parse("10.123.0.1/24");
        Cidr v6 = Cidr.parse("fd00:123::1/64");
        hostClient.addAddress(br.index(), v4);
        hostClient.addAddress(br.index(), v6, RtnlConstants.IFA_F_NODAD);

        List<Address> mine = hostClient.addresses(0, br.index());
        assertThat(mine).extracting(Address::cidr).contains(v4, v6);
        Address a4 = hostClient.addresses(AF_INET, br.index()).get(0);
        assertThat(a4).isEqualTo(new Address(br.index(), AF_INET, v4, RtnlConstants.RT_SCOPE_UNIVERSE,
                RtnlConstants.IFA_F_PERMANENT));
        Address a6 = hostClient.addresses(AF_INET6, br.index()).stream().filter(a -> a.cidr().equals(v6)).findFirst()
                .orElseThrow();
        assertThat(a6.flags() & RtnlConstants.IFA_F_NODAD).isNotZero();
        assertThat(a6.isTentative()).isFalse();
        assertThat(hostClient.addresses(AF_INET)).extracting(Address::cidr).containsExactly(v4);

        // the kernel computed the broadcast address from the one podnet sent
        assertThat(run("ip", "-n", hostName, "-4", "-o", "addr", "show", "dev", "br0")).contains("brd 10.123.0.255");

        assertThatThrownBy(() -> hostClient.addAddress(br.index(), v4))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errno()).isEqualTo(io.podnet.sys.Errno.EEXIST);
                    assertThat(e.errnoName()).isEqualTo("EEXIST");
                    assertThat(e.getMessage()).startsWith("RTM_NEWADDR 10.123.0.1/24 on ifindex " + br.index()
                            + " failed: EEXIST");
                });

        assertThat(hostClient.deleteAddress(br.index(), v4)).isTrue();
        assertThat(hostClient.deleteAddress(br.index(), v4)).isFalse();
        assertThat(hostClient.deleteAddress(br.index(), v6)).isTrue();
        assertThat(hostClient.deleteAddress(br.index(), v6)).isFalse();
        assertThat(hostClient.addresses(0, br.index())).extracting(Address::cidr).doesNotContain(v4, v6);
    }

    @Test
    void addsReplacesAndDeletesDefaultRoutes() {
        Link eth0 = podClient.createBridge("eth0", LinkOptions.defaults().withUp(true));
        podClient.addAddress(eth0.index(), Cidr.parse("10.123.0.5/24"));
        podClient.addAddress(eth0.index(), Cidr.parse("fd00:123::5/64"), RtnlConstants.IFA_F_NODAD);

        Route v4 = Route.defaultVia(IpAddresses.parse("10.123.0.1"), eth0.index());
        podClient.addRoute(v4);
        List<Route> routes = podClient.routes(AF_INET);
        assertThat(routes).contains(v4);
        assertThat(routes).anySatisfy(r -> {
            assertThat(r.destination()).isEqualTo(Cidr.parse("10.123.0.0/24"));
            assertThat(r.protocol()).isEqualTo(RtnlConstants.RTPROT_KERNEL);
            assertThat(r.scope()).isEqualTo(RtnlConstants.RT_SCOPE_LINK);
        });
        // ip leaves "proto boot" out unless asked for details
        assertThat(run("ip", "-n", podName, "-d", "route", "show", "default")).contains("default via 10.123.0.1 dev eth0 proto boot");

        assertThatThrownBy(() -> podClient.addRoute(v4))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EEXIST"));
        Route moved = Route.defaultVia(IpAddresses.parse("10.123.0.254"), eth0.index());
        podClient.replaceRoute(moved);
        assertThat(podClient.routes(AF_INET)).filteredOn(Route::isDefault).containsExactly(moved);

        Route v6 = Route.defaultVia(IpAddresses.parse("fd00:123::1"), eth0.index());
        podClient.addRoute(v6);
        assertThat(podClient.routes(AF_INET6)).filteredOn(Route::isDefault).singleElement().satisfies(r -> {
            assertThat(r.gateway()).isEqualTo(v6.gateway());
            assertThat(r.outputIndex()).isEqualTo(eth0.index());
            assertThat(r.priority()).isEqualTo(1024); // the kernel's default IPv6 metric
        });
        assertThat(podClient.routes(0)).filteredOn(Route::isDefault).hasSize(2);

        assertThat(podClient.deleteRoute(moved)).isTrue();
        assertThat(podClient.deleteRoute(moved)).isFalse();
        assertThat(podClient.deleteRoute(v6)).isTrue();
        assertThat(podClient.deleteRoute(v6)).isFalse();
        assertThat(podClient.routes(0)).noneMatch(Route::isDefault);

        // a gateway that is not on any link is refused, with the kernel's reason
        assertThatThrownBy(() -> podClient.addRoute(Route.defaultVia(IpAddresses.parse("192.0.2.1"), eth0.index())))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errnoName()).isEqualTo("ENETUNREACH");
                    assertThat(e.kernelMessage()).isNotBlank();
                });
    }

    @Test
    void routesInAnotherTable() {
        Link eth0 = podClient.createBridge("eth0", LinkOptions.defaults().withUp(true));
        assertThat(podClient.routes(AF_INET, 1000)).isEmpty(); // the table does not exist yet
        Route r = Route.link(Cidr.parse("10.124.0.0/16"), eth0.index()).withTable(1000).withPriority(7);
        podClient.addRoute(r);
        assertThat(podClient.routes(AF_INET, 1000)).containsExactly(r);
        assertThat(podClient.routes(AF_INET)).doesNotContain(r);
        assertThat(podClient.deleteRoute(r)).isTrue();
    }

    @Test
    void deletingAMissingLinkIsFalse() {
        assertThat(hostClient.deleteLink("pnnosuch")).isFalse();
        assertThat(hostClient.deleteLink(424242)).isFalse();
        assertThat(hostClient.link("pnnosuch")).isEmpty();
        assertThat(hostClient.link(424242)).isEmpty();
    }

    @Test
    void statisticsGrowAfterTrafficAcrossTheVeth() {
        Link br = hostClient.createBridge("br0", LinkOptions.defaults().withUp(true)
                .withMac(MacAddress.parse("02:aa:00:00:00:01")));
        hostClient.addAddress(br.index(), Cidr.parse("10.123.0.1/24"));
        Link hostEnd = hostClient.createVeth("pn" + id, LinkOptions.defaults().withMaster(br.index()).withUp(true),
                "eth0", LinkOptions.defaults(), pod.fd());
        Link eth0 = podClient.link("eth0").orElseThrow();
        podClient.addAddress(eth0.index(), Cidr.parse("10.123.0.5/24"));
        podClient.setUp(eth0.index());

        LinkStats before = hostClient.link(hostEnd.index()).orElseThrow().stats();
        LinkStats podBefore = podClient.link("eth0").orElseThrow().stats();
        run("ip", "netns", "exec", hostName, "ping", "-c", "3", "-W", "1", "-i", "0.2", "10.123.0.5");
        LinkStats after = hostClient.link(hostEnd.index()).orElseThrow().stats();
        LinkStats podAfter = podClient.link("eth0").orElseThrow().stats();

        // 3 echo requests (and an ARP request) out of the host end, 3 replies back in
        assertThat(after.txPackets() - before.txPackets()).isGreaterThanOrEqualTo(3);
        assertThat(after.rxPackets() - before.rxPackets()).isGreaterThanOrEqualTo(3);
        assertThat(after.txBytes() - before.txBytes()).isGreaterThanOrEqualTo(3 * 98);
        assertThat(podAfter.rxPackets() - podBefore.rxPackets()).isGreaterThanOrEqualTo(3);
        assertThat(podAfter.txPackets() - podBefore.txPackets()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void renamesADownLink() {
        Link veth = hostClient.createVeth("pna", LinkOptions.defaults(), "pnb", LinkOptions.defaults(), null);
        hostClient.rename(veth.index(), "pnrenamed");
        assertThat(hostClient.link("pna")).isEmpty();
        assertThat(hostClient.link("pnrenamed")).get().extracting(Link::index).isEqualTo(veth.index());
        assertThatThrownBy(() -> hostClient.rename(veth.index(), "pnb"))
                .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EEXIST"));
    }

    @Test
    void renamingAnUpLinkDependsOnTheKernel() {
        Link veth = hostClient.createVeth("pna", LinkOptions.defaults().withUp(true), "pnb", LinkOptions.defaults(), null);
        String[] release = System.getProperty("os.version").split("[.-]");
        boolean liveRename = Integer.parseInt(release[0]) > 6 || (Integer.parseInt(release[0]) == 6 && Integer.parseInt(release[1]) >= 2);
        if (liveRename) { // Linux 6.2+ renames a link that is up
            hostClient.rename(veth.index(), "pnrenamed");
            assertThat(hostClient.link(veth.index()).orElseThrow().name()).isEqualTo("pnrenamed");
        } else {
            assertThatThrownBy(() -> hostClient.rename(veth.index(), "pnrenamed"))
                    .isInstanceOfSatisfying(NetlinkException.class, e -> assertThat(e.errnoName()).isEqualTo("EBUSY"));
            assertThat(hostClient.link(veth.index()).orElseThrow().name()).isEqualTo("pna");
        }
    }

    @Test
    void aVethPeerInTheSameNamespaceCanBeBroughtUpAtCreation() {
        Link veth = hostClient.createVeth("pna", LinkOptions.defaults().withUp(true), "pnb",
                LinkOptions.defaults().withUp(true), null);
        assertThat(hostClient.link("pnb").orElseThrow().isUp()).isTrue();
        assertThat(hostClient.link(veth.index()).orElseThrow().hasCarrier()).isTrue(); // both ends up
    }

    @Test
    void aVethPeerInAnotherNamespaceIsNotBroughtUpAtCreation() {
        assertThatThrownBy(() -> hostClient.createVeth("pna", LinkOptions.defaults(), "eth0",
                LinkOptions.defaults().withUp(true), pod.fd())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ENOTCONN");
        assertThat(hostClient.link("pna")).isEmpty(); // nothing was sent
    }

    @Test
    void movesALinkToAnotherNamespace() {
        hostClient.createVeth("pna", LinkOptions.defaults(), "pnb", LinkOptions.defaults().withMtu(1300), null);
        Link peer = hostClient.link("pnb").orElseThrow();
        hostClient.moveToNetns(peer.index(), pod.fd());
        assertThat(hostClient.link("pnb")).isEmpty();
        Link moved = podClient.link("pnb").orElseThrow();
        assertThat(moved.mtu()).isEqualTo(1300);
        assertThat(moved.mac()).isEqualTo(peer.mac());
        assertThat(podClient.links()).extracting(Link::name).containsExactlyInAnyOrder("lo", "pnb");
    }

    @Test
    void aClientIsUsableFromManyThreads() throws Exception {
        Link br = hostClient.createBridge("br0", LinkOptions.defaults());
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int n = t;
            threads.add(new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        Cidr c = Cidr.parse("10.125." + n + "." + (i + 1) + "/32");
                        hostClient.addAddress(br.index(), c);
                        assertThat(hostClient.link(br.index())).isPresent();
                        assertThat(hostClient.deleteAddress(br.index(), c)).isTrue();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread th : threads) {
            th.join();
        }
        assertThat(failures).isEmpty();
        assertThat(hostClient.addresses(AF_INET, br.index())).isEmpty();
    }

    private static JsonNode ipLink(String netns, String name) throws IOException {
        JsonNode all = JSON.readTree(run("ip", "-n", netns, "-j", "link", "show", "dev", name));
        assertThat(all.isArray() && all.size() == 1).as("ip -j link show %s", name).isTrue();
        return all.get(0);
    }

    private static String run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " timed out");
            }
            assertThat(p.exitValue()).as("%s said:%n%s", String.join(" ", command), out).isZero();
            return out;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
