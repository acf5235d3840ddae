package io.podnet.rootless;

import java.nio.file.Path;
import java.util.List;

/** How one helper program is started and tells that it is ready; {@link Helper#egress()} picks it. */
interface EgressHelper {
    /**
     * Starts the helper for {@code at}'s namespace with {@code prefix} in front of its command
     * (its own session, and the host namespace to run in), and returns its pid once it is ready
     * and its pid file is written. The calling thread must be in the agent's own namespaces.
     *
     * @throws RootlessException {@code HelperMissing} or {@code HelperFailed}; nothing is left running then
     */
    int start(HelperLaunch at, Path binary, List<String> prefix);
}
