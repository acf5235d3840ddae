package io.podnet.firewall;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.podnet.inet.IpAddresses;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;

/**
 * One port mapping towards one pod address: a mapping with a host address of either family, or
 * none, gets a rule per pod address family it can reach (a dual-stack pod gets two).
 *
 * @param mapping the resolved mapping (host port picked); a host address of 0.0.0.0 or :: is kept
 *        as "every address" (null)
 */
public record DnatRule(PortMapping mapping, InetAddress podIp) {
    public DnatRule {
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(podIp, "podIp");
        mapping.problem().ifPresent(problem -> {
            throw new IllegalArgumentException(problem.message());
        });
        if (mapping.hostPort() == 0) {
            throw new IllegalArgumentException("the host port of " + mapping.describeHost() + " is not resolved");
        }
        mapping.familyProblem(podIp).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        InetAddress hostIp = mapping.hostIp();
        if (hostIp != null && hostIp.isAnyLocalAddress()) {
            mapping = new PortMapping(null, mapping.hostPort(), mapping.containerPort(), mapping.protocol(), mapping.range());
        }
    }

    public DnatRule(InetAddress hostIp, Protocol protocol, int hostPort, int range, InetAddress podIp, int containerPort) {
        this(new PortMapping(hostIp, hostPort, containerPort, protocol, range), podIp);
    }

    /** Null for every address of the pod address's family. */
    public InetAddress hostIp() {
        return mapping.hostIp();
    }

    public Protocol protocol() {
        return mapping.protocol();
    }

    public int hostPort() {
        return mapping.hostPort();
    }

    public int range() {
        return mapping.range();
    }

    public int containerPort() {
        return mapping.containerPort();
    }

    /**
     * The rules for a pod's resolved mappings: each mapping towards each pod address of a family
     * its host address allows (any host address: every family the pod has).
     */
    public static List<DnatRule> forMappings(List<PortMapping> resolved, List<InetAddress> podIps) {
        List<DnatRule> out = new ArrayList<>();
        for (PortMapping m : resolved) {
            for (InetAddress podIp : podIps) {
                if (m.reaches(podIp)) {
                    out.add(new DnatRule(m, podIp));
                }
            }
        }
        return out;
    }

    public boolean isV4() {
        return IpAddresses.isV4(podIp);
    }

    public int lastHostPort() {
        return mapping.lastHostPort();
    }

    /** Whether a packet could match both: towards the same address family, and the mappings overlap. */
    public boolean overlaps(DnatRule other) {
        return isV4() == other.isV4() && mapping.overlaps(other.mapping);
    }

    /** e.g. "tcp/8080-8081 -> 10.89.0.2:80-81", for messages. */
    @Override
    public String toString() {
        InetAddress hostIp = hostIp();
        String host = hostIp == null ? "" : (isV4() ? IpAddresses.format(hostIp) : "[" + IpAddresses.format(hostIp) + "]") + ":";
        String pod = isV4() ? IpAddresses.format(podIp) : "[" + IpAddresses.format(podIp) + "]";
        int range = range();
        String hp = range > 1 ? hostPort() + "-" + lastHostPort() : Integer.toString(hostPort());
        String cp = range > 1 ? containerPort() + "-" + mapping.lastContainerPort() : Integer.toString(containerPort());
        return protocol().lower() + "/" + host + hp + " -> " + pod + ":" + cp;
    }
}
