package io.podnet.engine;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.podnet.firewall.NetworkRules;
import io.podnet.firewall.NftFirewall;
import io.podnet.inet.IpAddresses;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.inet.PortMapping;
import io.podnet.rootless.ForwardCounters;
import io.podnet.rootless.ForwardSpec;
import io.podnet.rootless.PortForwarder;
import io.podnet.rootless.RootlessConfig;
import io.podnet.rootless.RootlessNetns;

/**
 * What rootless pods share: the rootless netns with its egress helper, a netlink socket and the
 * bridges inside it, the masquerade towards the helper (nftables inside the rootless netns), and
 * the userspace port forwarder listening in the host namespace. Created on the first rootless
 * pod; removed, helper and all, when the last one goes.
 */
final class RootlessSide implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RootlessSide.class);

    private final RootlessNetns netns;
    private final Path hostNetns;
    private final Path stateDir;
    private RtnlClient rtnl;
    private Bridges bridges;
    private NftFirewall firewall;
    private PortForwarder forwarder;
    private long helperRestarts;

    RootlessSide(Path runDir, Path stateDir, RootlessConfig config, Path hostNetns) {
        this.netns = new RootlessNetns(runDir, config, hostNetns);
        this.hostNetns = hostNetns;
        this.stateDir = stateDir;
    }

    /**
     * Makes the rootless netns and its helper run, and the objects on top of them match it; what
     * had to be restored for pods that exist is reported.
     *
     * @param podsExist whether rootless pods were built before (so a recreation is a repair)
     */
    synchronized void ensure(boolean podsExist, Consumer<String> repaired) {
        RootlessNetns.State state = netns.ensure();
        if (state == RootlessNetns.State.RESTARTED) {
            helperRestarts++;
            repaired.accept("rootless-helper");
        }
        if (state == RootlessNetns.State.CREATED || rtnl == null) {
            if (state == RootlessNetns.State.CREATED && podsExist) {
                repaired.accept("rootless-netns");
            }
            reopen();
        }
    }

    /** The periodic check: a dead helper is started again. */
    synchronized void ensureHelper(Consumer<String> repaired) {
        if (!netns.exists()) {
            return;
        }
        RootlessNetns.State state = netns.ensureHelper();
        if (state == RootlessNetns.State.RESTARTED) {
            helperRestarts++;
            repaired.accept("rootless-helper");
        } else if (state == RootlessNetns.State.CREATED) {
            reopen();
        }
    }

    /** Everything on top of the namespace, opened afresh (after it was created anew). */
    private void reopen() {
        closeOnTop();
        Netns ns = netns.netns();
        rtnl = ns.run(RtnlClient::open);
        bridges = new Bridges(rtnl, stateDir.resolve("rootless"));
        firewall = NftFirewall.open(netns.netnsPath());
        forwarder = new PortForwarder(hostNetns, netns.netnsPath(), PortForwarder.Settings.defaults());
    }

    RtnlClient client() {
        return rtnl;
    }

    Bridges bridges() {
        return bridges;
    }

    /** Masquerade of a rootless network's pods towards the helper (none for internal networks). */
    void ensureNetwork(NetworkRules network) {
        firewall.ensureNetwork(network.bridge(), network.subnets(), network.internal());
    }

    /**
     * Forwards the pod's host ports to its address (tcp and udp; sctp cannot be proxied in user
     * space and is refused earlier). Keeps forwards that are already right, so open connections
     * survive a resync; the pod's new address (its first network changed) replaces the old.
     */
    synchronized void forward(String podId, List<PortMapping> ports, InetAddress podIp) {
        List<ForwardSpec> wanted = new ArrayList<>();
        for (PortMapping m : ports) {
            if (podIp == null || (m.hostIp() != null && IpAddresses.isV4(m.hostIp()) != IpAddresses.isV4(podIp))) {
                continue;
            }
            // sctp is refused by ForwardSpec: it cannot be proxied in user space
            wanted.add(new ForwardSpec(podId, m, podIp));
        }
        for (ForwardSpec active : forwarder.active()) {
            if (active.owner().equals(podId) && !wanted.contains(active)) {
                forwarder.stop(active);
            }
        }
        for (ForwardSpec spec : wanted) {
            if (forwarder.bound(spec).isEmpty()) {
                forwarder.start(spec);
            }
        }
    }

    synchronized void stopForwards(String podId) {
        if (forwarder != null) {
            forwarder.stopOwner(podId);
        }
    }

    /** Removes the rootless netns, its helper and its directory when no rootless pod is left. */
    synchronized boolean cleanupIfUnused(int users) {
        if (users > 0 || (rtnl == null && !netns.exists())) {
            return false;
        }
        closeOnTop();
        boolean removed = netns.cleanupIfUnused(0);
        LOG.infof("the last rootless PodNetwork is gone: the rootless netns and its helper were removed");
        return removed;
    }

    synchronized long helperRestarts() {
        return helperRestarts;
    }

    synchronized boolean helperUp() {
        return netns.exists() && netns.helperPid().isPresent();
    }

    synchronized ForwardCounters counters() {
        return forwarder == null ? null : forwarder.counters();
    }

    private void closeOnTop() {
        if (forwarder != null) {
            forwarder.close();
            forwarder = null;
        }
        if (firewall != null) {
            firewall.close();
            firewall = null;
        }
        if (rtnl != null) {
            rtnl.close();
            rtnl = null;
        }
        bridges = null;
    }

    @Override
    public synchronized void close() {
        closeOnTop();
        netns.close();
    }
}
