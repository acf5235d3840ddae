package io.podnet.ports;

import io.podnet.inet.Protocol;

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

    /**
     * A probe taken from {@code snapshot} on its first question only: a pod whose random port was
     * picked before asks none, so its resync reads no socket table.
     */
    static HostPortProbe lazy(java.util.function.Supplier<HostPortProbe> snapshot) {
        return new HostPortProbe() {
            private HostPortProbe taken;

            @Override
            public boolean inUse(InetAddress hostIp, Protocol protocol, int port) {
                if (taken == null) {
                    taken = snapshot.get();
                }
                return taken.inUse(hostIp, protocol, port);
            }
        };
    }
}
