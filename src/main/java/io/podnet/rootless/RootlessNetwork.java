package io.podnet.rootless;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.podnet.inet.PortMapping;
import io.podnet.netns.Netns;

/**
 * What the engine uses of rootless networking: the shared rootless netns with its supervised
 * helper ({@link RootlessNetns}) and the userspace port forwarder of the rootless pods' ports
 * ({@link PortForwarder}), kept in step: the forwarder belongs to one namespace instance and is
 * opened anew with it. The caller keeps what it builds inside the namespace itself (bridges,
 * veths, firewall) and learns from {@link Ensured} when that must be built again.
 *
 * <p>Lifecycle calls ({@link #ensure}, {@link #ensureIfPresent}, {@link #cleanupIfUnused})
 * start and stop processes: call them from an agent thread, never from namespace work.
 */
public final class RootlessNetwork implements AutoCloseable {
    /**
     * What {@link #ensure} or {@link #ensureIfPresent} did.
     *
     * @param netnsCreated    the namespace is new: whatever the caller had inside it is gone
     *                        (its handles are stale, its pods need setting up again)
     * @param helperRestarted the helper was dead and runs again; everything inside was kept
     */
    public record Ensured(boolean netnsCreated, boolean helperRestarted) {
        static final Ensured NOTHING = new Ensured(false, false);
    }

    private final RootlessNetns netns;
    private final Path hostNetns;
    private PortForwarder forwarder;
    private long helperRestarts;

    /**
     * @param runDir    the agent's run dir (e.g. /run/podnet)
     * @param hostNetns the namespace playing the node's host namespace, where the helper runs
     *                  and the forwarder listens, or null for the agent's own
     */
    public RootlessNetwork(Path runDir, RootlessConfig config, Path hostNetns) {
        this.netns = new RootlessNetns(runDir, config, hostNetns);
        this.hostNetns = hostNetns;
    }

    /** Creates or adopts the rootless netns and makes its helper run; opens the forwarder for it. */
    public synchronized Ensured ensure() {
        Ensured e = outcome(netns.ensure());
        if (e.netnsCreated() || forwarder == null) {
            reopenForwarder();
        }
        return e;
    }

    /**
     * For every resync: nothing when there is no rootless netns; else a dead helper is started
     * again, and a namespace that disappeared is made anew (with a new forwarder).
     */
    public synchronized Ensured ensureIfPresent() {
        if (!netns.exists()) {
            return Ensured.NOTHING;
        }
        Ensured e = outcome(netns.ensureHelper());
        if (e.netnsCreated()) {
            reopenForwarder();
        }
        return e;
    }

    private Ensured outcome(RootlessNetns.State state) {
        boolean restarted = state == RootlessNetns.State.RESTARTED;
        if (restarted) {
            helperRestarts++;
        }
        return new Ensured(state == RootlessNetns.State.CREATED, restarted);
    }

    private void reopenForwarder() {
        closeForwarder();
        forwarder = new PortForwarder(hostNetns, netns.netnsPath(), PortForwarder.Settings.defaults());
    }

    /** The open namespace, to create links in it or open sockets there; owned by this object. */
    public Netns netns() {
        return netns.netns();
    }

    public Path netnsPath() {
        return netns.netnsPath();
    }

    /** True when the namespace file is a live namespace. */
    public boolean exists() {
        return netns.exists();
    }

    /**
     * Forwards the pod's host ports to its address (mappings of the other address family are
     * left out; sctp is refused by {@link ForwardSpec}). Keeps forwards that are already right,
     * so open connections survive a resync; the pod's new address replaces the old.
     *
     * @param podIp null when the pod has no address yet: its forwards are stopped
     * @throws ForwardException when a port cannot be forwarded
     */
    public synchronized void forward(String owner, List<PortMapping> ports, InetAddress podIp) {
        List<ForwardSpec> wanted = new ArrayList<>();
        for (PortMapping m : ports) {
            if (podIp == null || !m.reaches(podIp)) {
                continue;
            }
            wanted.add(new ForwardSpec(owner, m, podIp));
        }
        for (ForwardSpec active : forwarder.active()) {
            if (active.owner().equals(owner) && !wanted.contains(active)) {
                forwarder.stop(active);
            }
        }
        for (ForwardSpec spec : wanted) {
            if (forwarder.bound(spec).isEmpty()) {
                forwarder.start(spec);
            }
        }
    }

    public synchronized void stopForwards(String owner) {
        if (forwarder != null) {
            forwarder.stopOwner(owner);
        }
    }

    /**
     * Removes the rootless netns, its helper, its forwarder and its directory when nothing uses
     * it any more.
     *
     * @param users the rootless pods left
     * @return true when it was removed (or was not there)
     */
    public synchronized boolean cleanupIfUnused(int users) {
        if (users > 0) {
            return false;
        }
        closeForwarder();
        return netns.cleanupIfUnused(0);
    }

    public synchronized boolean helperUp() {
        return netns.exists() && netns.helperPid().isPresent();
    }

    /** How often a dead helper was started again, since this object was made. */
    public synchronized long helperRestarts() {
        return helperRestarts;
    }

    /** The forwarder's totals, or null while there is none. */
    public synchronized ForwardCounters counters() {
        return forwarder == null ? null : forwarder.counters();
    }

    private void closeForwarder() {
        if (forwarder != null) {
            forwarder.close();
            forwarder = null;
        }
    }

    /** Closes the forwarder and releases the handles; the namespace and the helper keep running. */
    @Override
    public synchronized void close() {
        closeForwarder();
        netns.close();
    }
}
