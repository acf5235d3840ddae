package io.podnet.ports;

import io.podnet.sys.ReasonedException;

/**
 * A pod's port mappings were refused; none of them were reserved. {@link #reason()} is one of
 * {@link #CONFLICT}, {@link #DENIED}, {@link #BELOW_MINIMUM}, {@link #NOT_GRANTED}, {@link #NO_FREE_PORT} or
 * {@link #INVALID}, fit for a condition reason; the message names the port and who holds it.
 */
public class PortRefusedException extends ReasonedException {
    public static final String CONFLICT = "PortConflict";
    public static final String DENIED = "PortDenied";
    public static final String BELOW_MINIMUM = "PortBelowMinimum";
    /** Outside the ranges the node policy grants the pod's namespace (the reason the policy itself gives). */
    public static final String NOT_GRANTED = "HostPortNotGranted";
    public static final String NO_FREE_PORT = "NoFreePort";
    public static final String INVALID = "InvalidPort";

    private final int port;
    private final String holder;

    public PortRefusedException(String reason, int port, String holder, String message) {
        super(reason, message, null);
        this.port = port;
        this.holder = holder;
    }

    /** The host port refused (0 when the mapping has none, e.g. an invalid container port). */
    public int port() {
        return port;
    }

    /** The pod holding the port, "policy" for the deny list and minimum, or null. */
    public String holder() {
        return holder;
    }
}
