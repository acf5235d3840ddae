package io.podnet.netlink;

import static io.podnet.netlink.RtnlConstants.AF_INET;
import static io.podnet.netlink.RtnlConstants.AF_INET6;

import java.net.InetAddress;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;

/**
 * A route (RTM_NEWROUTE).
 *
 * @param family      AF_INET (2) or AF_INET6 (10)
 * @param destination the destination network, or null for the default route (0.0.0.0/0, ::/0).
 *                    Host bits are cleared when the route is sent to the kernel.
 * @param gateway     RTA_GATEWAY, or null for a route straight onto the link
 * @param outputIndex RTA_OIF, 0 for none
 * @param table       the routing table: 254 main, 255 local; above 255 sent as RTA_TABLE
 * @param protocol    who installed it: RTPROT_KERNEL 2, RTPROT_BOOT 3 (as {@code ip route add}),
 *                    RTPROT_STATIC 4 ...
 * @param scope       RT_SCOPE_UNIVERSE 0 for routes through a gateway, RT_SCOPE_LINK 253 for
 *                    on-link IPv4 routes (the kernel reports IPv6 routes as universe)
 * @param type        RTN_UNICAST 1, RTN_LOCAL 2, ...
 * @param priority    RTA_PRIORITY (the metric), or null (IPv4 default 0, IPv6 1024)
 */
public record Route(int family, Cidr destination, InetAddress gateway, int outputIndex, int table, int protocol,
        int scope, int type, Integer priority) {

    public Route {
        if (family != AF_INET && family != AF_INET6) {
            throw new IllegalArgumentException("route family must be AF_INET (2) or AF_INET6 (10), not " + family);
        }
        if (destination != null && familyOf(destination.address()) != family) {
            throw new IllegalArgumentException("destination " + destination + " is not of route family " + family);
        }
        if (gateway != null && familyOf(gateway) != family) {
            throw new IllegalArgumentException("gateway " + IpAddresses.format(gateway) + " is not of route family " + family);
        }
        if (outputIndex < 0 || table < 0 || protocol < 0 || protocol > 255 || scope < 0 || scope > 255 || type < 0
                || type > 255) {
            throw new IllegalArgumentException("invalid route field in " + fields(family, destination, gateway, outputIndex, table));
        }
        if (priority != null && priority < 0) {
            throw new IllegalArgumentException("invalid route priority " + priority);
        }
    }

    /** {@code default via GW dev OIF} in the main table. */
    public static Route defaultVia(InetAddress gateway, int outputIndex) {
        return new Route(familyOf(gateway), null, gateway, outputIndex, RtnlConstants.RT_TABLE_MAIN,
                RtnlConstants.RTPROT_BOOT, RtnlConstants.RT_SCOPE_UNIVERSE, RtnlConstants.RTN_UNICAST, null);
    }

    /** {@code DST dev OIF} (on-link, no gateway) in the main table. */
    public static Route link(Cidr destination, int outputIndex) {
        int family = familyOf(destination.address());
        return new Route(family, destination, null, outputIndex, RtnlConstants.RT_TABLE_MAIN, RtnlConstants.RTPROT_BOOT,
                family == AF_INET ? RtnlConstants.RT_SCOPE_LINK : RtnlConstants.RT_SCOPE_UNIVERSE,
                RtnlConstants.RTN_UNICAST, null);
    }

    /** {@code DST via GW [dev OIF]} in the main table; {@code outputIndex} may be 0. */
    public static Route via(Cidr destination, InetAddress gateway, int outputIndex) {
        return new Route(familyOf(gateway), destination, gateway, outputIndex, RtnlConstants.RT_TABLE_MAIN,
                RtnlConstants.RTPROT_BOOT, RtnlConstants.RT_SCOPE_UNIVERSE, RtnlConstants.RTN_UNICAST, null);
    }

    public Route withTable(int table) {
        return new Route(family, destination, gateway, outputIndex, table, protocol, scope, type, priority);
    }

    public Route withPriority(Integer priority) {
        return new Route(family, destination, gateway, outputIndex, table, protocol, scope, type, priority);
    }

    public Route withProtocol(int protocol) {
        return new Route(family, destination, gateway, outputIndex, table, protocol, scope, type, priority);
    }

    public Route withOutputIndex(int outputIndex) {
        return new Route(family, destination, gateway, outputIndex, table, protocol, scope, type, priority);
    }

    /** True for the default route (no destination, or a /0 one). */
    public boolean isDefault() {
        return destination == null || destination.prefixLength() == 0;
    }

    static int familyOf(InetAddress address) {
        return IpAddresses.isV4(address) ? AF_INET : AF_INET6;
    }

    private static String fields(int family, Cidr destination, InetAddress gateway, int oif, int table) {
        return "route family " + family + " to " + (destination == null ? "default" : destination.toString())
                + (gateway == null ? "" : " via " + IpAddresses.format(gateway)) + " oif " + oif + " table " + table;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(destination == null ? "default" : destination.toString());
        if (gateway != null) {
            sb.append(" via ").append(IpAddresses.format(gateway));
        }
        if (outputIndex != 0) {
            sb.append(" oif ").append(outputIndex);
        }
        sb.append(" table ").append(table).append(" proto ").append(protocol).append(" scope ").append(scope)
                .append(" type ").append(type);
        if (priority != null) {
            sb.append(" metric ").append(priority);
        }
        return sb.toString();
    }
}
