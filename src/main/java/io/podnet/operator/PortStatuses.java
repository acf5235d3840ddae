package io.podnet.operator;

import java.util.List;

import io.podnet.api.PortStatus;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.PortCompaction;
import io.podnet.inet.PortMapping;

/** status.ports: the mappings as applied, compacted into ranges as Podman shows them. */
final class PortStatuses {
    private PortStatuses() {
    }

    static List<PortStatus> of(List<PortMapping> applied) {
        return PortCompaction.compact(applied).stream()
                .map(m -> new PortStatus(m.hostIp() == null ? null : IpAddresses.format(m.hostIp()), m.hostPort(), m.containerPort(),
                        m.protocol().lower(), m.range()))
                .toList();
    }
}
