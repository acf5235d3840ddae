package io.podnet.netlink;

/**
 * The numbers of netlink and rtnetlink that podnet uses, in one place. Values are those of the
 * Linux uapi headers (linux/netlink.h, linux/rtnetlink.h, linux/if_link.h, linux/if_addr.h,
 * linux/veth.h, linux/if.h); they are ABI and never change.
 */
public final class RtnlConstants {
    private RtnlConstants() {
    }

    // address families
    public static final int AF_UNSPEC = 0;
    /** PF_BRIDGE: link messages about a link as a bridge port. */
    public static final int AF_BRIDGE = 7;
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    // struct sizes (bytes)
    public static final int NLMSG_HDRLEN = 16;
    public static final int IFINFOMSG_LEN = 16;
    public static final int IFADDRMSG_LEN = 8;
    public static final int RTMSG_LEN = 12;
    public static final int NLA_HDRLEN = 4;
    public static final int NLA_ALIGNTO = 4;

    // nlmsghdr types
    public static final int NLMSG_NOOP = 1;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLMSG_OVERRUN = 4;

    // nlmsghdr flags
    public static final int NLM_F_REQUEST = 0x01;
    public static final int NLM_F_MULTI = 0x02;
    public static final int NLM_F_ACK = 0x04;
    public static final int NLM_F_ECHO = 0x08;
    public static final int NLM_F_DUMP_INTR = 0x10;
    public static final int NLM_F_DUMP_FILTERED = 0x20;
    // for GET requests
    public static final int NLM_F_ROOT = 0x100;
    public static final int NLM_F_MATCH = 0x200;
    public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
    // for NEW requests
    public static final int NLM_F_REPLACE = 0x100;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_APPEND = 0x800;
    // on NLMSG_ERROR acks
    public static final int NLM_F_CAPPED = 0x100;
    public static final int NLM_F_ACK_TLVS = 0x200;

    // extended ack attributes (after the struct nlmsgerr)
    public static final int NLMSGERR_ATTR_MSG = 1;
    public static final int NLMSGERR_ATTR_OFFS = 2;

    // attribute header flags
    public static final int NLA_F_NESTED = 0x8000;
    public static final int NLA_F_NET_BYTEORDER = 0x4000;
    public static final int NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff;

    // rtnetlink message types
    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_SETLINK = 19;
    public static final int RTM_NEWADDR = 20;
    public static final int RTM_DELADDR = 21;
    public static final int RTM_GETADDR = 22;
    public static final int RTM_NEWROUTE = 24;
    public static final int RTM_DELROUTE = 25;
    public static final int RTM_GETROUTE = 26;

    // struct ifinfomsg ifi_flags (linux/if.h)
    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_NOARP = 0x80;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_MULTICAST = 0x1000;
    public static final int IFF_LOWER_UP = 0x10000;

    // link attributes
    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_BROADCAST = 2;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_MTU = 4;
    public static final int IFLA_LINK = 5;
    public static final int IFLA_MASTER = 10;
    public static final int IFLA_PROTINFO = 12;
    public static final int IFLA_TXQLEN = 13;
    public static final int IFLA_OPERSTATE = 16;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_NET_NS_PID = 19;
    public static final int IFLA_STATS64 = 23;
    public static final int IFLA_AF_SPEC = 26;
    public static final int IFLA_NET_NS_FD = 28;
    public static final int IFLA_EXT_MASK = 29;
    public static final int IFLA_LINK_NETNSID = 37;
    public static final int IFLA_PAD = 42;

    // nested in IFLA_LINKINFO
    /** In IFLA_PROTINFO of an AF_BRIDGE message: hairpin mode of a bridge port (u8). */
    public static final int IFLA_BRPORT_MODE = 4;
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    public static final int IFLA_INFO_SLAVE_KIND = 4;

    // nested in IFLA_INFO_DATA of a veth: a struct ifinfomsg followed by the peer's attributes
    public static final int VETH_INFO_PEER = 1;

    // nested in IFLA_INFO_DATA of a macvlan (linux/if_link.h): IFLA_MACVLAN_MODE is a u32 of MACVLAN_MODE_*
    public static final int IFLA_MACVLAN_MODE = 1;
    public static final int MACVLAN_MODE_PRIVATE = 1;
    public static final int MACVLAN_MODE_VEPA = 2;
    public static final int MACVLAN_MODE_BRIDGE = 4;
    public static final int MACVLAN_MODE_PASSTHRU = 8;

    // nested in IFLA_INFO_DATA of an ipvlan: mode and flags are u16s
    public static final int IFLA_IPVLAN_MODE = 1;
    public static final int IFLA_IPVLAN_FLAGS = 2;
    public static final int IPVLAN_MODE_L2 = 0;
    public static final int IPVLAN_MODE_L3 = 1;
    public static final int IPVLAN_MODE_L3S = 2;

    // nested in IFLA_INFO_DATA of a bridge: IFLA_BR_VLAN_FILTERING is a u8
    public static final int IFLA_BR_VLAN_FILTERING = 7;

    // nested in IFLA_AF_SPEC of an AF_BRIDGE message (linux/if_bridge.h): struct bridge_vlan_info {u16 flags; u16 vid}
    public static final int IFLA_BRIDGE_VLAN_INFO = 2;
    public static final int BRIDGE_VLAN_INFO_PVID = 0x2;
    public static final int BRIDGE_VLAN_INFO_UNTAGGED = 0x4;

    /** Size of the part of struct rtnl_link_stats64 that {@link LinkStats} reads (8 u64s). */
    public static final int LINK_STATS64_MIN_LEN = 64;

    // address attributes
    public static final int IFA_ADDRESS = 1;
    public static final int IFA_LOCAL = 2;
    public static final int IFA_LABEL = 3;
    public static final int IFA_BROADCAST = 4;
    public static final int IFA_CACHEINFO = 6;
    public static final int IFA_FLAGS = 8;

    // address flags (ifa_flags, extended by IFA_FLAGS)
    public static final int IFA_F_SECONDARY = 0x01;
    public static final int IFA_F_NODAD = 0x02;
    public static final int IFA_F_OPTIMISTIC = 0x04;
    public static final int IFA_F_DADFAILED = 0x08;
    public static final int IFA_F_HOMEADDRESS = 0x10;
    public static final int IFA_F_DEPRECATED = 0x20;
    public static final int IFA_F_TENTATIVE = 0x40;
    public static final int IFA_F_PERMANENT = 0x80;
    public static final int IFA_F_MANAGETEMPADDR = 0x100;
    public static final int IFA_F_NOPREFIXROUTE = 0x200;

    // route attributes
    public static final int RTA_DST = 1;
    public static final int RTA_SRC = 2;
    public static final int RTA_IIF = 3;
    public static final int RTA_OIF = 4;
    public static final int RTA_GATEWAY = 5;
    public static final int RTA_PRIORITY = 6;
    public static final int RTA_PREFSRC = 7;
    public static final int RTA_METRICS = 8;
    public static final int RTA_MULTIPATH = 9;
    public static final int RTA_TABLE = 15;

    // struct rtnexthop (inside RTA_MULTIPATH): len u16, flags u8, hops u8, ifindex s32
    public static final int RTNH_LEN = 8;

    // routing tables
    public static final int RT_TABLE_UNSPEC = 0;
    public static final int RT_TABLE_DEFAULT = 253;
    public static final int RT_TABLE_MAIN = 254;
    public static final int RT_TABLE_LOCAL = 255;

    // route protocols (who installed it)
    public static final int RTPROT_UNSPEC = 0;
    public static final int RTPROT_KERNEL = 2;
    public static final int RTPROT_BOOT = 3;
    public static final int RTPROT_STATIC = 4;

    // scopes
    public static final int RT_SCOPE_UNIVERSE = 0;
    public static final int RT_SCOPE_SITE = 200;
    public static final int RT_SCOPE_LINK = 253;
    public static final int RT_SCOPE_HOST = 254;
    public static final int RT_SCOPE_NOWHERE = 255;

    // route types
    public static final int RTN_UNSPEC = 0;
    public static final int RTN_UNICAST = 1;
    public static final int RTN_LOCAL = 2;
    public static final int RTN_BROADCAST = 3;
    public static final int RTN_BLACKHOLE = 6;
    public static final int RTN_UNREACHABLE = 7;

    /** Longest interface name: IFNAMSIZ (16) less the terminating NUL. */
    public static final int IFNAMSIZ_MAX = 15;

    /** The name of a netlink or rtnetlink message type, for messages and errors. */
    public static String messageTypeName(int type) {
        switch (type) {
            case NLMSG_NOOP: return "NLMSG_NOOP";
            case NLMSG_ERROR: return "NLMSG_ERROR";
            case NLMSG_DONE: return "NLMSG_DONE";
            case NLMSG_OVERRUN: return "NLMSG_OVERRUN";
            case RTM_NEWLINK: return "RTM_NEWLINK";
            case RTM_DELLINK: return "RTM_DELLINK";
            case RTM_GETLINK: return "RTM_GETLINK";
            case RTM_SETLINK: return "RTM_SETLINK";
            case RTM_NEWADDR: return "RTM_NEWADDR";
            case RTM_DELADDR: return "RTM_DELADDR";
            case RTM_GETADDR: return "RTM_GETADDR";
            case RTM_NEWROUTE: return "RTM_NEWROUTE";
            case RTM_DELROUTE: return "RTM_DELROUTE";
            case RTM_GETROUTE: return "RTM_GETROUTE";
            default: return "message type " + type;
        }
    }
}
