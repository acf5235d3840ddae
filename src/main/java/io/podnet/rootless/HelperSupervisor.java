package io.podnet.rootless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import io.podnet.netlink.RtnlClient;

/**
 * Keeps the egress helper of one rootless netns running: recognises the one its pid file names,
 * starts it ({@link Helper#egress()} knows how), restarts it when it died or its tap0 is gone,
 * and stops it.
 *
 * <p>The helper runs in the host namespace the rootless netns was given: through
 * {@code nsenter --net=<host netns>} when one is configured, else directly. It is started from
 * the calling thread, which must be in the agent's own namespaces (a process forked from a
 * thread that switched namespaces would inherit them). It runs in a session of its own
 * (setsid), so it outlives the agent and is adopted by the next one.
 */
final class HelperSupervisor {
    private final HelperLaunch at;
    private final Path hostNetns;
    private final Path binaryOverride;

    HelperSupervisor(RootlessConfig config, Path dir, Path netns, Path hostNetns, Path binaryOverride) {
        this.at = new HelperLaunch(config, dir, netns);
        this.hostNetns = hostNetns;
        this.binaryOverride = binaryOverride;
    }

    private Helper helper() {
        return at.config.helper();
    }

    /** The pid of the running helper of this rootless netns, if the pid file names one. */
    OptionalInt runningPid() {
        OptionalInt pid = at.pidFile.recorded();
        if (pid.isPresent() && HelperPidFile.isHelper(pid.getAsInt(), helper(), at.netns)) {
            return pid;
        }
        if (pid.isPresent()) {
            Reaper.reapOrphan(pid.getAsInt());
        }
        return OptionalInt.empty();
    }

    /**
     * Starts the helper unless it runs and its tap0 is there (and the namespace is not new): a
     * helper without its tap, or a tap without its helper, is replaced.
     *
     * @return true when it was (re)started
     */
    boolean ensureRunning(RtnlClient rtnl, boolean namespaceCreated) {
        OptionalInt pid = runningPid();
        boolean tap = rtnl.link(RootlessConfig.TAP).isPresent();
        if (pid.isPresent() && tap && !namespaceCreated) {
            return false;
        }
        if (pid.isPresent()) {
            Reaper.stop(pid.getAsInt());
        }
        if (tap) {
            // a tap0 whose helper is gone (slirp4netns killed while its tap fd lives in a child)
            rtnl.deleteLink(RootlessConfig.TAP);
        }
        start();
        return true;
    }

    /** Starts the helper and waits until it is ready; returns its pid. */
    int start() {
        Path binary = Binaries.helper(helper(), binaryOverride);
        List<String> prefix = new ArrayList<>();
        // its own session and process group, as the seed's Setpgid: a signal to the agent's
        // group (Ctrl-C on a terminal) does not take the helper down; a restarted agent adopts it.
        // setsid does not fork here (a child of the JVM is no group leader), so the pid stays.
        prefix.add(Binaries.tool("setsid"));
        if (hostNetns != null) {
            prefix.addAll(List.of(Binaries.tool("nsenter"), "--net=" + hostNetns, "--"));
        }
        try {
            at.pidFile.delete();
            Files.deleteIfExists(at.dir.resolve(Slirp4netns.READY_FILE));
        } catch (IOException e) {
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot prepare " + at.dir + ": " + e.getMessage(), e);
        }
        at.appendLog("starting " + helper().binary() + " for " + at.netns + (hostNetns == null ? "" : " from host netns " + hostNetns));
        return helper().egress().start(at, binary, prefix);
    }

    /** Stops the recorded helper if it is really this netns' helper; removes the pid file. */
    void stopRecorded() {
        OptionalInt pid = at.pidFile.recorded();
        if (pid.isPresent() && HelperPidFile.isHelper(pid.getAsInt(), helper(), at.netns)) {
            Reaper.stop(pid.getAsInt());
        } else if (pid.isPresent()) {
            Reaper.reapOrphan(pid.getAsInt());
        }
        try {
            at.pidFile.delete();
        } catch (IOException e) {
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot remove " + at.pidFile.path() + ": " + e.getMessage(), e);
        }
    }

    /** The last lines of the helper's logs, for error messages. */
    String logTail() {
        return at.logTail();
    }
}
