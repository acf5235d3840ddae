package io.podnet.rootless;

import java.net.InetAddress;
import java.util.Objects;
import java.util.regex.Pattern;

import io.podnet.inet.IpAddresses;

/**
 * One rootless port mapping for {@link PortForwarder}: host ports {@code hostPort ..
 * hostPort+range-1} on {@code hostIp} in the host namespace go to {@code podPort ..} on
 * {@code podIp}, reached from inside the rootless netns.
 *
 * @param owner    who it belongs to (the pod's id), for {@link PortForwarder#stopOwner}
 * @param protocol TCP or UDP (SCTP cannot be proxied in user space here)
 * @param hostIp   the address to listen on, or null for all addresses of the pod address' family
 * @param hostPort 1-65535, or 0 (with range 1) for any free port
 * @param podIp    the pod's address (in the rootless netns' bridge network)
 * @param podPort  1-65535
 * @param range    how many consecutive ports, at least 1
 */
public record ForwardSpec(String owner, Protocol protocol, InetAddress hostIp, int hostPort, InetAddress podIp, int podPort,
        int range) {
    public enum Protocol {
        TCP, UDP
    }

    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_./:-]{0,252}");

    public ForwardSpec {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(podIp, "podIp");
        if (owner == null || !OWNER.matcher(owner).matches()) {
            throw new IllegalArgumentException("invalid forward owner \"" + owner + "\"");
        }
        if (range < 1) {
            throw new IllegalArgumentException("port range " + range + " must be at least 1");
        }
        if (hostPort == 0 && range != 1) {
            throw new IllegalArgumentException("a random host port (0) cannot have a range of " + range);
        }
        if (hostPort < 0 || hostPort + range - 1 > 65535) {
            throw new IllegalArgumentException("host ports " + hostPort + "+" + range + " are out of range 1-65535");
        }
        if (podPort < 1 || podPort + range - 1 > 65535) {
            throw new IllegalArgumentException("pod ports " + podPort + "+" + range + " are out of range 1-65535");
        }
        if (hostIp != null && IpAddresses.isV4(hostIp) != IpAddresses.isV4(podIp)) {
            throw new IllegalArgumentException("host address " + IpAddresses.format(hostIp) + " and pod address "
                    + IpAddresses.format(podIp) + " are of different families");
        }
        if (podIp.isAnyLocalAddress() || podIp.isMulticastAddress()) {
            throw new IllegalArgumentException("pod address " + IpAddresses.format(podIp) + " cannot be connected to");
        }
    }

    public static ForwardSpec tcp(String owner, InetAddress hostIp, int hostPort, InetAddress podIp, int podPort) {
        return new ForwardSpec(owner, Protocol.TCP, hostIp, hostPort, podIp, podPort, 1);
    }

    public static ForwardSpec udp(String owner, InetAddress hostIp, int hostPort, InetAddress podIp, int podPort) {
        return new ForwardSpec(owner, Protocol.UDP, hostIp, hostPort, podIp, podPort, 1);
    }

    boolean podIsV6() {
        return !IpAddresses.isV4(podIp);
    }

    @Override
    public String toString() {
        String host = hostIp == null ? (podIsV6() ? "[::]" : "0.0.0.0") : fmt(hostIp);
        String ports = range == 1 ? Integer.toString(hostPort) : hostPort + "-" + (hostPort + range - 1);
        String podPorts = range == 1 ? Integer.toString(podPort) : podPort + "-" + (podPort + range - 1);
        return protocol.name().toLowerCase() + " " + host + ":" + ports + " -> " + fmt(podIp) + ":" + podPorts + " (" + owner + ")";
    }

    private static String fmt(InetAddress a) {
        return IpAddresses.isV4(a) ? IpAddresses.format(a) : "[" + IpAddresses.format(a) + "]";
    }
}
