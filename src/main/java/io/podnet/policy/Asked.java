package io.podnet.policy;

import java.util.List;

import io.podnet.inet.PortMapping;

/**
 * What a pod request asks of the node, as far as the policy cares.
 *
 * @param join null for a namespace of its own
 * @param ports its host port mappings, host port 0 where one is to be picked
 */
public record Asked(boolean rootful, NetnsJoin join, List<PortMapping> ports) {
    public Asked {
        ports = List.copyOf(ports);
    }
}
