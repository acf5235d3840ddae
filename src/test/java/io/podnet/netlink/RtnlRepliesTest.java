package io.podnet.netlink;

import static io.podnet.netlink.FakeChannel.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;

/**
 * Decoding real kernel replies, captured once (see fixtures/capture.py and the header of each
 * fixture) and replayed through {@link RtnlClient} over a {@link FakeChannel}. No root needed.
 * The expected values were read off the same bytes independently (Python struct.unpack) and
 * from {@code ip -d link}, {@code ip addr} and {@code ip route} at capture time.
 */
class RtnlRepliesTest {
    private final FakeChannel channel = new FakeChannel();
    private final RtnlClient client = new RtnlClient(channel);

    @Test
    void linkDumpWithLinkInfoAndStats64() {
        channel.reply(fixture("getlink-dump.hex"));
        List<Link> links = client.links();

        assertThat(links).extracting(Link::name).containsExactly("lo", "br0", "pn1");
        Link lo = links.get(0);
        assertThat(lo.index()).isEqualTo(1);
        assertThat(lo.kind()).isNull(); // loopback has no IFLA_LINKINFO
        assertThat(lo.mtu()).isEqualTo(65536);
        assertThat(lo.mac()).isEqualTo(MacAddress.parse("00:00:00:00:00:00"));
        assertThat(lo.isUp()).isFalse();
        assertThat(lo.stats()).isEqualTo(new LinkStats(0, 0, 0, 0, 0, 0, 0, 0));

        Link br0 = links.get(1);
        assertThat(br0.kind()).isEqualTo("bridge");
        assertThat(br0.mac()).isEqualTo(MacAddress.parse("02:11:22:33:44:55"));
        assertThat(br0.flags()).isEqualTo(0x11043); // UP|BROADCAST|RUNNING|MULTICAST|LOWER_UP
        assertThat(br0.isUp()).isTrue();
        assertThat(br0.masterIndex()).isZero();

        Link pn1 = links.get(2);
        assertThat(pn1.index()).isEqualTo(3);
        assertThat(pn1.kind()).isEqualTo("veth");
        assertThat(pn1.mac()).isEqualTo(MacAddress.parse("02:00:00:00:00:01"));
        assertThat(pn1.mtu()).isEqualTo(1500);
        assertThat(pn1.masterIndex()).isEqualTo(2);
        assertThat(pn1.hasCarrier()).isTrue();
        assertThat(pn1.stats()).isEqualTo(new LinkStats(13, 24, 1006, 1920, 0, 0, 0, 0));
        assertThat(channel.remaining()).isZero();
    }

    @Test
    void macvlanParentAndBridgeVlanFiltering() {
        channel.reply(fixture("getlink-dump-macvlan.hex"));
        List<Link> links = client.links();
        assertThat(links).extracting(Link::name).containsExactly("lo", "br0", "pv1", "pv0", "mv0");
        Link br0 = links.get(1);
        assertThat(br0.kind()).isEqualTo("bridge");
        assertThat(br0.vlanFiltering()).isFalse();
        Link mv0 = links.get(4);
        assertThat(mv0.kind()).isEqualTo("macvlan");
        assertThat(mv0.mac()).isEqualTo(MacAddress.parse("02:00:00:00:00:07"));
        assertThat(mv0.parentIndex()).as("IFLA_LINK names pv0").isEqualTo(links.get(3).index()).isEqualTo(4);
        assertThat(links.get(3).parentIndex()).as("a veth names its peer").isEqualTo(3);
        assertThat(links.get(0).parentIndex()).isZero();
    }

    @Test
    void bridgeWithVlanFilteringOn() {
        // the same capture with br0's IFLA_BR_VLAN_FILTERING (u8, type 7, the only one in the dump) set to 1:
        // this kernel has no CONFIG_BRIDGE_VLAN_FILTERING, so it never sends a 1 itself
        List<byte[]> replies = fixture("getlink-dump-macvlan.hex");
        byte[] first = replies.get(0);
        String hex = java.util.HexFormat.of().formatHex(first);
        int at = hex.indexOf("0500070000");
        assertThat(at).isEven().isEqualTo(hex.lastIndexOf("0500070000"));
        first[at / 2 + 4] = 1;
        channel.reply(replies);
        List<Link> links = client.links();
        assertThat(links.get(1).vlanFiltering()).isTrue();
        assertThat(links).filteredOn(l -> !l.name().equals("br0")).noneMatch(Link::vlanFiltering);
    }

    @Test
    void ipv4AddressDump() {
        channel.reply(fixture("getaddr-dump-v4.hex"));
        List<Address> addresses = client.addresses(RtnlConstants.AF_INET);
        assertThat(addresses).containsExactly(
                new Address(2, RtnlConstants.AF_INET, Cidr.parse("10.89.0.1/24"), 0, RtnlConstants.IFA_F_PERMANENT));
    }

    @Test
    void ipv6AddressDumpHasOnlyIfaAddress() {
        channel.reply(fixture("getaddr-dump-v6.hex"));
        List<Address> addresses = client.addresses(RtnlConstants.AF_INET6);
        // link-local addresses the kernel made from the MACs (EUI-64), scope link (253)
        assertThat(addresses).extracting(Address::index, a -> a.cidr().toString(), Address::scope)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(2, "fe80::11:22ff:fe33:4455/64", RtnlConstants.RT_SCOPE_LINK),
                        org.assertj.core.groups.Tuple.tuple(3, "fe80::ff:fe00:1/64", RtnlConstants.RT_SCOPE_LINK));
        assertThat(addresses).allMatch(a -> (a.flags() & RtnlConstants.IFA_F_PERMANENT) != 0);
    }

    @Test
    void addressesOfOneLinkAreFilteredEvenWhenTheKernelDoesNot() {
        channel.reply(fixture("getaddr-dump-v6.hex"));
        assertThat(client.addresses(RtnlConstants.AF_INET6, 3)).extracting(a -> a.cidr().toString())
                .containsExactly("fe80::ff:fe00:1/64");
    }

    @Test
    void routeDumpOfTheMainTable() {
        channel.reply(fixture("getroute-dump-v4.hex"));
        List<Route> routes = client.routes(RtnlConstants.AF_INET);
        assertThat(routes).containsExactly(
                new Route(2, null, IpAddresses.parse("10.89.0.1"), 2, 254, RtnlConstants.RTPROT_BOOT, 0, 1, null),
                new Route(2, Cidr.parse("10.89.0.0/24"), null, 2, 254, RtnlConstants.RTPROT_KERNEL,
                        RtnlConstants.RT_SCOPE_LINK, 1, null));
        assertThat(routes.get(0).isDefault()).isTrue();
    }

    @Test
    void routeDumpOfAllTablesIncludesLocalRoutes() {
        channel.reply(fixture("getroute-dump-v4.hex"));
        List<Route> routes = client.routes(RtnlConstants.AF_INET, 0);
        assertThat(routes).hasSize(7);
        assertThat(routes).filteredOn(r -> r.table() == RtnlConstants.RT_TABLE_LOCAL)
                .extracting(r -> r.destination().toString(), Route::type)
                .contains(org.assertj.core.groups.Tuple.tuple("10.89.0.5/32", RtnlConstants.RTN_LOCAL),
                        org.assertj.core.groups.Tuple.tuple("10.89.0.255/32", RtnlConstants.RTN_BROADCAST),
                        org.assertj.core.groups.Tuple.tuple("127.0.0.0/8", RtnlConstants.RTN_LOCAL));
    }

    @Test
    void errorWithExtendedAck() {
        // RTM_NEWLINK of an unknown kind: NLMSG_ERROR, flags NLM_F_CAPPED|NLM_F_ACK_TLVS,
        // error -95, the echoed 16-byte header, then NLMSGERR_ATTR_MSG
        channel.reply(fixture("newlink-unknown-kind.hex"));
        assertThatThrownBy(() -> client.createBridge("pnx0", LinkOptions.defaults()))
                .isInstanceOfSatisfying(NetlinkException.class, e -> {
                    assertThat(e.errno()).isEqualTo(95);
                    // 95 is both EOPNOTSUPP and ENOTSUP on Linux; jnr-constants (io.podnet.sys.Errno) names it ENOTSUP
                    assertThat(e.errnoName()).isEqualTo("ENOTSUP");
                    assertThat(e.kernelMessage()).isEqualTo("Unknown device type");
                    assertThat(e.operation()).isEqualTo("RTM_NEWLINK bridge pnx0");
                    assertThat(e.getMessage()).isEqualTo(
                            "RTM_NEWLINK bridge pnx0 failed: ENOTSUP (Operation not supported): kernel says \"Unknown device type\"");
                });
        assertThat(channel.sent).hasSize(1); // no read-back after a failure
    }

    @Test
    void aDumpThatFailsEndsWithAnErrorInNlmsgDone() {
        // the kernel's reply to a strict-checked link dump filtered by ifindex: NLMSG_DONE
        // (not NLMSG_ERROR) carrying -EINVAL and an extended-ack message right after the int
        channel.reply(fixture("getlink-dump-bad-index.hex"));
        assertThatThrownBy(client::links).isInstanceOfSatisfying(NetlinkException.class, e -> {
            assertThat(e.errnoName()).isEqualTo("EINVAL");
            assertThat(e.kernelMessage()).isEqualTo("Filter by device index not supported for link dumps");
        });
    }
}
