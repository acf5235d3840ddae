package io.podnet.firewall;

import java.util.List;
import java.util.regex.Pattern;

import io.podnet.inet.Cidr;

/**
 * A bridge network as the firewall sees it: its subnets are pod sources (hairpin, egress
 * masquerade unless {@code internal}) and the bridge gets route_localnet for 127.0.0.1 host ports.
 */
public record NetworkRules(String bridge, List<Cidr> subnets, boolean internal) {
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}");

    public NetworkRules {
        if (bridge == null || !IFNAME.matcher(bridge).matches()) {
            throw new IllegalArgumentException("invalid bridge name \"" + bridge + "\"");
        }
        subnets = subnets.stream().map(Cidr::network).distinct().toList();
    }

    public boolean hasV4() {
        return subnets.stream().anyMatch(Cidr::isV4);
    }

    public boolean hasV6() {
        return subnets.stream().anyMatch(c -> !c.isV4());
    }
}
