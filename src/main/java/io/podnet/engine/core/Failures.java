package io.podnet.engine.core;

import io.podnet.engine.PodNetworkException;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.firewall.FirewallException;
import io.podnet.rootless.ForwardException;
import io.podnet.rootless.RootlessException;
import io.podnet.sys.NftablesException;

/**
 * The one place a kernel-side failure becomes the stage and reason a status condition shows. The
 * rootless side's failures name their own reason (HelperMissing, HostPortInUse ...); the
 * firewall's are FirewallFailed when they stop the ports; anything else is SetupFailed in the
 * stage it happened in.
 */
final class Failures {
    /** The state dir refused a write: read-only, full, or failing. Nothing of the pod is kept; a retry succeeds once it is fixed. */
    static final String STATE_WRITE_FAILED = "StateWriteFailed";

    private Failures() {
    }

    /** What the admin has to fix, in words: the state dir read-only or full, else the error as it came. */
    private static String cause(java.io.UncheckedIOException e) {
        String text = String.valueOf(e.getCause() == null ? e.getMessage() : e.getCause().getMessage()).toLowerCase();
        if (text.contains("read-only")) {
            return "the state dir is read-only";
        }
        if (text.contains("no space")) {
            return "the state dir is full";
        }
        return "the state dir refused a write";
    }

    static PodNetworkException of(Stage stage, RuntimeException e) {
        if (e instanceof PodNetworkException p) {
            return p;
        }
        if (e instanceof RootlessException r) {
            return new SetupFailedException(Stage.NETWORKS, r.reason(), r.getMessage(), r);
        }
        if (e instanceof ForwardException f) {
            return new SetupFailedException(Stage.PORTS, f.reason(), f.getMessage(), f);
        }
        if (stage == Stage.PORTS && (e instanceof FirewallException || e instanceof NftablesException)) {
            return new SetupFailedException(Stage.PORTS, "FirewallFailed", e.getMessage(), e);
        }
        if (e instanceof java.io.UncheckedIOException io) {
            return new SetupFailedException(stage, STATE_WRITE_FAILED, "cannot write the agent's state (" + cause(io) + "): " + io.getMessage(), io);
        }
        return new SetupFailedException(stage, "SetupFailed", e.getMessage(), e);
    }
}
