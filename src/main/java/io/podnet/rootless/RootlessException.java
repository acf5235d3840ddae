package io.podnet.rootless;

import io.podnet.sys.ReasonedException;

/**
 * The rootless netns or its helper could not be set up. {@link #reason()} is a short
 * CamelCase word for a Kubernetes condition reason, e.g. {@code HelperMissing}.
 */
public class RootlessException extends ReasonedException {
    /** The helper binary (or nsenter/unshare) is not installed; the message names the Debian package. */
    public static final String HELPER_MISSING = "HelperMissing";
    /** The helper exited, did not become ready in time, or could not be started. */
    public static final String HELPER_FAILED = "HelperFailed";
    /** The namespace, its directory, its mounts or its links could not be made. */
    public static final String NETNS_FAILED = "RootlessNetnsFailed";

    public RootlessException(String reason, String message) {
        this(reason, message, null);
    }

    public RootlessException(String reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
