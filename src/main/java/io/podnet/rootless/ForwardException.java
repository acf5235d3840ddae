package io.podnet.rootless;

import io.podnet.sys.ReasonedException;

/** A port forward could not be started. {@link #reason()} is a condition reason. */
public class ForwardException extends ReasonedException {
    /** The host port is taken (by another process, or another forward). */
    public static final String HOST_PORT_IN_USE = "HostPortInUse";
    /** Anything else: the address is not local, the namespace is gone ... */
    public static final String FORWARD_FAILED = "PortForwardFailed";

    public ForwardException(String reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
