package io.podnet.engine.uplink;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.podnet.dns.DnsRecords;
import io.podnet.dns.NameService;
import io.podnet.engine.apply.Bridges;
import io.podnet.firewall.NetworkRules;
import io.podnet.firewall.NftFirewall;
import io.podnet.inet.PortMapping;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.rootless.ForwardCounters;
import io.podnet.rootless.RootlessConfig;
import io.podnet.rootless.RootlessNetwork;

/**
 * What rootless pods share: the rootless netns with its egress helper, a netlink socket and the
 * bridges inside it, the masquerade towards the helper (nftables inside the rootless netns), and
 * the userspace port forwarder listening in the host namespace, and the name server of the
 * rootless dns_enabled networks inside it. Created on the first rootless pod; removed, helper and
 * all, when the last one goes.
 */
public final class RootlessSide implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RootlessSide.class);

    private final RootlessNetwork network;
    private final Path stateDir;
    private final Function<Path, NameService> nameServers;
    private RtnlClient rtnl;
    private Bridges bridges;
    private NftFirewall firewall;
    private NameService names;
    /** A name server opened with the namespace and given no table yet. */
    private boolean namesUnpublished;

    /** @param nameServers opens the name server of the namespace at the given path */
    public RootlessSide(Path runDir, Path stateDir, RootlessConfig config, Path hostNetns, Function<Path, NameService> nameServers) {
        this.network = new RootlessNetwork(runDir, config, hostNetns);
        this.stateDir = stateDir;
        this.nameServers = nameServers;
    }

    /**
     * Makes the rootless netns and its helper run, and the objects on top of them match it; what
     * had to be restored for pods that exist is reported.
     *
     * @param podsExist whether rootless pods were built before (so a recreation is a repair)
     */
    public synchronized void ensure(boolean podsExist, Consumer<String> repaired) {
        RootlessNetwork.Ensured done = network.ensure();
        if (done.helperRestarted()) {
            repaired.accept("rootless-helper");
        }
        if (done.netnsCreated() || rtnl == null) {
            if (done.netnsCreated() && podsExist) {
                repaired.accept("rootless-netns");
            }
            reopen();
        }
    }

    /** The periodic check: a dead helper is started again. */
    public synchronized void ensureHelper(Consumer<String> repaired) {
        RootlessNetwork.Ensured done = network.ensureIfPresent();
        if (done.helperRestarted()) {
            repaired.accept("rootless-helper");
        } else if (done.netnsCreated()) {
            reopen();
        }
    }

    /** Everything the engine keeps on top of the namespace, opened afresh (after it was created anew). */
    private void reopen() {
        closeOnTop();
        Netns ns = network.netns();
        rtnl = ns.run(RtnlClient::open);
        bridges = new Bridges(rtnl, stateDir.resolve("rootless"));
        firewall = NftFirewall.open(network.netnsPath());
        names = nameServers.apply(network.netnsPath());
        namesUnpublished = true;
    }

    /** The rootless pods' record table, for the name server inside the rootless netns (none while it does not exist). */
    public synchronized void publishNames(DnsRecords records) {
        if (names != null) {
            names.publish(records);
            namesUnpublished = false;
        }
    }

    /** True when the rootless netns was opened (or made anew) since the last table was published. */
    public synchronized boolean namesUnpublished() {
        return names != null && namesUnpublished;
    }

    public RtnlClient client() {
        return rtnl;
    }

    Bridges bridges() {
        return bridges;
    }

    /** Masquerade of a rootless network's pods towards the helper (none for internal networks). */
    public void ensureNetwork(NetworkRules network) {
        firewall.ensureNetwork(network);
    }

    /**
     * Forwards the pod's host ports to its address (tcp and udp; sctp cannot be proxied in user
     * space and is refused earlier). Keeps forwards that are already right, so open connections
     * survive a resync; the pod's new address (its first network changed) replaces the old.
     */
    void forward(String podId, List<PortMapping> ports, InetAddress podIp) {
        network.forward(podId, ports, podIp);
    }

    public void stopForwards(String podId) {
        network.stopForwards(podId);
    }

    /** Removes the rootless netns, its helper and its directory when no rootless pod is left. */
    public synchronized boolean cleanupIfUnused(int users) {
        if (users > 0 || (rtnl == null && !network.exists())) {
            return false;
        }
        closeOnTop();
        boolean removed = network.cleanupIfUnused(0);
        LOG.infof("the last rootless PodNetwork is gone: the rootless netns and its helper were removed");
        return removed;
    }

    /** The shared rootless netns file while it exists (no pod may join it). */
    public java.util.Optional<Path> netnsPath() {
        return network.exists() ? java.util.Optional.of(network.netnsPath()) : java.util.Optional.empty();
    }

    public long helperRestarts() {
        return network.helperRestarts();
    }

    public boolean helperUp() {
        return network.helperUp();
    }

    public ForwardCounters counters() {
        return network.counters();
    }

    private void closeOnTop() {
        if (names != null) {
            names.close();
            names = null;
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
        network.close();
    }
}
