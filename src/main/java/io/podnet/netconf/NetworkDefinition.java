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
 * @param name        network name, {@code [a-zA-Z0-9][a-zA-Z0-9_.-]*}
 * @param driver      always {@code "bridge"} for now
 * @param bridgeName  the host bridge ({@code network_interface}), 1-15 characters
 * @param subnets     the subnets in file order; empty only with {@code ipam_options.driver = "none"}
 * @param ipv6Enabled whether IPv6 subnets are allowed
 * @param internal    no route out of the network (no masquerade, no default route)
 * @param dnsEnabled  whether netavark would run a DNS server on the gateway
 * @param mtu         the {@code mtu} option, or {@code null} for the kernel default
 * @param options     all driver options as given (including {@code mtu}), sorted by key, unmodifiable
 * @param dns         the name server's settings, used when {@code dnsEnabled}
 */
public record NetworkDefinition(String name, String driver, String bridgeName, List<Subnet> subnets,
        boolean ipv6Enabled, boolean internal, boolean dnsEnabled, Integer mtu, Map<String, String> options, Dns dns) {
    public NetworkDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(bridgeName, "bridgeName");
        subnets = List.copyOf(subnets);
        options = Collections.unmodifiableMap(new TreeMap<>(options));
        dns = dns == null ? Dns.DEFAULT : dns;
    }

    /** A definition with the default name server settings. */
    public NetworkDefinition(String name, String driver, String bridgeName, List<Subnet> subnets, boolean ipv6Enabled, boolean internal,
            boolean dnsEnabled, Integer mtu, Map<String, String> options) {
        this(name, driver, bridgeName, subnets, ipv6Enabled, internal, dnsEnabled, mtu, options, Dns.DEFAULT);
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
