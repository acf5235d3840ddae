package io.podnet.netlink;

import static io.podnet.netlink.RtnlConstants.*;

import java.net.InetAddress;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;

/**
 * Decodes rtnetlink replies (RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE) into {@link Link},
 * {@link Address} and {@link Route}. Attributes podnet does not use are skipped; the fixed
 * headers are read field by field at their uapi offsets.
 */
final class RtnlReplies {
    private RtnlReplies() {
    }

    /** struct ifinfomsg and the link attributes; null when the message is not RTM_NEWLINK. */
    static Link link(NetlinkDecoder.Messages m) {
        if (m.type() != RTM_NEWLINK) {
            return null;
        }
        m.requirePayload(IFINFOMSG_LEN, "struct ifinfomsg");
        int index = m.u32(4);
        int flags = m.u32(8);
        String name = null;
        MacAddress mac = null;
        int mtu = 0;
        int master = 0;
        int parent = 0;
        LinkInfo info = LinkInfo.NONE;
        LinkStats stats = null;
        NetlinkDecoder.Attributes a = m.attributes(IFINFOMSG_LEN);
        while (a.next()) {
            switch (a.type()) {
                case IFLA_IFNAME -> name = a.string();
                case IFLA_ADDRESS -> {
                    if (a.payloadLength() == 6) {
                        mac = MacAddress.of(a.bytes());
                    }
                }
                case IFLA_MTU -> mtu = a.u32();
                case IFLA_MASTER -> master = a.u32();
                case IFLA_LINK -> parent = a.u32();
                case IFLA_LINKINFO -> info = linkInfo(a.nested());
                case IFLA_STATS64 -> stats = stats(a);
                default -> {
                }
            }
        }
        if (name == null) {
            throw NetlinkDecoder.malformed("RTM_NEWLINK for ifindex " + index + " without IFLA_IFNAME");
        }
        return new Link(index, name, info.kind(), mac, mtu, flags, master, stats, parent, info.vlanFiltering());
    }

    /** What podnet reads of IFLA_LINKINFO: the kind, and for a bridge whether it filters VLANs. */
    private record LinkInfo(String kind, boolean vlanFiltering) {
        static final LinkInfo NONE = new LinkInfo(null, false);
    }

    private static LinkInfo linkInfo(NetlinkDecoder.Attributes info) {
        String kind = null;
        boolean vlanFiltering = false;
        while (info.next()) {
            if (info.type() == IFLA_INFO_KIND) {
                kind = info.string();
            } else if (info.type() == IFLA_INFO_DATA && "bridge".equals(kind)) {
                // the kernel sends the kind before the data
                NetlinkDecoder.Attributes data = info.nested();
                while (data.next()) {
                    if (data.type() == IFLA_BR_VLAN_FILTERING) {
                        vlanFiltering = data.u8() != 0;
                    }
                }
            }
        }
        return new LinkInfo(kind, vlanFiltering);
    }

    private static LinkStats stats(NetlinkDecoder.Attributes a) {
        if (a.payloadLength() < LINK_STATS64_MIN_LEN) {
            throw NetlinkDecoder.malformed("IFLA_STATS64 of " + a.payloadLength() + " bytes");
        }
        // struct rtnl_link_stats64 opens with rx_packets, tx_packets, rx_bytes, tx_bytes,
        // rx_errors, tx_errors, rx_dropped, tx_dropped (u64 each)
        return new LinkStats(a.u64At(0), a.u64At(1), a.u64At(2), a.u64At(3), a.u64At(4), a.u64At(5), a.u64At(6),
                a.u64At(7));
    }

    /** struct ifaddrmsg and the address attributes; null when the message is not RTM_NEWADDR. */
    static Address address(NetlinkDecoder.Messages m) {
        if (m.type() != RTM_NEWADDR) {
            return null;
        }
        m.requirePayload(IFADDRMSG_LEN, "struct ifaddrmsg");
        int family = m.u8(0);
        int prefix = m.u8(1);
        int flags = m.u8(2);
        int scope = m.u8(3);
        int index = m.u32(4);
        byte[] local = null;
        byte[] address = null;
        NetlinkDecoder.Attributes a = m.attributes(IFADDRMSG_LEN);
        while (a.next()) {
            switch (a.type()) {
                case IFA_LOCAL -> local = a.bytes();
                case IFA_ADDRESS -> address = a.bytes();
                case IFA_FLAGS -> flags = a.u32();
                default -> {
                }
            }
        }
        byte[] chosen = local != null ? local : address;
        if (chosen == null) {
            throw NetlinkDecoder.malformed("RTM_NEWADDR on ifindex " + index + " without IFA_LOCAL or IFA_ADDRESS");
        }
        return new Address(index, family, cidr(chosen, prefix), scope, flags);
    }

    /** struct rtmsg and the route attributes; null when the message is not an IPv4/IPv6 RTM_NEWROUTE. */
    static Route route(NetlinkDecoder.Messages m) {
        if (m.type() != RTM_NEWROUTE) {
            return null;
        }
        m.requirePayload(RTMSG_LEN, "struct rtmsg");
        int family = m.u8(0);
        if (family != AF_INET && family != AF_INET6) {
            return null; // multicast routing families (RTNL_FAMILY_IPMR ...) in an AF_UNSPEC dump
        }
        int dstLen = m.u8(1);
        int table = m.u8(4);
        int protocol = m.u8(5);
        int scope = m.u8(6);
        int type = m.u8(7);
        byte[] dst = null;
        InetAddress gateway = null;
        int oif = 0;
        Integer priority = null;
        NetlinkDecoder.Attributes a = m.attributes(RTMSG_LEN);
        while (a.next()) {
            switch (a.type()) {
                case RTA_DST -> dst = a.bytes();
                case RTA_GATEWAY -> gateway = inet(a.bytes());
                case RTA_OIF -> oif = a.u32();
                case RTA_PRIORITY -> priority = a.u32();
                case RTA_TABLE -> table = a.u32();
                case RTA_MULTIPATH -> {
                    // report the first nexthop: struct rtnexthop {u16 len; u8 flags; u8 hops; s32 ifindex} + attributes
                    if (gateway == null && oif == 0 && a.payloadLength() >= RTNH_LEN) {
                        int rtnhLen = a.u16();
                        oif = a.s32At(4);
                        if (rtnhLen > RTNH_LEN && rtnhLen <= a.payloadLength()) {
                            NetlinkDecoder.Attributes nh = new NetlinkDecoder.Attributes(m.buffer(),
                                    a.payloadOffset() + RTNH_LEN, a.payloadOffset() + rtnhLen);
                            while (nh.next()) {
                                if (nh.type() == RTA_GATEWAY) {
                                    gateway = inet(nh.bytes());
                                }
                            }
                        }
                    }
                }
                default -> {
                }
            }
        }
        Cidr destination;
        if (dst != null) {
            destination = cidr(dst, dstLen);
        } else if (dstLen == 0) {
            destination = null;
        } else {
            throw NetlinkDecoder.malformed("RTM_NEWROUTE with dst_len " + dstLen + " but no RTA_DST");
        }
        if (gateway != null && Route.familyOf(gateway) != family) {
            gateway = null; // an IPv4 gateway on an IPv6 route arrives as RTA_VIA, never RTA_GATEWAY; be safe
        }
        return new Route(family, destination, gateway, oif, table, protocol, scope, type, priority);
    }

    private static Cidr cidr(byte[] address, int prefix) {
        return Cidr.of(inet(address), prefix);
    }

    /** The address of 4 or 16 bytes (an IPv4-mapped IPv6 address stays IPv6, as the kernel meant it). */
    static InetAddress inet(byte[] address) {
        if (address.length != 4 && address.length != 16) {
            throw NetlinkDecoder.malformed("address of " + address.length + " bytes");
        }
        return IpAddresses.of(address);
    }
}
