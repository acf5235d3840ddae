package io.podnet.policy;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.PortMapping;
import io.podnet.inet.PortRange;
import io.podnet.policy.Refusal.Power;

/**
 * What one namespace may do on the node: the union of the grants that match it.
 *
 * @param grants the names of those grants, for messages
 */
public record Powers(Tenant tenant, List<String> grants, Set<NetnsJoin> netns, boolean rootful, List<PortRange> hostPorts,
        List<Cidr> hostIps) {
    public Powers {
        grants = List.copyOf(grants);
        netns = Set.copyOf(netns);
        hostPorts = List.copyOf(hostPorts);
        hostIps = List.copyOf(hostIps);
    }

    /**
     * The first power the request lacks, checked in the order the admission policy checks them:
     * rootful mode, the netns join, host ports, host addresses. A mapping's host ports must lie
     * in one granted range; a random one ({@code hostPort: 0}) needs a granted range that holds
     * {@code range} ports, and is picked there.
     */
    public Optional<Refusal> refusal(Asked asked) {
        String ns = "namespace " + tenant.name();
        if (asked.rootful() && !rootful) {
            return refuse(Power.ROOTFUL, ns + " may not use mode Rootful (use mode Rootless)");
        }
        if (asked.join() != null && !netns.contains(asked.join())) {
            return refuse(Power.NETNS_JOIN, ns + " may not use netns.type " + asked.join() + ", which joins a network namespace"
                    + " it did not create");
        }
        for (PortMapping p : asked.ports()) {
            if (!portsGranted(p)) {
                String what = p.hostPort() == 0 ? "a block of " + p.range() + " random host port" + (p.range() > 1 ? "s" : "")
                        : "host port " + p.describeHost();
                return refuse(Power.HOST_PORTS, ns + " may not use " + what + " (granted: " + listed(hostPorts) + ")");
            }
        }
        for (PortMapping p : asked.ports()) {
            if (p.hostIp() != null && hostIps.stream().noneMatch(c -> c.contains(p.hostIp()))) {
                return refuse(Power.HOST_IPS, ns + " may not use host address " + IpAddresses.format(p.hostIp()) + " (granted: "
                        + listed(hostIps) + ")");
            }
        }
        return Optional.empty();
    }

    private boolean portsGranted(PortMapping p) {
        return p.hostPort() == 0 ? hostPorts.stream().anyMatch(r -> r.size() >= p.range()) : hostPorts.stream().anyMatch(r -> r.holds(p));
    }

    private Optional<Refusal> refuse(Power power, String message) {
        return Optional.of(new Refusal(power, power.reason(), message + "; " + grantedBy()));
    }

    private String grantedBy() {
        return grants.isEmpty() ? "no grant of the node policy matches it" : "it has the node policy's grants " + grants;
    }

    private static String listed(List<?> items) {
        return items.isEmpty() ? "none" : items.stream().map(Object::toString).collect(Collectors.joining(", "));
    }
}
