package io.podnet.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;

import io.podnet.inet.Cidr;
import io.podnet.inet.PortRange;

/**
 * One grant of the node policy: the namespaces it matches (by name, {@code *} for all, or by
 * labels) and the powers it gives them. Nothing is given unless a grant says so.
 *
 * @param namespaceSelector labels a namespace must all have (equality only); empty: match by name only
 * @param netns the netns types that join an existing namespace it allows
 * @param rootful whether it allows mode Rootful
 * @param hostPorts the host ports it allows; a mapping's ports must lie in one of them
 * @param hostIps the host addresses a mapping may name in hostIP
 */
public record Grant(String name, Set<String> namespaces, Map<String, String> namespaceSelector, Set<NetnsJoin> netns, boolean rootful,
        List<PortRange> hostPorts, List<Cidr> hostIps) {
    public static final String ALL_NAMESPACES = "*";

    public Grant {
        namespaces = Set.copyOf(namespaces);
        namespaceSelector = Map.copyOf(namespaceSelector);
        netns = Set.copyOf(netns);
        hostPorts = List.copyOf(hostPorts);
        hostIps = List.copyOf(hostIps);
        if (namespaces.isEmpty() && namespaceSelector.isEmpty()) {
            throw new IllegalArgumentException("grant " + name + " matches no namespace: give namespaces or a namespaceSelector");
        }
    }

    /** Listed by name, all listed ({@code *}), or carrying every label of the selector. */
    public boolean matches(Tenant tenant) {
        if (namespaces.contains(ALL_NAMESPACES) || namespaces.contains(tenant.name())) {
            return true;
        }
        return !namespaceSelector.isEmpty()
                && namespaceSelector.entrySet().stream().allMatch(e -> e.getValue().equals(tenant.labels().get(e.getKey())));
    }
}
