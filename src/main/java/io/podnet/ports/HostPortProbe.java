package io.podnet.ports;

import java.net.InetAddress;

/**
 * Whether something on the host already listens on a port, so that a random host port does not
 * shadow it. See {@link ListeningSockets} for the implementation that reads the kernel's socket
 * tables.
 */
@FunctionalInterface
public interface HostPortProbe {
    /** Nothing listens anywhere. */
    HostPortProbe NONE = (hostIp, protocol, port) -> false;

    /** @param hostIp null for any address */
    boolean inUse(InetAddress hostIp, Protocol protocol, int port);
}
