package io.podnet.firewall;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import io.podnet.inet.Cidr;
import io.podnet.inet.Protocol;
import io.podnet.netconf.Isolation;

/**
 * A bridge network as the firewall sees it: its subnets are pod sources (hairpin, egress
 * masquerade unless {@code internal}), the bridge gets route_localnet for 127.0.0.1 host ports,
 * its isolation decides which other bridges its traffic may be forwarded to, and its name
 * server's redirects take the pods' queries to port 53 of a gateway to the port it listens on.
 *
 * @param dnsRedirects gateway:53 to gateway:dns_bind_port, UDP and TCP; empty when the name
 *        server listens on 53 or the network has none
 */
public record NetworkRules(String bridge, List<Cidr> subnets, boolean internal, Isolation isolate, List<DnatRule> dnsRedirects) {
    private static final int DNS_PORT = 53;
    private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}");

    public NetworkRules {
        if (bridge == null || !IFNAME.matcher(bridge).matches()) {
            throw new IllegalArgumentException("invalid bridge name \"" + bridge + "\"");
        }
        subnets = subnets.stream().map(Cidr::network).distinct().toList();
        isolate = isolate == null ? Isolation.NONE : isolate;
        dnsRedirects = dnsRedirects == null ? List.of() : List.copyOf(dnsRedirects);
    }

    public NetworkRules(String bridge, List<Cidr> subnets, boolean internal, Isolation isolate) {
        this(bridge, subnets, internal, isolate, List.of());
    }

    public NetworkRules(String bridge, List<Cidr> subnets, boolean internal) {
        this(bridge, subnets, internal, Isolation.NONE);
    }

    /**
     * What a name server on these gateways listening on {@code port} needs so that pods can ask
     * port 53 there (as netavark redirects for aardvark-dns): nothing for port 53 itself.
     */
    public static List<DnatRule> dnsRedirects(List<InetAddress> gateways, int port) {
        if (port == DNS_PORT) {
            return List.of();
        }
        List<DnatRule> out = new ArrayList<>();
        for (InetAddress gateway : gateways) {
            for (Protocol protocol : List.of(Protocol.UDP, Protocol.TCP)) {
                out.add(new DnatRule(gateway, protocol, DNS_PORT, 1, gateway, port));
            }
        }
        return out;
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
