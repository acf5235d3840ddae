package io.podnet.netconf;

import java.util.List;
import java.util.Map;

/**
 * A network pods can join, in netavark's terms: a bridge on the host side with the subnets'
 * gateways on it.
 *
 * @param bridgeName the host bridge (netavark's network_interface)
 * @param internal no default route and no masquerade towards the outside
 * @param mtu null for the kernel's default
 */
public record NetworkDefinition(String name, String driver, String bridgeName, List<Subnet> subnets, boolean ipv6Enabled,
        boolean internal, boolean dnsEnabled, Integer mtu, Map<String, String> options) {
    public NetworkDefinition {
        subnets = List.copyOf(subnets);
        options = Map.copyOf(options);
    }
}
