package io.podnet.firewall;

import java.util.List;
import java.util.regex.Pattern;

import io.podnet.inet.Cidr;
import io.podnet.netconf.Isolation;

/**
 * A bridge network as the firewall sees it: its subnets are pod sources (hairpin, egress
 * masquerade unless {@code internal}), the bridge gets route_localnet for 127.0.0.1 host ports,
 * and its isolation decides which other bridges its traffic may be forwarded to.
 */
public record NetworkRules(String bridge, List<Cidr> subnets, boolean internal, Isolation isolate) {
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}");

    public NetworkRules {
        if (bridge == null || !IFNAME.matcher(bridge).matches()) {
            throw new IllegalArgumentException("invalid bridge name \"" + bridge + "\"");
        }
        subnets = subnets.stream().map(Cidr::network).distinct().toList();
        isolate = isolate == null ? Isolation.NONE : isolate;
    }

    public NetworkRules(String bridge, List<Cidr> subnets, boolean internal) {
        this(bridge, subnets, internal, Isolation.NONE);
    }

    /**
     * Whether traffic between the two networks' bridges is dropped, as netavark isolates them:
     * two isolated networks never reach each other, and a strict one reaches no other network.
     * Symmetric, so no answer gets back either.
     */
    boolean isolatedFrom(NetworkRules other) {
        return !bridge.equals(other.bridge) && (isolate == Isolation.STRICT || other.isolate == Isolation.STRICT
                || (isolate.isolated() && other.isolate.isolated()));
    }

    public boolean hasV4() {
        return subnets.stream().anyMatch(Cidr::isV4);
    }

    public boolean hasV6() {
        return subnets.stream().anyMatch(c -> !c.isV4());
    }
}
