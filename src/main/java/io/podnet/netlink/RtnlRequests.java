package io.podnet.netlink;

import static io.podnet.netlink.RtnlConstants.*;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpvlanMode;
import io.podnet.inet.MacvlanMode;

/**
 * Encodes the rtnetlink requests {@link RtnlClient} sends. Pure: each method writes one
 * complete message into the encoder (call {@link NetlinkEncoder#finish()} afterwards), so the
 * bytes can be checked without a socket. Attribute order follows iproute2 ({@code ip link add},
 * {@code ip addr add}, {@code ip route add}) so a request can be compared with what {@code ip}
 * sends for the same command.
 *
 * <p>Everything that comes from a caller is checked here before it reaches the kernel:
 * interface names, families, prefix lengths.
 */
final class RtnlRequests {
    static final int NEW_FLAGS = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
    static final int REPLACE_FLAGS = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
    static final int ACK_FLAGS = NLM_F_REQUEST | NLM_F_ACK;
    static final int DUMP_FLAGS = NLM_F_REQUEST | NLM_F_DUMP;

    private RtnlRequests() {
    }

    // --- links ---

    /** RTM_GETLINK dump of all links. Under strict checking the ifinfomsg must be all zero. */
    static void dumpLinks(NetlinkEncoder e, int seq) {
        e.begin(RTM_GETLINK, DUMP_FLAGS, seq);
        ifinfomsg(e, 0, 0, 0);
    }

    /** RTM_GETLINK of one link by IFLA_IFNAME. */
    static void getLink(NetlinkEncoder e, int seq, String name) {
        checkName(name);
        e.begin(RTM_GETLINK, ACK_FLAGS, seq);
        ifinfomsg(e, 0, 0, 0);
        e.attrString(IFLA_IFNAME, name);
    }

    /** RTM_GETLINK of one link by ifindex. */
    static void getLink(NetlinkEncoder e, int seq, int index) {
        checkIndex(index);
        e.begin(RTM_GETLINK, ACK_FLAGS, seq);
        ifinfomsg(e, index, 0, 0);
    }

    /** RTM_NEWLINK of kind {@code bridge}. */
    static void newBridge(NetlinkEncoder e, int seq, String name, LinkOptions o) {
        newBridge(e, seq, name, o, false);
    }

    /**
     * RTM_NEWLINK of kind {@code bridge}, with IFLA_BR_VLAN_FILTERING on when asked (as
     * {@code ip link add NAME type bridge vlan_filtering 1}).
     */
    static void newBridge(NetlinkEncoder e, int seq, String name, LinkOptions o, boolean vlanFiltering) {
        checkName(name);
        e.begin(RTM_NEWLINK, NEW_FLAGS, seq);
        ifinfomsg(e, 0, o.up() ? IFF_UP : 0, o.up() ? IFF_UP : 0);
        linkOptions(e, o);
        e.attrString(IFLA_IFNAME, name);
        int info = e.beginNested(IFLA_LINKINFO);
        e.attrStringUnterminated(IFLA_INFO_KIND, "bridge");
        if (vlanFiltering) {
            bridgeVlanFilteringData(e, true);
        }
        e.endNested(info);
    }

    /** RTM_NEWLINK on an existing bridge turning VLAN filtering on or off ({@code ip link set NAME type bridge vlan_filtering 1}). */
    static void setBridgeVlanFiltering(NetlinkEncoder e, int seq, int index, boolean on) {
        setLink(e, seq, index, 0, 0);
        int info = e.beginNested(IFLA_LINKINFO);
        e.attrStringUnterminated(IFLA_INFO_KIND, "bridge");
        bridgeVlanFilteringData(e, on);
        e.endNested(info);
    }

    private static void bridgeVlanFilteringData(NetlinkEncoder e, boolean on) {
        int data = e.beginNested(IFLA_INFO_DATA);
        e.attrU8(IFLA_BR_VLAN_FILTERING, on ? 1 : 0);
        e.endNested(data);
    }

    /**
     * RTM_SETLINK in the bridge family with IFLA_AF_SPEC/IFLA_BRIDGE_VLAN_INFO, as
     * {@code bridge vlan add dev PORT vid VID [pvid] [untagged]}: the bridge port carries that VLAN.
     */
    static void addBridgeVlan(NetlinkEncoder e, int seq, int portIndex, int vid, boolean pvid, boolean untagged) {
        checkIndex(portIndex);
        checkVlan(vid);
        e.begin(RTM_SETLINK, ACK_FLAGS, seq);
        e.u8(AF_BRIDGE).u8(0).u16(0).u32(portIndex).u32(0).u32(0);
        int spec = e.beginNested(IFLA_AF_SPEC);
        int flags = (pvid ? BRIDGE_VLAN_INFO_PVID : 0) | (untagged ? BRIDGE_VLAN_INFO_UNTAGGED : 0);
        int info = e.beginNested(IFLA_BRIDGE_VLAN_INFO);
        e.u16(flags).u16(vid);
        e.endNested(info);
        e.endNested(spec);
    }

    /**
     * RTM_NEWLINK of kind {@code macvlan} on the parent link {@code parentIndex}, created in the
     * namespace {@code netnsFd} (as {@code ip link add link PARENT name NAME mtu M address A netns
     * NS type macvlan mode MODE}).
     */
    static void newMacvlan(NetlinkEncoder e, int seq, String name, LinkOptions o, int parentIndex, MacvlanMode mode, int netnsFd) {
        newLinkOnParent(e, seq, name, o, parentIndex, netnsFd, "macvlan", data -> data.attrU32(IFLA_MACVLAN_MODE, switch (mode) {
            case PRIVATE -> MACVLAN_MODE_PRIVATE;
            case VEPA -> MACVLAN_MODE_VEPA;
            case BRIDGE -> MACVLAN_MODE_BRIDGE;
            case PASSTHRU -> MACVLAN_MODE_PASSTHRU;
        }));
    }

    /**
     * RTM_NEWLINK of kind {@code ipvlan} on the parent link, in the namespace {@code netnsFd}. An
     * ipvlan has its parent's MAC, so {@code o} must not carry one. Mode and flags (0: bridge) as
     * {@code ip link add link PARENT name NAME netns NS type ipvlan mode MODE} sends them.
     */
    static void newIpvlan(NetlinkEncoder e, int seq, String name, LinkOptions o, int parentIndex, IpvlanMode mode, int netnsFd) {
        if (o.mac() != null) {
            throw new IllegalArgumentException("an ipvlan link has its parent's MAC address: " + name + " cannot be given " + o.mac());
        }
        newLinkOnParent(e, seq, name, o, parentIndex, netnsFd, "ipvlan", data -> {
            data.attrU16(IFLA_IPVLAN_MODE, switch (mode) {
                case L2 -> IPVLAN_MODE_L2;
                case L3 -> IPVLAN_MODE_L3;
                case L3S -> IPVLAN_MODE_L3S;
            });
            data.attrU16(IFLA_IPVLAN_FLAGS, 0);
        });
    }

    /** RTM_NEWLINK of {@code kind} on a parent link, created in another namespace, with its IFLA_INFO_DATA written by {@code data}. */
    private static void newLinkOnParent(NetlinkEncoder e, int seq, String name, LinkOptions o, int parentIndex, int netnsFd, String kind,
            java.util.function.Consumer<NetlinkEncoder> data) {
        beginLinkOnParent(e, seq, name, o, parentIndex, netnsFd);
        int info = e.beginNested(IFLA_LINKINFO);
        e.attrStringUnterminated(IFLA_INFO_KIND, kind);
        int nested = e.beginNested(IFLA_INFO_DATA);
        data.accept(e);
        e.endNested(nested);
        e.endNested(info);
    }

    private static void beginLinkOnParent(NetlinkEncoder e, int seq, String name, LinkOptions o, int parentIndex, int netnsFd) {
        checkName(name);
        checkIndex(parentIndex);
        if (o.master() != null || o.up()) {
            throw new IllegalArgumentException("link " + name + " on a parent is created down and without a master");
        }
        if (netnsFd < 0) {
            throw new IllegalArgumentException("invalid namespace fd " + netnsFd);
        }
        e.begin(RTM_NEWLINK, NEW_FLAGS, seq);
        ifinfomsg(e, 0, 0, 0);
        linkOptions(e, o);
        e.attrU32(IFLA_NET_NS_FD, netnsFd);
        e.attrU32(IFLA_LINK, parentIndex);
        e.attrString(IFLA_IFNAME, name);
    }

    /**
     * RTM_NEWLINK of kind {@code veth}: the peer is described inside
     * IFLA_LINKINFO/IFLA_INFO_DATA/VETH_INFO_PEER as a struct ifinfomsg followed by its own
     * attributes, including IFLA_NET_NS_FD so the kernel creates it directly in that namespace.
     *
     * @param peerNetnsFd the namespace fd for the peer, or -1 for the same namespace
     */
    static void newVeth(NetlinkEncoder e, int seq, String name, LinkOptions o, String peerName, LinkOptions p,
            int peerNetnsFd) {
        checkName(name);
        checkName(peerName);
        if (p.master() != null) {
            throw new IllegalArgumentException("the veth peer " + peerName
                    + " cannot be given a master at creation: enslave it afterwards from its own namespace");
        }
        e.begin(RTM_NEWLINK, NEW_FLAGS, seq);
        ifinfomsg(e, 0, o.up() ? IFF_UP : 0, o.up() ? IFF_UP : 0);
        linkOptions(e, o);
        e.attrString(IFLA_IFNAME, name);
        int info = e.beginNested(IFLA_LINKINFO);
        e.attrStringUnterminated(IFLA_INFO_KIND, "veth");
        int data = e.beginNested(IFLA_INFO_DATA);
        int peer = e.beginNested(VETH_INFO_PEER);
        ifinfomsg(e, 0, p.up() ? IFF_UP : 0, p.up() ? IFF_UP : 0);
        linkOptions(e, p);
        if (peerNetnsFd >= 0) {
            e.attrU32(IFLA_NET_NS_FD, peerNetnsFd);
        }
        e.attrString(IFLA_IFNAME, peerName);
        e.endNested(peer);
        e.endNested(data);
        e.endNested(info);
    }

    /** RTM_NEWLINK on an existing link changing only IFF_UP (as {@code ip link set X up|down}). */
    static void setUp(NetlinkEncoder e, int seq, int index, boolean up) {
        setLink(e, seq, index, up ? IFF_UP : 0, IFF_UP);
    }

    /**
     * RTM_NEWLINK without NLM_F_CREATE, ifindex 0 and IFLA_IFNAME: the kernel finds the
     * existing link by name and changes IFF_UP on it.
     */
    static void setUpByName(NetlinkEncoder e, int seq, String name, boolean up) {
        checkName(name);
        e.begin(RTM_NEWLINK, ACK_FLAGS, seq);
        ifinfomsg(e, 0, up ? IFF_UP : 0, IFF_UP);
        e.attrString(IFLA_IFNAME, name);
    }

    /** RTM_NEWLINK by IFLA_IFNAME: IFF_UP cleared and IFLA_MASTER 0, as {@code ip link set X down nomaster}. */
    static void release(NetlinkEncoder e, int seq, String name) {
        checkName(name);
        e.begin(RTM_NEWLINK, ACK_FLAGS, seq);
        ifinfomsg(e, 0, 0, IFF_UP);
        e.attrString(IFLA_IFNAME, name);
        e.attrU32(IFLA_MASTER, 0);
    }

    static void setMaster(NetlinkEncoder e, int seq, int index, int masterIndex) {
        if (masterIndex < 0) {
            throw new IllegalArgumentException("invalid master ifindex " + masterIndex);
        }
        setLink(e, seq, index, 0, 0);
        e.attrU32(IFLA_MASTER, masterIndex);
    }

    /**
     * RTM_SETLINK in the bridge family with IFLA_PROTINFO/IFLA_BRPORT_MODE, as
     * {@code bridge link set dev X hairpin on}: the bridge may send a frame back out of the port it
     * came in on, which a pod reaching its own host port (DNAT back to itself) needs.
     */
    static void setHairpin(NetlinkEncoder e, int seq, int index, boolean on) {
        checkIndex(index);
        e.begin(RTM_SETLINK, ACK_FLAGS, seq);
        e.u8(AF_BRIDGE).u8(0).u16(0).u32(index).u32(0).u32(0);
        int protinfo = e.beginNested(IFLA_PROTINFO | NLA_F_NESTED);
        e.attrU8(IFLA_BRPORT_MODE, on ? 1 : 0);
        e.endNested(protinfo);
    }

    static void setMtu(NetlinkEncoder e, int seq, int index, int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU " + mtu + " is out of range 68-65535");
        }
        setLink(e, seq, index, 0, 0);
        e.attrU32(IFLA_MTU, mtu);
    }

    static void setMac(NetlinkEncoder e, int seq, int index, byte[] mac) {
        setLink(e, seq, index, 0, 0);
        e.attrBytes(IFLA_ADDRESS, mac);
    }

    static void rename(NetlinkEncoder e, int seq, int index, String newName) {
        checkName(newName);
        setLink(e, seq, index, 0, 0);
        e.attrString(IFLA_IFNAME, newName);
    }

    static void moveToNetns(NetlinkEncoder e, int seq, int index, int netnsFd) {
        if (netnsFd < 0) {
            throw new IllegalArgumentException("invalid namespace fd " + netnsFd);
        }
        setLink(e, seq, index, 0, 0);
        e.attrU32(IFLA_NET_NS_FD, netnsFd);
    }

    static void deleteLink(NetlinkEncoder e, int seq, String name) {
        checkName(name);
        e.begin(RTM_DELLINK, ACK_FLAGS, seq);
        ifinfomsg(e, 0, 0, 0);
        e.attrString(IFLA_IFNAME, name);
    }

    static void deleteLink(NetlinkEncoder e, int seq, int index) {
        checkIndex(index);
        e.begin(RTM_DELLINK, ACK_FLAGS, seq);
        ifinfomsg(e, index, 0, 0);
    }

    private static void setLink(NetlinkEncoder e, int seq, int index, int flags, int change) {
        checkIndex(index);
        e.begin(RTM_NEWLINK, ACK_FLAGS, seq);
        ifinfomsg(e, index, flags, change);
    }

    private static void linkOptions(NetlinkEncoder e, LinkOptions o) {
        if (o.mtu() != null) {
            e.attrU32(IFLA_MTU, o.mtu());
        }
        if (o.mac() != null) {
            e.attrBytes(IFLA_ADDRESS, o.mac().bytes());
        }
        if (o.master() != null) {
            e.attrU32(IFLA_MASTER, o.master());
        }
    }

    /** struct ifinfomsg: u8 family, u8 pad, u16 type, s32 index, u32 flags, u32 change (16 bytes). */
    private static void ifinfomsg(NetlinkEncoder e, int index, int flags, int change) {
        e.u8(AF_UNSPEC).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    // --- addresses ---

    /** RTM_GETADDR dump; {@code index} 0 = all links (a non-zero index is filtered by the kernel under strict checking). */
    static void dumpAddresses(NetlinkEncoder e, int seq, int family, int index) {
        checkFamily(family, true);
        e.begin(RTM_GETADDR, DUMP_FLAGS, seq);
        ifaddrmsg(e, family, 0, 0, 0, index);
    }

    /**
     * RTM_NEWADDR: IFA_LOCAL, IFA_BROADCAST (IPv4 networks larger than /31), IFA_ADDRESS, and
     * IFA_FLAGS only when the flags do not fit the u8 ifa_flags, as iproute2 does.
     */
    static void newAddress(NetlinkEncoder e, int seq, int index, Cidr cidr, int ifaFlags) {
        checkIndex(index);
        boolean v4 = cidr.isV4();
        byte[] local = cidr.address().getAddress();
        e.begin(RTM_NEWADDR, NEW_FLAGS, seq);
        ifaddrmsg(e, v4 ? AF_INET : AF_INET6, cidr.prefixLength(), ifaFlags <= 0xff ? ifaFlags : 0,
                defaultScope(cidr.address()), index);
        e.attrBytes(IFA_LOCAL, local);
        if (v4 && cidr.prefixLength() < 31) {
            e.attrBytes(IFA_BROADCAST, cidr.lastAddress().getAddress());
        }
        e.attrBytes(IFA_ADDRESS, local);
        if (ifaFlags > 0xff) {
            e.attrU32(IFA_FLAGS, ifaFlags);
        }
    }

    /** RTM_DELADDR matching IFA_LOCAL and the prefix length. */
    static void deleteAddress(NetlinkEncoder e, int seq, int index, Cidr cidr) {
        checkIndex(index);
        byte[] local = cidr.address().getAddress();
        e.begin(RTM_DELADDR, ACK_FLAGS, seq);
        ifaddrmsg(e, cidr.isV4() ? AF_INET : AF_INET6, cidr.prefixLength(), 0, 0, index);
        e.attrBytes(IFA_LOCAL, local);
        e.attrBytes(IFA_ADDRESS, local);
    }

    /** As iproute2: loopback addresses get host scope, all others universe. */
    private static int defaultScope(InetAddress a) {
        return a.isLoopbackAddress() ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
    }

    /** struct ifaddrmsg: u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index (8 bytes). */
    private static void ifaddrmsg(NetlinkEncoder e, int family, int prefixLength, int flags, int scope, int index) {
        e.u8(family).u8(prefixLength).u8(flags).u8(scope).u32(index);
    }

    // --- routes ---

    /**
     * RTM_GETROUTE dump of one table ({@code table} 0 = all). Under strict checking the kernel
     * filters by rtm_table / RTA_TABLE itself.
     */
    static void dumpRoutes(NetlinkEncoder e, int seq, int family, int table) {
        checkFamily(family, true);
        if (table < 0) {
            throw new IllegalArgumentException("invalid routing table " + table);
        }
        e.begin(RTM_GETROUTE, DUMP_FLAGS, seq);
        rtmsg(e, family, 0, table < 256 ? table : RT_TABLE_UNSPEC, 0, 0, 0);
        if (table >= 256) {
            e.attrU32(RTA_TABLE, table);
        }
    }

    /** RTM_NEWROUTE with the given flags (create-exclusive or create-replace). */
    static void newRoute(NetlinkEncoder e, int seq, Route r, int flags) {
        e.begin(RTM_NEWROUTE, flags, seq);
        route(e, r, r.protocol(), r.scope(), r.type());
    }

    /**
     * RTM_DELROUTE. As {@code ip route del}: protocol and type 0 and scope RT_SCOPE_NOWHERE,
     * which the kernel reads as "any", so a route built with different defaults than the kernel
     * reports still matches by destination, gateway, device, table and metric.
     */
    static void deleteRoute(NetlinkEncoder e, int seq, Route r) {
        e.begin(RTM_DELROUTE, ACK_FLAGS, seq);
        route(e, r, RTPROT_UNSPEC, RT_SCOPE_NOWHERE, RTN_UNSPEC);
    }

    private static void route(NetlinkEncoder e, Route r, int protocol, int scope, int type) {
        Cidr dst = r.destination();
        int dstLen = dst == null ? 0 : dst.prefixLength();
        int table = r.table();
        rtmsg(e, r.family(), dstLen, table < 256 ? table : RT_TABLE_UNSPEC, protocol, scope, type);
        if (table >= 256) {
            e.attrU32(RTA_TABLE, table);
        }
        if (dst != null && dstLen > 0) {
            // the kernel refuses host bits past the prefix ("Invalid prefix for given prefix length")
            e.attrBytes(RTA_DST, dst.networkAddress().getAddress());
        }
        if (r.gateway() != null) {
            e.attrBytes(RTA_GATEWAY, r.gateway().getAddress());
        }
        if (r.outputIndex() != 0) {
            e.attrU32(RTA_OIF, r.outputIndex());
        }
        if (r.priority() != null) {
            e.attrU32(RTA_PRIORITY, r.priority());
        }
    }

    /**
     * struct rtmsg: u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags
     * (12 bytes).
     */
    private static void rtmsg(NetlinkEncoder e, int family, int dstLen, int table, int protocol, int scope, int type) {
        e.u8(family).u8(dstLen).u8(0).u8(0).u8(table).u8(protocol).u8(scope).u8(type).u32(0);
    }

    // --- checks ---

    /**
     * The kernel's own rule (dev_valid_name): 1-15 bytes, not "." or "..", no '/', ':' or
     * whitespace. Checked here so a bad name is an IllegalArgumentException naming it, not an
     * EINVAL from the kernel.
     */
    static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("empty interface name");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > IFNAMSIZ_MAX) {
            throw new IllegalArgumentException("interface name \"" + name + "\" is " + bytes + " bytes, over the kernel's " + IFNAMSIZ_MAX);
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("invalid interface name \"" + name + "\"");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || c == 0 || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new IllegalArgumentException("invalid interface name \"" + name + "\": no '/', ':', spaces or control characters");
            }
        }
    }

    static void checkVlan(int vid) {
        if (vid < 1 || vid > 4094) {
            throw new IllegalArgumentException("VLAN id " + vid + " is out of range 1-4094");
        }
    }

    static void checkIndex(int index) {
        if (index <= 0) {
            throw new IllegalArgumentException("invalid ifindex " + index);
        }
    }

    static void checkFamily(int family, boolean allowUnspec) {
        if (family != AF_INET && family != AF_INET6 && !(allowUnspec && family == AF_UNSPEC)) {
            throw new IllegalArgumentException("family must be " + (allowUnspec ? "0 (all), " : "") + "AF_INET (2) or AF_INET6 (10), not " + family);
        }
    }
}
