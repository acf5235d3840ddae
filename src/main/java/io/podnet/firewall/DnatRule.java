package io.podnet.firewall;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.podnet.inet.IpAddresses;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;

/**
 * Forward {@code range} host ports from {@code hostPort} to the pod's address and as many
 * container ports from {@code containerPort}.
 *
 * @param hostIp the host address the ports are reached on; null (or 0.0.0.0, ::) for every
 *        address of the pod address's family. A dual-stack pod gets one rule per address family.
 */
public record DnatRule(InetAddress hostIp, Protocol protocol, int hostPort, int range, InetAddress podIp, int containerPort) {
    public DnatRule {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(podIp, "podIp");
        if (range < 1) {
            throw new IllegalArgumentException("range " + range + " must be at least 1");
        }
        if (hostPort < 1 || hostPort + range - 1 > 65535) {
            throw new IllegalArgumentException("host ports " + hostPort + "+" + range + " are out of range 1-65535");
        }
        if (containerPort < 1 || containerPort + range - 1 > 65535) {
            throw new IllegalArgumentException("container ports " + containerPort + "+" + range + " are out of range 1-65535");
        }
        if (hostIp != null && IpAddresses.isV4(hostIp) != IpAddresses.isV4(podIp)) {
            throw new IllegalArgumentException("host address " + IpAddresses.format(hostIp) + " and pod address "
                    + IpAddresses.format(podIp) + " are of different families");
        }
        if (hostIp != null && hostIp.isAnyLocalAddress()) {
            hostIp = null;
        }
    }

    /**
     * The rules for a pod's resolved mappings: each mapping towards each pod address of a family
     * its host address allows (any host address: every family the pod has).
     */
    public static List<DnatRule> forMappings(List<PortMapping> resolved, List<InetAddress> podIps) {
        List<DnatRule> out = new ArrayList<>();
        for (PortMapping m : resolved) {
            if (m.hostPort() == 0) {
                throw new IllegalArgumentException("the host port of " + m + " is not resolved");
            }
            for (InetAddress podIp : podIps) {
                if (m.hostIp() == null || IpAddresses.isV4(m.hostIp()) == IpAddresses.isV4(podIp)) {
                    out.add(new DnatRule(m.hostIp(), m.protocol(), m.hostPort(), m.range(), podIp, m.containerPort()));
                }
            }
        }
        return out;
    }

    public boolean isV4() {
        return IpAddresses.isV4(podIp);
    }

    public int lastHostPort() {
        return hostPort + range - 1;
    }

    /** Whether a packet could match both: same family and protocol, overlapping host addresses and ports. */
    public boolean overlaps(DnatRule other) {
        return isV4() == other.isV4() && protocol == other.protocol
                && hostPort <= other.lastHostPort() && other.hostPort <= lastHostPort()
                && (hostIp == null || other.hostIp == null || hostIp.equals(other.hostIp));
    }

    /** e.g. "tcp/8080-8081 -> 10.89.0.2:80-81", for messages. */
    @Override
    public String toString() {
        String host = hostIp == null ? "" : (isV4() ? IpAddresses.format(hostIp) : "[" + IpAddresses.format(hostIp) + "]") + ":";
        String pod = isV4() ? IpAddresses.format(podIp) : "[" + IpAddresses.format(podIp) + "]";
        String hp = range > 1 ? hostPort + "-" + lastHostPort() : Integer.toString(hostPort);
        String cp = range > 1 ? containerPort + "-" + (containerPort + range - 1) : Integer.toString(containerPort);
        return protocol.lower() + "/" + host + hp + " -> " + pod + ":" + cp;
    }
}
