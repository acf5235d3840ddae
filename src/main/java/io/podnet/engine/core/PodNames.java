package io.podnet.engine.core;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.podnet.dns.NameService;
import io.podnet.dns.ResolvConfFile;
import io.podnet.engine.PodMode;
import io.podnet.engine.apply.PodNameRecords;
import io.podnet.engine.plan.PodState;
import io.podnet.engine.uplink.RootlessSide;
import io.podnet.inet.IpAddresses;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.rootless.RootlessConfig;

/**
 * Keeps the name servers' tables in line with the pods' state: the host's for rootful pods, the
 * rootless netns' for rootless ones. Each publish builds both tables anew from every pod's state
 * and swaps them in whole, under one lock, so the last publish always reflects the newest state.
 * Names that are not the pods' go to the host's resolvers a pod can reach (not loopback ones),
 * for rootless pods also to the helper's DNS forwarder, unless a network or a pod names its own.
 */
final class PodNames implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PodNames.class);

    private final PodStateStore store;
    private final Supplier<NetworkDefinitions> networks;
    private final Path hostResolvConf;
    private final RootlessConfig rootlessConfig;
    private final NameService host;
    private final RootlessSide rootless;
    /** Whether the last publish had a dns_enabled network: a node without one has no tables to build, once they are empty. */
    private boolean tablesInUse = true;

    PodNames(PodStateStore store, Supplier<NetworkDefinitions> networks, Path hostResolvConf, RootlessConfig rootlessConfig, NameService host,
            RootlessSide rootless) {
        this.store = store;
        this.networks = networks;
        this.hostResolvConf = hostResolvConf;
        this.rootlessConfig = rootlessConfig;
        this.host = host;
        this.rootless = rootless;
    }

    /** Never fails a setup or teardown: a name server's trouble is logged, and the next publish tries again. */
    synchronized void publish() {
        NetworkDefinitions networks = this.networks.get();
        boolean anyNameServer = networks.all().stream().anyMatch(io.podnet.netconf.NetworkDefinition::dnsEnabled);
        if (!anyNameServer && !tablesInUse) {
            return; // every setup would otherwise rebuild two empty tables from all pods, under this lock
        }
        tablesInUse = anyNameServer;
        try {
            List<PodState> rootful = new ArrayList<>();
            List<PodState> rootlessPods = new ArrayList<>();
            for (PodState s : store.all()) {
                (s.mode() == PodMode.ROOTLESS ? rootlessPods : rootful).add(s);
            }
            List<InetAddress> hostServers = ResolvConfFile.hostForPods(hostResolvConf).nameservers().stream().map(IpAddresses::parse)
                    .toList();
            host.publish(PodNameRecords.of(rootful, networks, hostServers));
            List<InetAddress> viaHelper = new ArrayList<>(hostServers);
            viaHelper.add(rootlessConfig.dns());
            rootless.publishNames(PodNameRecords.of(rootlessPods, networks, viaHelper));
        } catch (RuntimeException e) {
            LOG.warnf(e, "the name servers' records could not be updated; the next change or resync tries again");
        }
    }

    @Override
    public void close() {
        host.close();
    }
}
