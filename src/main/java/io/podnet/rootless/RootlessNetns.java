package io.podnet.rootless;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.Callable;

import io.podnet.netlink.Link;
import io.podnet.netlink.Route;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsException;
import io.podnet.netns.NetnsManager;
import io.podnet.netns.NetnsThreads;
import io.podnet.sys.AtomicFile;
import io.podnet.sys.FileLock;
import io.podnet.sys.Sys;
import io.podnet.sys.SyscallException;

/**
 * The shared rootless network namespace of one configuration, its egress helper and its
 * private mount namespace (the seed's GetRootlessNetNs, Do and Cleanup, with Podman 5's
 * improvements).
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
    private static final ThreadLocal<Boolean> INSIDE = new ThreadLocal<>();

    private final Path runDir;
    private final RootlessConfig config;
    private final Path hostNetns;
    private final Path dir;
    private final Path netnsPath;
    private final Path lockFile;
    private final HelperProcess helper;

    private Netns netns;
    private RtnlClient rtnl;

    /**
     * @param runDir    the agent's run dir (e.g. /run/podnet)
     * @param config    the rootless configuration
     * @param hostNetns the namespace playing the node's host namespace, where the helper runs
     *                  (a test's sandbox), or null for the agent's own
     */
    public RootlessNetns(Path runDir, RootlessConfig config, Path hostNetns) {
        this(runDir, config, hostNetns, null);
    }

    /** As {@link #RootlessNetns(Path, RootlessConfig, Path)}, with the helper binary given instead of looked up on the PATH. */
    public RootlessNetns(Path runDir, RootlessConfig config, Path hostNetns, Path helperBinary) {
        this.runDir = runDir.toAbsolutePath().normalize();
        this.config = Objects.requireNonNull(config, "config");
        this.hostNetns = hostNetns == null ? null : hostNetns.toAbsolutePath().normalize();
        this.dir = this.runDir.resolve("rootless-" + config.id());
        this.netnsPath = dir.resolve(NETNS_NAME);
        this.lockFile = this.runDir.resolve("rootless-" + config.id() + ".lock");
        this.helper = new HelperProcess(config, dir, netnsPath, this.hostNetns, helperBinary);
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
            writeResolvConf();
            Files.createDirectories(dir.resolve("run"));
            boolean restarted = ensureHelperProcess(created);
            ensureRouting();
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

    private boolean ensureHelperProcess(boolean created) {
        OptionalInt pid = helper.runningPid();
        boolean tap = rtnl.link(RootlessConfig.TAP).isPresent();
        if (pid.isPresent() && tap && !created) {
            return false;
        }
        if (pid.isPresent()) {
            HelperProcess.stop(pid.getAsInt());
        }
        if (tap) {
            // a tap0 whose helper is gone (slirp4netns killed while its tap fd lives in a child)
            rtnl.deleteLink(RootlessConfig.TAP);
        }
        helper.start();
        return true;
    }

    private void ensureRouting() {
        Link lo = rtnl.link("lo").orElseThrow(() -> new RootlessException(RootlessException.NETNS_FAILED, "no lo in " + netnsPath));
        if (!lo.isUp()) {
            rtnl.setUp(lo.index());
        }
        Link tap = rtnl.link(RootlessConfig.TAP).orElseThrow(() -> new RootlessException(RootlessException.HELPER_FAILED,
                config.helper().binary() + " is running but there is no " + RootlessConfig.TAP + " in " + netnsPath
                        + "; log: " + helper.logTail()));
        if (!tap.isUp()) {
            rtnl.setUp(tap.index());
        }
        rtnl.replaceRoute(Route.defaultVia(config.gateway(), tap.index()));
        netns.run(() -> {
            writeSysctl("/proc/sys/net/ipv4/ip_forward");
            if (config.ipv6()) {
                writeSysctl("/proc/sys/net/ipv6/conf/all/forwarding");
            }
            return null;
        });
    }

    private static void writeSysctl(String path) {
        // /proc/sys/net is the namespace of the thread that opens it: this runs inside
        try {
            Files.writeString(Path.of(path), "1\n");
        } catch (IOException e) {
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot write 1 to " + path + ": " + e.getMessage(), e);
        }
    }

    private void writeResolvConf() throws IOException {
        String host;
        try {
            host = Files.readString(Path.of(ResolvConf.ETC_RESOLV_CONF), StandardCharsets.UTF_8);
        } catch (IOException e) {
            host = "";
        }
        byte[] content = ResolvConf.render(host, List.of(config.dns()), config.ipv6()).getBytes(StandardCharsets.UTF_8);
        Path target = resolvConfPath();
        if (Files.exists(target) && java.util.Arrays.equals(Files.readAllBytes(target), content)) {
            return;
        }
        AtomicFile.write(target, content);
    }

    // ------------------------------------------------------------------ work inside

    /**
     * Runs {@code work} inside the rootless netns, in a private mount namespace where /run is
     * the rootless dir's {@code run/} and /etc/resolv.conf shows the rootless netns'
     * resolv.conf, as the seed's Do(). Creates the rootless netns on first use.
     *
     * <p>The work runs on a new platform thread used for nothing else: it joins the rootless
     * netns, unshares its mount namespace (CLONE_NEWNS with CLONE_FS), turns every mount into a
     * slave (not private: mounts made in the host later, such as new netns files, still show
     * up; podman #25994), binds /run/systemd, /run/netns and the agent's run dir (when they are
     * under /run) into {@code run/}, binds resolv.conf over the path /etc/resolv.conf resolves to
     * ({@link ResolvConf#bindTarget}), with a tmpfs over /run/systemd/resolve when it leads there
     * (podman #10929), and binds {@code run/} over /run. A mount namespace cannot be left
     * reliably, so the thread ends with the work. The lock is held meanwhile, so the rootless
     * netns cannot be removed under the work.
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
            MountPlan plan = mountPlan();
            return runOnFreshThread(plan, work);
        }
    }

    /** The mounts of {@link #runInside}, worked out in the agent's own mount namespace. */
    record MountPlan(List<Path> keep, String resolvTarget, Path runDir, Path resolvConf) {
    }

    private MountPlan mountPlan() {
        List<Path> keep = new ArrayList<>();
        for (Path p : List.of(Path.of("/run/systemd"), Path.of("/run/netns"), runDir)) {
            if (p.startsWith("/run") && !p.equals(Path.of("/run")) && Files.isDirectory(p) && !keep.contains(p)) {
                keep.add(p);
            }
        }
        String target;
        try {
            target = ResolvConf.bindTarget(Path.of("/"), ResolvConf.ETC_RESOLV_CONF);
        } catch (IOException e) {
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot find where to bind resolv.conf: " + e.getMessage(), e);
        }
        return new MountPlan(keep, target, dir.resolve("run"), resolvConfPath());
    }

    private <T> T runOnFreshThread(MountPlan plan, Callable<T> work) {
        int fd = netns.fd().fd();
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            INSIDE.set(true);
            try {
                Sys.setns(fd, Sys.CLONE_NEWNET);
                try {
                    Sys.unshare(Sys.CLONE_NEWNS | Sys.CLONE_FS);
                    applyMounts(plan);
                } catch (SyscallException | IOException e) {
                    throw new RootlessException(RootlessException.NETNS_FAILED,
                            "cannot prepare the private mount namespace of " + netnsPath + ": " + e.getMessage(), e);
                }
                result[0] = work.call();
            } catch (Throwable e) {
                failure[0] = e;
            }
            // the thread ends here, with its namespaces: it is never reused
        }, "podnet-rootless-inside");
        t.setDaemon(true);
        t.start();
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                // the work is changing the kernel: wait for it, then pass the interrupt on
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Throwable e = failure[0];
        if (e == null) {
            @SuppressWarnings("unchecked")
            T value = (T) result[0];
            return value;
        }
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error err) {
            throw err;
        }
        throw new NetnsException(e.getMessage(), e);
    }

    private static void applyMounts(MountPlan plan) throws IOException {
        // slave, not private: mounts the host makes later (new netns files) still propagate in,
        // and nothing made here propagates out (podman #25994)
        Sys.mount("none", "/", null, Sys.MS_SLAVE | Sys.MS_REC, null);
        Path newRun = plan.runDir();
        for (Path keep : plan.keep()) {
            Path target = newRun.resolve(Path.of("/run").relativize(keep).toString());
            Files.createDirectories(target);
            Sys.mount(keep.toString(), target.toString(), "none", Sys.MS_BIND | Sys.MS_REC, null);
        }
        String resolv = plan.resolvTarget();
        String bindOnto = resolv;
        if (resolv.startsWith("/run/systemd/resolve/")) {
            // systemd-resolved replaces its stub file; a bind over it would vanish (podman #10929)
            Path rsr = newRun.resolve("systemd/resolve");
            Files.createDirectories(rsr);
            Sys.mount("tmpfs", rsr.toString(), "tmpfs", Sys.MS_NOEXEC | Sys.MS_NOSUID | Sys.MS_NODEV, "mode=0755");
        }
        if (resolv.startsWith("/run/")) {
            Path inNewRun = newRun.resolve(resolv.substring("/run/".length()));
            Files.createDirectories(inNewRun.getParent());
            if (!Files.exists(inNewRun, LinkOption.NOFOLLOW_LINKS)) {
                Files.createFile(inNewRun);
            }
            bindOnto = inNewRun.toString();
        }
        Sys.mount(plan.resolvConf().toString(), bindOnto, "none", Sys.MS_BIND, null);
        Sys.mount(newRun.toString(), "/run", "none", Sys.MS_BIND | Sys.MS_REC, null);
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
                Mounts.unmountAll(dir);
                deleteTree(dir);
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

    /** Removes a tree without following links or crossing into mounts (there are none left). */
    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
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
        if (Boolean.TRUE.equals(INSIDE.get())) {
            throw new IllegalStateException("the rootless netns cannot be used from work running inside it (runInside)");
        }
    }

    @Override
    public String toString() {
        return "rootless netns " + netnsPath + " (" + config.helper().binary() + ", " + config.cidr() + ")";
    }
}
