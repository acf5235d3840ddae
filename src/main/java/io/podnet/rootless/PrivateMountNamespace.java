package io.podnet.rootless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import io.podnet.netns.NetnsException;
import io.podnet.sys.Sys;
import io.podnet.sys.SyscallException;

/**
 * Runs work inside the rootless netns in a private mount namespace where /run is the rootless
 * dir's {@code run/} and /etc/resolv.conf shows the rootless netns' resolv.conf, as the seed's
 * Do().
 *
 * <p>The work runs on a new platform thread used for nothing else: it joins the rootless netns,
 * unshares its mount namespace (CLONE_NEWNS with CLONE_FS), turns every mount into a slave (not
 * private: mounts made in the host later, such as new netns files, still show up; podman
 * #25994), binds /run/systemd, /run/netns and the agent's run dir (when they are under /run)
 * into {@code run/}, binds resolv.conf over the path /etc/resolv.conf resolves to
 * ({@link RootlessResolvConf#bindTarget}), with a tmpfs over /run/systemd/resolve when it leads there
 * (podman #10929), and binds {@code run/} over /run. A mount namespace cannot be left reliably,
 * so the thread ends with the work.
 */
final class PrivateMountNamespace {
    private static final ThreadLocal<Boolean> INSIDE = new ThreadLocal<>();

    /** The mounts, worked out in the agent's own mount namespace. */
    record Plan(List<Path> keep, String resolvTarget, Path runDir, Path resolvConf) {
    }

    private PrivateMountNamespace() {
    }

    /** True on a thread that runs work given to {@link #run}. */
    static boolean onInsideThread() {
        return Boolean.TRUE.equals(INSIDE.get());
    }

    /**
     * @param agentRunDir  the agent's run dir, kept visible inside when it is under /run
     * @param insideRunDir what /run becomes
     * @param resolvConf   what /etc/resolv.conf shows
     */
    static Plan plan(Path agentRunDir, Path insideRunDir, Path resolvConf) {
        List<Path> keep = new ArrayList<>();
        for (Path p : List.of(Path.of("/run/systemd"), Path.of("/run/netns"), agentRunDir)) {
            if (p.startsWith("/run") && !p.equals(Path.of("/run")) && Files.isDirectory(p) && !keep.contains(p)) {
                keep.add(p);
            }
        }
        String target;
        try {
            target = RootlessResolvConf.bindTarget(Path.of("/"), RootlessResolvConf.ETC_RESOLV_CONF);
        } catch (IOException e) {
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot find where to bind resolv.conf: " + e.getMessage(), e);
        }
        return new Plan(keep, target, insideRunDir, resolvConf);
    }

    /**
     * Runs {@code work} on a fresh thread in the network namespace {@code netnsFd} and a new
     * mount namespace made from {@code plan}, and waits for it, interrupts included: the work is
     * changing the kernel.
     *
     * @param netnsName the namespace, for messages
     */
    static <T> T run(int netnsFd, String netnsName, Plan plan, Callable<T> work) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            INSIDE.set(true);
            try {
                Sys.setns(netnsFd, Sys.CLONE_NEWNET);
                try {
                    Sys.unshare(Sys.CLONE_NEWNS | Sys.CLONE_FS);
                    apply(plan);
                } catch (SyscallException | IOException e) {
                    throw new RootlessException(RootlessException.NETNS_FAILED,
                            "cannot prepare the private mount namespace of " + netnsName + ": " + e.getMessage(), e);
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

    private static void apply(Plan plan) throws IOException {
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
}
