package io.podnet.inet;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@code range} consecutive host ports from {@code hostPort} forwarded to as many container
 * ports from {@code containerPort}, for one protocol: the one shape of a port mapping from the
 * request to nftables, the forwarder, the persisted state and the status. The record accepts any
 * numbers so that bad input can be reported; {@link #problem()} is the one rule for which ones
 * can be mapped.
 *
 * @param hostIp null for every host address; 0.0.0.0 and :: mean every address of that family
 * @param hostPort 0 to have a free one picked
 */
public record PortMapping(InetAddress hostIp, int hostPort, int containerPort, Protocol protocol, int range) {
    public PortMapping {
        Objects.requireNonNull(protocol, "protocol");
    }

    /** One mapping per protocol, as a spec entry with {@code protocol: tcp,udp} asks for. */
    public static List<PortMapping> forProtocols(InetAddress hostIp, int hostPort, int containerPort, Set<Protocol> protocols,
            int range) {
        List<PortMapping> out = new ArrayList<>();
        for (Protocol p : new TreeSet<>(protocols)) {
            out.add(new PortMapping(hostIp, hostPort, containerPort, p, range));
        }
        return out;
    }

    /** Condition reasons of {@link #problem()}: a port number itself, or the range running past 65535. */
    public static final String INVALID_PORT = "InvalidPort";
    public static final String INVALID_RANGE = "InvalidPortRange";

    /** Why the numbers cannot be mapped, as a condition reason and a message. */
    public record Problem(String reason, int port, String message) {
    }

    /**
     * The range rule: container ports 1-65535, host ports 0-65535 (0 picks a free one), at least
     * one port, and the last port of either side not past 65535.
     */
    public Optional<Problem> problem() {
        if (containerPort < 1 || containerPort > 65535) {
            return Optional.of(new Problem(INVALID_PORT, containerPort, "container port " + containerPort + " is out of range 1-65535"));
        }
        if (hostPort < 0 || hostPort > 65535) {
            return Optional.of(new Problem(INVALID_PORT, hostPort, "host port " + hostPort + " is out of range 0-65535"));
        }
        if (range < 1) {
            return Optional.of(new Problem(INVALID_RANGE, hostPort, "range " + range + " of " + describeHost() + " must be at least 1"));
        }
        if (lastContainerPort() > 65535) {
            return Optional.of(new Problem(INVALID_RANGE, containerPort,
                    "container ports " + containerPort + "-" + lastContainerPort() + " are out of range 1-65535"));
        }
        if (hostPort != 0 && lastHostPort() > 65535) {
            return Optional.of(new Problem(INVALID_RANGE, hostPort, "host ports " + hostPort + "-" + lastHostPort() + " are out of range 1-65535"));
        }
        if (hostPort == 0 && range > 65535) {
            return Optional.of(new Problem(INVALID_RANGE, 0, "range " + range + " exceeds 65535 ports"));
        }
        return Optional.empty();
    }

    /** Whether the mapping can reach {@code podIp}: any host address does, else one of the same family. */
    public boolean reaches(InetAddress podIp) {
        return hostIp == null || IpAddresses.isV4(hostIp) == IpAddresses.isV4(podIp);
    }

    /** The problem of {@link #reaches} as a message, for the rules that target one pod address. */
    public Optional<String> familyProblem(InetAddress podIp) {
        return reaches(podIp) ? Optional.empty() : Optional.of("host address " + IpAddresses.format(hostIp) + " and pod address "
                + IpAddresses.format(podIp) + " are of different families");
    }

    public int lastHostPort() {
        return hostPort + range - 1;
    }

    public int lastContainerPort() {
        return containerPort + range - 1;
    }

    public PortMapping withHostPort(int port) {
        return new PortMapping(hostIp, port, containerPort, protocol, range);
    }

    /** True when both can receive the same packet: same protocol, host addresses and host ports overlap. */
    public boolean overlaps(PortMapping other) {
        return protocol == other.protocol
                && hostPort != 0 && other.hostPort != 0
                && hostPort <= other.lastHostPort() && other.hostPort <= lastHostPort()
                && hostIpsOverlap(hostIp, other.hostIp);
    }

    /**
     * Whether two host addresses can be the same destination: null (any address) overlaps
     * everything, 0.0.0.0 every IPv4 address and :: every IPv6 address.
     */
    public static boolean hostIpsOverlap(InetAddress a, InetAddress b) {
        if (a == null || b == null) {
            return true;
        }
        if (IpAddresses.isV4(a) != IpAddresses.isV4(b)) {
            return false;
        }
        return a.isAnyLocalAddress() || b.isAnyLocalAddress() || a.equals(b);
    }

    /** "tcp/8080-8081" or "tcp/192.168.1.1:8080", for messages. */
    public String describeHost() {
        String ports = range > 1 ? hostPort + "-" + lastHostPort() : Integer.toString(hostPort);
        if (hostIp == null) {
            return protocol.lower() + "/" + ports;
        }
        String ip = IpAddresses.format(hostIp);
        return protocol.lower() + "/" + (IpAddresses.isV4(hostIp) ? ip : "[" + ip + "]") + ":" + ports;
    }
}
