package io.podnet.rootless;

import java.net.InetAddress;
import java.util.Objects;
import java.util.regex.Pattern;

import io.podnet.inet.IpAddresses;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;

/**
 * One rootless port mapping for {@link PortForwarder}: host ports {@code hostPort ..
 * hostPort+range-1} on {@code hostIp} in the host namespace go to {@code podPort ..} on
 * {@code podIp}, reached from inside the rootless netns.
 *
 * <p>Unlike in a bare {@link PortMapping}, a null {@code hostIp} here means every address of
 * the pod address' family only: the forwarder listens on 0.0.0.0 or ::, never on both.
 *
 * @param owner   who it belongs to (the pod's id), for {@link PortForwarder#stopOwner}
 * @param mapping the host address and ports, the pod ports ({@code containerPort}) and the
 *                protocol: TCP or UDP (SCTP cannot be proxied in user space here); host port
 *                1-65535, or 0 (with range 1) for any free port; pod port 1-65535; range at least 1
 * @param podIp   the pod's address (in the rootless netns' bridge network)
 */
public record ForwardSpec(String owner, PortMapping mapping, InetAddress podIp) {
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_./:-]{0,252}");

    public ForwardSpec {
        Objects.requireNonNull(mapping, "mapping");
        Objects.requireNonNull(podIp, "podIp");
        if (mapping.protocol() == Protocol.SCTP) {
            // the request validator refuses it first; never forward it as something else
            throw new ForwardException(ForwardException.FORWARD_FAILED,
                    "sctp host port " + mapping.hostPort() + " cannot be forwarded in user space", null);
        }
        if (owner == null || !OWNER.matcher(owner).matches()) {
            throw new IllegalArgumentException("invalid forward owner \"" + owner + "\"");
        }
        mapping.problem().ifPresent(problem -> {
            throw new IllegalArgumentException(problem.message());
        });
        mapping.familyProblem(podIp).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
        if (mapping.hostPort() == 0 && mapping.range() != 1) {
            // the forwarder picks one free port itself; a block of them is the registry's job
            throw new IllegalArgumentException("a random host port (0) cannot have a range of " + mapping.range());
        }
        if (podIp.isAnyLocalAddress() || podIp.isMulticastAddress()) {
            throw new IllegalArgumentException("pod address " + IpAddresses.format(podIp) + " cannot be connected to");
        }
    }

    public ForwardSpec(String owner, Protocol protocol, InetAddress hostIp, int hostPort, InetAddress podIp, int podPort,
            int range) {
        this(owner, new PortMapping(hostIp, hostPort, podPort, protocol, range), podIp);
    }

    public static ForwardSpec tcp(String owner, InetAddress hostIp, int hostPort, InetAddress podIp, int podPort) {
        return new ForwardSpec(owner, Protocol.TCP, hostIp, hostPort, podIp, podPort, 1);
    }

    public static ForwardSpec udp(String owner, InetAddress hostIp, int hostPort, InetAddress podIp, int podPort) {
        return new ForwardSpec(owner, Protocol.UDP, hostIp, hostPort, podIp, podPort, 1);
    }

    public Protocol protocol() {
        return mapping.protocol();
    }

    /** The address to listen on, or null for all addresses of the pod address' family. */
    public InetAddress hostIp() {
        return mapping.hostIp();
    }

    public int hostPort() {
        return mapping.hostPort();
    }

    public int podPort() {
        return mapping.containerPort();
    }

    public int range() {
        return mapping.range();
    }

    boolean podIsV6() {
        return !IpAddresses.isV4(podIp);
    }

    @Override
    public String toString() {
        int hostPort = hostPort();
        int podPort = podPort();
        int range = range();
        String host = hostIp() == null ? (podIsV6() ? "[::]" : "0.0.0.0") : fmt(hostIp());
        String ports = range == 1 ? Integer.toString(hostPort) : hostPort + "-" + (hostPort + range - 1);
        String podPorts = range == 1 ? Integer.toString(podPort) : podPort + "-" + (podPort + range - 1);
        return protocol().lower() + " " + host + ":" + ports + " -> " + fmt(podIp) + ":" + podPorts + " (" + owner + ")";
    }

    private static String fmt(InetAddress a) {
        return IpAddresses.isV4(a) ? IpAddresses.format(a) : "[" + IpAddresses.format(a) + "]";
    }
}
