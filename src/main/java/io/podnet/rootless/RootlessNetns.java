package io.podnet.rootless;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.sys.AtomicFile;
import io.podnet.sys.FileLock;

/**
 * The shared rootless network namespace of one configuration, and its lifecycle: created or
 * adopted, kept healthy, removed (the seed's GetRootlessNetNs, Do and Cleanup, with Podman 5's
 * improvements). Its parts: the helper's supervision ({@link HelperSupervisor}), the route out
 * ({@link EgressRouting}), resolv.conf ({@link RootlessResolvConf}), work inside a private mount
 * namespace ({@link PrivateMountNamespace}) and the removal of its dir ({@link RootlessDirRemoval}).
 *
 * <p>Everything lives in {@code <runDir>/rootless-<config id>/}:
 * <ul>
 * <li>{@code netns}: the namespace, an nsfs bind mount made the iproute2 way (the directory is
 * a shared bind mount of itself);</li>
 * <li>{@code helper.pid}, {@code helper.log} (and {@code pasta.log}): the helper's;</li>
 * <li>{@code resolv.conf}: shown as /etc/resolv.conf inside {@link #runInside};</li>
 * <li>{@code run/}: shown as /run inside {@link #runInside};</li>
 * <li>{@code config}: the configuration it was made from, for people.</li>
 * </ul>
 * Lifecycle operations hold {@code <runDir>/rootless-<id>.lock} (a file lock, plus an in-JVM
 * lock), so two agents or two threads never race. They must be called from a thread in the
 * agent's own namespaces (not from namespace work): they start processes.
 *
 * <p>The rootless netns reaches the outside only through the helper: tap0 has
 * {@link RootlessConfig#address()}, the default route goes via {@link RootlessConfig#gateway()},
 * and IP forwarding is on so that pods on bridges inside it are routed there. Masquerading the
 * pods' addresses is the firewall's job.
 *
 * <p>This object caches an open handle of the namespace and a netlink socket in it;
 * {@link #close()} releases them and leaves the namespace and the helper running (an agent
 * restart adopts them).
 */
public final class RootlessNetns implements AutoCloseable {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(RootlessNetns.class);
    /** What {@link #ensure()} and {@link #ensureHelper()} found and did. */
    public enum State {
        /** The namespace and its helper were there and healthy: nothing was changed. */
        RUNNING,
        /** The helper was dead (or its tap0 gone) and was started again; links inside are kept. */
        RESTARTED,
        /**
         * The namespace was created now (first use, or it had disappeared): anything that was
         * inside before (bridges, pods' veths) is gone and must be set up again.
         */
        CREATED,
        /** There is no rootless netns of this configuration and none was created. */
        ABSENT
    }

    static final String NETNS_NAME = "netns";

    private final Path runDir;
    private final RootlessConfig config;
    private final Path hostNetns;
    private final Path dir;
    private final Path netnsPath;
    private final Path lockFile;
    private final HelperSupervisor helper;

    private Netns netns;
    private RtnlClient rtnl;

    /**
     * @param runDir    the agent's run dir (e.g. /run/podnet)
     * @param config    the rootless configuration
     * @param hostNetns the namespace playing the node's host namespace, where the helper runs
     *                  (a test's sandbox), or null for the agent's own
     */
    public RootlessNetns(Path runDir, RootlessConfig config, Path hostNetns) {
        this(runDir, config, hostNetns, config.helperBinary());
    }

    /** As {@link #RootlessNetns(Path, RootlessConfig, Path)}, with the helper binary given instead of looked up on the PATH. */
    public RootlessNetns(Path runDir, RootlessConfig config, Path hostNetns, Path helperBinary) {
        this.runDir = runDir.toAbsolutePath().normalize();
        this.config = Objects.requireNonNull(config, "config");
        this.hostNetns = hostNetns == null ? null : hostNetns.toAbsolutePath().normalize();
        this.dir = this.runDir.resolve("rootless-" + config.id());
        this.netnsPath = dir.resolve(NETNS_NAME);
        this.lockFile = this.runDir.resolve("rootless-" + config.id() + ".lock");
        this.helper = new HelperSupervisor(config, dir, netnsPath, this.hostNetns, helperBinary);
    }

    public RootlessConfig config() {
        return config;
    }

    /** {@code <runDir>/rootless-<id>}. */
    public Path dir() {
        return dir;
    }

    /** The namespace file: {@code <dir>/netns}. */
    public Path netnsPath() {
        return netnsPath;
    }

    /** The resolv.conf the rootless netns uses (also for pods whose DNS goes through the helper). */
    public Path resolvConfPath() {
        return dir.resolve("resolv.conf");
    }

    /** True when the namespace file is a live namespace. */
    public boolean exists() {
        return NetnsManager.isNsfs(netnsPath);
    }

    /** The helper's pid, when it runs. */
    public OptionalInt helperPid() {
        return helper.runningPid();
    }

    /**
     * The open namespace (to create pods' veths into it, or open sockets there). Creates it on
     * first use, as {@link #ensure()}. It belongs to this object: do not close it; it is replaced
     * when the namespace is made anew (State.CREATED).
     */
    public Netns netns() {
        refuseInside();
        try (FileLock.Held h = lock()) {
            if (netns == null || !exists()) {
                checkCallerThread();
                ensureLocked(true);
            }
            return netns;
        }
    }

    /**
     * Creates the rootless netns on first use, or adopts the one that exists (after an agent
     * restart), and makes it healthy: a stale namespace file that is not nsfs (a crash, podman
     * #25144) is replaced; the helper is started when it does not run; resolv.conf is written
     * from the host's current one; the route to the outside and IP forwarding are set.
     *
     * @throws RootlessException {@code HelperMissing} when the helper is not installed, else
     *                           {@code HelperFailed} or {@code RootlessNetnsFailed}; a namespace
     *                           created by this call is removed again on failure
     */
    public State ensure() {
        checkCallerThread();
        try (FileLock.Held h = lock()) {
            return ensureLocked(true);
        }
    }

    /**
     * For every resync: as {@link #ensure()}, but when this configuration's rootless dir does not
     * exist it returns {@link State#ABSENT} and creates nothing (a caller that still has rootless
     * pods then calls {@link #ensure()} and sets them up again). A dead helper (pid file, /proc,
     * and its executable and command line checked) is restarted; a namespace that disappeared
     * while its dir stayed is made anew (CREATED).
     */
    public State ensureHelper() {
        checkCallerThread();
        try (FileLock.Held h = lock()) {
            return ensureLocked(false);
        }
    }

    private State ensureLocked(boolean create) {
        if (!create && !Files.isDirectory(dir)) {
            return State.ABSENT;
        }
        boolean created = false;
        if (!exists()) {
            closeHandles();
            createNamespace();
            created = true;
        } else if (netns == null) {
            netns = NetnsManager.join(netnsPath);
        }
        try {
            if (rtnl == null) {
                rtnl = netns.run(RtnlClient::open);
            }
            RootlessResolvConf.writeFor(config, resolvConfPath());
            Files.createDirectories(dir.resolve("run"));
            boolean restarted = helper.ensureRunning(rtnl, created);
            EgressRouting.ensure(config, netns, rtnl, netnsPath, helper::logTail);
            if (created || restarted) {
                LOG.infof("%s: %s %s (pid %s)", this, created ? "created with" : "restarted", config.helper().binary(),
                        helper.runningPid().isPresent() ? Integer.toString(helper.runningPid().getAsInt()) : "?");
            }
            return created ? State.CREATED : restarted ? State.RESTARTED : State.RUNNING;
        } catch (IOException e) {
            if (created) {
                removeLocked();
            }
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot prepare " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (created) {
                try {
                    removeLocked();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private void createNamespace() {
        // a helper still running for a namespace that is gone must not linger
        helper.stopRecorded();
        try {
            Files.createDirectories(dir);
            AtomicFile.write(dir.resolve("config"), config.canonical().getBytes(StandardCharsets.UTF_8));
            // a fresh manager: the directory may have been unmounted and removed by a cleanup
            netns = new NetnsManager(dir).createOrOpen(NETNS_NAME);
        } catch (IOException | RuntimeException e) {
            try {
                removeLocked();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new RootlessException(RootlessException.NETNS_FAILED,
                    "cannot create the rootless network namespace " + netnsPath + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ work inside

    /**
     * Runs {@code work} inside the rootless netns, in a private mount namespace where /run is
     * the rootless dir's {@code run/} and /etc/resolv.conf shows the rootless netns'
     * resolv.conf ({@link PrivateMountNamespace}), on a fresh thread that ends with the work.
     * Creates the rootless netns on first use. The lock is held meanwhile, so the rootless netns
     * cannot be removed under the work.
     *
     * <p>The work must not start threads (they would inherit both namespaces) nor call this
     * object; it may fork processes, which see the same namespaces.
     */
    public <T> T runInside(Callable<T> work) {
        refuseInside();
        try (FileLock.Held h = lock()) {
            if (netns == null || !exists()) {
                checkCallerThread();
                ensureLocked(true);
            }
            PrivateMountNamespace.Plan plan = PrivateMountNamespace.plan(runDir, dir.resolve("run"), resolvConfPath());
            return PrivateMountNamespace.run(netns.fd().fd(), netnsPath.toString(), plan, work);
        }
    }

    // ------------------------------------------------------------------ cleanup

    /**
     * Removes the rootless netns when nothing uses it any more: the helper is stopped, the
     * namespace unmounted and the directory removed. The caller counts the users (the rootless
     * PodNetworks that exist, this one excluded when it is being deleted).
     *
     * @return true when it was removed (or was not there), false when {@code users > 0}
     */
    public boolean cleanupIfUnused(int users) {
        if (users < 0) {
            throw new IllegalArgumentException("negative user count " + users);
        }
        if (users > 0) {
            return false;
        }
        checkCallerThread();
        try (FileLock.Held h = lock()) {
            removeLocked();
            return true;
        }
    }

    private void removeLocked() {
        LOG.debugf("%s: removing", this);
        RuntimeException failure = null;
        try {
            helper.stopRecorded();
        } catch (RuntimeException e) {
            failure = e;
        }
        closeHandles();
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                RootlessDirRemoval.remove(dir);
            } catch (IOException | RuntimeException e) {
                RuntimeException r = new RootlessException(RootlessException.NETNS_FAILED,
                        "cannot remove " + dir + ": " + e.getMessage(), e);
                if (failure != null) {
                    r.addSuppressed(failure);
                }
                throw r;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void closeHandles() {
        if (rtnl != null) {
            rtnl.close();
            rtnl = null;
        }
        if (netns != null) {
            netns.close();
            netns = null;
        }
    }

    /** Releases the cached handles; the namespace and the helper keep running. */
    @Override
    public void close() {
        refuseInside();
        try (FileLock.Held h = lock()) {
            closeHandles();
        }
    }

    /** Two agents or two threads never work on the same rootless netns at once. */
    private FileLock.Held lock() {
        try {
            return FileLock.acquire(lockFile);
        } catch (IOException e) {
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot lock " + lockFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Lifecycle calls start and stop processes: they must run on a thread in the agent's own
     * network and mount namespaces, or the helper would inherit a pod's.
     */
    private static void checkCallerThread() {
        refuseInside();
        for (String ns : List.of("net", "mnt")) {
            try {
                Path self = Files.readSymbolicLink(Path.of("/proc/self/ns", ns));
                Path thread = Files.readSymbolicLink(Path.of("/proc/thread-self/ns", ns));
                if (!self.equals(thread)) {
                    throw new IllegalStateException("rootless netns lifecycle called from a thread in another " + ns
                            + " namespace (" + thread + ", the agent's is " + self + "): call it from an agent thread");
                }
            } catch (IOException e) {
                throw new RootlessException(RootlessException.NETNS_FAILED, "cannot read /proc/thread-self/ns/" + ns, e);
            }
        }
    }

    /**
     * Work inside {@link #runInside} runs on another thread while the caller holds the lock:
     * calling back into this object from there would wait for ever, so it is refused.
     */
    private static void refuseInside() {
        if (PrivateMountNamespace.onInsideThread()) {
            throw new IllegalStateException("the rootless netns cannot be used from work running inside it (runInside)");
        }
    }

    @Override
    public String toString() {
        return "rootless netns " + netnsPath + " (" + config.helper().binary() + ", " + config.cidr() + ")";
    }
}
