package io.podnet.netlink;

import io.podnet.inet.MacAddress;

/**
 * A network interface as the kernel reports it (RTM_NEWLINK).
 *
 * @param index       the ifindex (unique within its namespace only)
 * @param name        IFLA_IFNAME
 * @param kind        IFLA_INFO_KIND ("bridge", "veth", ...), or null for links without one
 *                    (loopback, physical NICs)
 * @param mac         IFLA_ADDRESS when it is a 6-byte hardware address, else null
 * @param mtu         IFLA_MTU
 * @param flags       ifi_flags (IFF_UP, IFF_LOWER_UP, ...; see {@link RtnlConstants})
 * @param masterIndex IFLA_MASTER, 0 when the link has no master
 * @param stats       IFLA_STATS64, or null when the kernel sent none
 * @param parentIndex IFLA_LINK: the link a macvlan, ipvlan or veth peer sits on (its index in the
 *                    peer's namespace), 0 when there is none
 * @param vlanFiltering a bridge's IFLA_BR_VLAN_FILTERING; false for other links
 */
public record Link(int index, String name, String kind, MacAddress mac, int mtu, int flags, int masterIndex,
        LinkStats stats, int parentIndex, boolean vlanFiltering) {

    /** Administratively up (IFF_UP). */
    public boolean isUp() {
        return (flags & RtnlConstants.IFF_UP) != 0;
    }

    /** The carrier is on (IFF_LOWER_UP): for a veth, both ends are up. */
    public boolean hasCarrier() {
        return (flags & RtnlConstants.IFF_LOWER_UP) != 0;
    }
}
