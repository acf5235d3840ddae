package io.podnet.sys;

/**
 * A failure that names its reason: a short CamelCase word a Kubernetes condition shows as is
 * (HelperMissing, PortConflict, UnknownNetwork ...). The parts' own failures extend it, so the
 * reason travels one shape from where it is known to the status.
 */
public class ReasonedException extends RuntimeException {
    private final String reason;

    public ReasonedException(String reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
