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
    private Failures() {
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
        return new SetupFailedException(stage, "SetupFailed", e.getMessage(), e);
    }
}
