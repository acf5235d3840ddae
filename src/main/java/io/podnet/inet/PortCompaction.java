package io.podnet.inet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The port list as the status shows it, as Podman's seed does it
 * ({@code ocicniPortsToNetTypesPorts}): sorted by host IP text (none first), protocol name,
 * host port and container port; then a mapping that continues the previous one (same host IP and
 * protocol, next host port and next container port) is merged into it as a longer range.
 * Mappings that are already ranges merge the same way. Duplicates are kept, as in the seed.
 */
public final class PortCompaction {
    /** The seed's order: host IP as text ("" for any), protocol name, host port, container port. */
    public static final Comparator<PortMapping> ORDER = Comparator
            .comparing((PortMapping p) -> p.hostIp() == null ? "" : IpAddresses.format(p.hostIp()))
            .thenComparing(p -> p.protocol().lower())
            .thenComparingInt(PortMapping::hostPort)
            .thenComparingInt(PortMapping::containerPort);

    private PortCompaction() {
    }

    public static List<PortMapping> compact(List<PortMapping> ports) {
        List<PortMapping> sorted = new ArrayList<>(ports);
        sorted.sort(ORDER);
        List<PortMapping> out = new ArrayList<>();
        PortMapping current = null;
        for (PortMapping next : sorted) {
            if (current != null && continues(current, next)) {
                current = new PortMapping(current.hostIp(), current.hostPort(), current.containerPort(), current.protocol(),
                        current.range() + next.range());
            } else {
                if (current != null) {
                    out.add(current);
                }
                current = next;
            }
        }
        if (current != null) {
            out.add(current);
        }
        return out;
    }

    private static boolean continues(PortMapping current, PortMapping next) {
        return Objects.equals(current.hostIp(), next.hostIp())
                && current.protocol() == next.protocol()
                && next.hostPort() == current.hostPort() + current.range()
                && next.containerPort() == current.containerPort() + current.range();
    }
}
