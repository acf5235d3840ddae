package io.podnet.netconf;

import java.net.InetAddress;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A validated network definition (netavark's network JSON, reduced to what podnet uses).
 *
 * @param name           network name, {@code [a-zA-Z0-9][a-zA-Z0-9_.-]*}
 * @param driver         {@link #BRIDGE}, {@link #MACVLAN} or {@link #IPVLAN}
 * @param bridgeName     {@code network_interface}: for a bridge network the host bridge (1-15
 *                       characters); for macvlan and ipvlan the parent link on the host, or ""
 *                       for the link of the host's default route (see {@link #parent()})
 * @param subnets        the subnets in file order; empty only with {@code ipam_options.driver = "none"}
 * @param ipv6Enabled    whether IPv6 subnets are allowed
 * @param internal       no route out of the network (no masquerade, no default route)
 * @param dnsEnabled     whether netavark would run a DNS server on the gateway (bridge networks only)
 * @param mtu            the {@code mtu} option, or {@code null} for the kernel default
 * @param options        all driver options as given (including {@code mtu}), sorted by key, unmodifiable
 * @param metric         the {@code metric} option: the metric of the pods' default routes, or null
 *                       for podnet's default (100 for a pod's first network, one more for each next)
 * @param noDefaultRoute the {@code no_default_route} option: pods get no default route through it
 * @param isolate        the {@code isolate} option (bridge networks)
 * @param vlan           the {@code vlan} option: the VLAN id (1-4094) of the pods' bridge ports, or
 *                       null; the bridge then filters VLANs (bridge networks)
 * @param mode           the {@code mode} option of a macvlan (bridge, private, vepa, passthru) or
 *                       ipvlan (l2, l3, l3s) network with its default filled in; null for a bridge
 * @param routes         the {@code routes} added in every pod, in file order
 * @param dns            the name server's settings, used when {@code dnsEnabled}
 */
public record NetworkDefinition(String name, String driver, String bridgeName, List<Subnet> subnets,
        boolean ipv6Enabled, boolean internal, boolean dnsEnabled, Integer mtu, Map<String, String> options,
        Integer metric, boolean noDefaultRoute, Isolation isolate, Integer vlan, String mode, List<StaticRoute> routes, Dns dns) {
    public static final String BRIDGE = "bridge";
    public static final String MACVLAN = "macvlan";
    public static final String IPVLAN = "ipvlan";

    public NetworkDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(bridgeName, "bridgeName");
        subnets = List.copyOf(subnets);
        options = Collections.unmodifiableMap(new TreeMap<>(options));
        isolate = isolate == null ? Isolation.NONE : isolate;
        routes = routes == null ? List.of() : List.copyOf(routes);
        dns = dns == null ? Dns.DEFAULT : dns;
    }

    /** A bridge network with no option but {@code mtu}, and the default name server settings. */
    public static NetworkDefinition bridge(String name, String bridgeName, List<Subnet> subnets, boolean ipv6Enabled, boolean internal,
            boolean dnsEnabled, Integer mtu) {
        return new NetworkDefinition(name, BRIDGE, bridgeName, subnets, ipv6Enabled, internal, dnsEnabled, mtu,
                mtu == null ? Map.of() : Map.of("mtu", mtu.toString()), null, false, Isolation.NONE, null, null, List.of(), Dns.DEFAULT);
    }

    public boolean isBridge() {
        return BRIDGE.equals(driver);
    }

    /** The parent link of a macvlan or ipvlan network: {@code network_interface}, "" for the host's default-route link. */
    public String parent() {
        return bridgeName;
    }

    /**
     * How the network's name server answers on its gateways, as aardvark-dns does for netavark.
     *
     * @param servers  {@code network_dns_servers}: where names that are not the network's pods go; empty for the host's
     * @param bindPort {@code dns_bind_port}: the port it listens on (53 unless given)
     */
    public record Dns(List<InetAddress> servers, int bindPort) {
        public static final int DEFAULT_PORT = 53;
        public static final Dns DEFAULT = new Dns(List.of(), DEFAULT_PORT);

        public Dns {
            servers = List.copyOf(servers);
            if (bindPort < 1 || bindPort > 65535) {
                throw new IllegalArgumentException("dns bind port " + bindPort + " is out of range 1-65535");
            }
        }
    }
}
