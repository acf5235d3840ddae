package io.podnet.ports;

import java.util.List;
import java.util.Set;

import io.podnet.inet.PortMapping;
import io.podnet.inet.PortRange;

/**
 * Which host ports a pod may take: none on the deny list (the node's own services), none under
 * {@code minimumPort}, and only those in {@code granted} (the ranges the node policy grants the
 * pod's namespace; every port for the node as a whole). A random host port is picked in the
 * granted ranges too.
 */
public record PortPolicy(Set<Integer> deniedPorts, int minimumPort, List<PortRange> granted) {
    /** ssh, etcd, the API server, the kubelet, kube-proxy, controller manager and scheduler. */
    public static final Set<Integer> DEFAULT_DENIED = Set.of(22, 2379, 2380, 6443, 10250, 10255, 10256, 10257, 10259);

    public PortPolicy {
        deniedPorts = Set.copyOf(deniedPorts);
        granted = List.copyOf(granted);
        if (minimumPort < 1 || minimumPort > 65535) {
            throw new IllegalArgumentException("minimum host port " + minimumPort + " is out of range 1-65535");
        }
        for (int p : deniedPorts) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("denied host port " + p + " is out of range 1-65535");
            }
        }
    }

    /** The node's rules, every port granted. */
    public PortPolicy(Set<Integer> deniedPorts, int minimumPort) {
        this(deniedPorts, minimumPort, List.of(PortRange.ALL));
    }

    /** The same node rules for a pod that may only use {@code ranges}. */
    public PortPolicy grantedOnly(List<PortRange> ranges) {
        return new PortPolicy(deniedPorts, minimumPort, ranges);
    }

    /** Whether one granted range holds all the mapping's host ports. */
    public boolean grants(PortMapping mapping) {
        return granted.stream().anyMatch(r -> r.holds(mapping));
    }

    /** The default deny list and no minimum. */
    public static PortPolicy defaults() {
        return new PortPolicy(DEFAULT_DENIED, 1);
    }

    /**
     * A deny list as configuration writes it: comma-separated ports, or {@code none} to deny
     * nothing (an empty value cannot be told from an unset one in Quarkus configuration).
     */
    public static Set<Integer> parseDenied(String text) {
        String t = text == null ? "" : text.strip();
        if (t.equals("none")) {
            return Set.of();
        }
        java.util.Set<Integer> ports = new java.util.TreeSet<>();
        for (String part : t.split(",")) {
            try {
                ports.add(Integer.parseInt(part.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("denied host ports \"" + text + "\": \"" + part.strip()
                        + "\" is not a port; write ports separated by commas, or none");
            }
        }
        return ports;
    }

    public boolean denies(int port) {
        return deniedPorts.contains(port);
    }
}
