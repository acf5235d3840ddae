package io.podnet.inet;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;


/**
 * {@code range} consecutive host ports from {@code hostPort} forwarded to as many container
 * ports from {@code containerPort}, for one protocol. The record itself accepts any numbers;
 * the host port registry refuses invalid ones with reason {@code InvalidPort}.
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
