package io.podnet.netconf;

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
 */
public record NetworkDefinition(String name, String driver, String bridgeName, List<Subnet> subnets,
        boolean ipv6Enabled, boolean internal, boolean dnsEnabled, Integer mtu, Map<String, String> options) {
    public NetworkDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(bridgeName, "bridgeName");
        subnets = List.copyOf(subnets);
        options = Collections.unmodifiableMap(new TreeMap<>(options));
    }
}
