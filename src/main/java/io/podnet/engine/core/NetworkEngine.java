package io.podnet.engine.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.podnet.dns.NameServer;
import io.podnet.dns.NameService;
import io.podnet.dns.QueryCounts;

import io.podnet.engine.EngineObserver;
import io.podnet.engine.EngineSettings;
import io.podnet.engine.InterfaceCounters;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodNetworkEngine;
import io.podnet.engine.PodRequest;
import io.podnet.engine.PodResult;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.RootlessStatus;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.engine.apply.Bridges;
import io.podnet.engine.apply.NamespaceInspector;
import io.podnet.engine.apply.PodDnsFiles;
import io.podnet.engine.apply.PodNamespaces;
import io.podnet.engine.apply.VethAttacher;
import io.podnet.engine.driver.NetworkDrivers;
import io.podnet.engine.plan.KernelNames;
import io.podnet.engine.plan.NetnsPolicy;
import io.podnet.engine.plan.Planner;
import io.podnet.engine.plan.PodState;
import io.podnet.engine.plan.RequestValidator;
import io.podnet.engine.uplink.HostUplink;
import io.podnet.engine.uplink.RootlessSide;
import io.podnet.engine.uplink.RootlessUplink;
import io.podnet.engine.uplink.Uplink;
import io.podnet.firewall.FirewallException;
import io.podnet.firewall.NftFirewall;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.ipam.Ipam;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.netns.NetnsThreads;
import io.podnet.policy.NodePolicy;
import io.podnet.ports.HostPortRegistry;
import io.podnet.rootless.ForwardCounters;
import io.podnet.rootless.ForwardException;
import io.podnet.rootless.RootlessConfig;
import io.podnet.rootless.RootlessException;
import io.podnet.sys.NftablesException;

/**
 * The engine: each pod in a namespace (its own, or one it joins), attached to each network's
 * bridge by a veth pair. For rootful pods the bridges are in the host namespace and ports are
 * nftables DNAT; for rootless pods they are in the shared rootless netns and ports go through the
 * userspace forwarder (see {@link Uplink}). Every setup is plan -> persist intent -> apply, and
 * is idempotent: a second setup of a healthy pod only reads the kernel, and a changed spec
 * attaches and detaches only the networks that changed. A fresh pod whose kernel steps fail is
 * rolled back.
 */
public final class NetworkEngine implements PodNetworkEngine, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NetworkEngine.class);

    private final LiveNetworks networks;
    private final Ipam ipam;
    private final Planner planner;
    private final PodStateStore store;
    private final PodNamespaces namespaces;
    private final PodDnsFiles dnsFiles;
    private final NetnsPolicy netnsPolicy;
    private final NodePolicy policy;
    private final RtnlClient host;
    private final HostUplink hostUplink;
    private final RootlessSide rootless;
    private final RootlessConfig rootlessConfig;
    private final java.nio.file.Path hostResolvConf;
    private final HostPortRegistry hostPorts = new HostPortRegistry();
    private final PodLocks locks = new PodLocks();
    private final EngineObserver observer;
    private final NetworkDrivers drivers = new NetworkDrivers();
    private final NodeRepair nodeRepair;
    private final QueryCounts dnsQueries = new QueryCounts();
    private final PodNames names;

    private NetworkEngine(EngineSettings settings, RtnlClient host, NftFirewall firewall, EngineObserver observer) {
        this.observer = observer;
        this.networks = new LiveNetworks(settings.networks(), settings.networksDir());
        StateMove.fromOlderAgent(settings.stateDir(), settings.kernelStateDir());
        this.ipam = Ipam.onTmpfs(settings.kernelStateDir());
        this.store = new PodStateStore(settings.kernelStateDir());
        this.planner = new Planner(networks::current, ipam, hostPorts, settings.portPolicy(), settings.policy(), firewall::listeningPorts,
                id -> store.load(id).map(PodState::displayName).orElse(id));
        this.namespaces = new PodNamespaces(new NetnsManager(settings.netnsDir()));
        this.dnsFiles = new PodDnsFiles(settings.runDir());
        this.policy = settings.policy();
        this.netnsPolicy = new NetnsPolicy(settings.allowedNetnsPaths(), settings.hostNetns(), NetnsManager::isNsfs, this::ownedByOthers);
        this.host = host;
        this.hostUplink = new HostUplink(host, new Bridges(host, settings.kernelStateDir()), firewall);
        this.hostResolvConf = settings.hostResolvConf();
        this.rootlessConfig = settings.rootless();
        this.rootless = new RootlessSide(settings.runDir(), settings.kernelStateDir(), settings.rootless(), settings.hostNetns(),
                netns -> NameServer.open(netns, "rootless", NameServer.Settings.defaults(), dnsQueries));
        this.nodeRepair = new NodeRepair(store, networks::current, drivers, hostUplink, rootless, observer, this::ensureRootless, namespaces);
        NameService hostNames = NameServer.open(settings.hostNetns(), "host", NameServer.Settings.defaults(), dnsQueries);
        this.names = new PodNames(store, networks::current, settings.hostResolvConf(), settings.rootless(), hostNames, rootless);
    }

    public static NetworkEngine open(EngineSettings settings) {
        return open(settings, EngineObserver.NONE);
    }

    /** Opens the engine: netlink and nftables in the host namespace, kept for the engine's life. */
    public static NetworkEngine open(EngineSettings settings, EngineObserver observer) {
        RtnlClient host;
        if (settings.hostNetns() == null) {
            host = NetnsThreads.onWorker(RtnlClient::open);
        } else {
            try (Netns hostNs = NetnsManager.join(settings.hostNetns())) {
                host = hostNs.run(RtnlClient::open);
            }
        }
        NftFirewall firewall;
        try {
            firewall = NftFirewall.open(settings.hostNetns());
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
        NetworkEngine engine = new NetworkEngine(settings, host, firewall, observer);
        engine.adoptKnownPods();
        return engine;
    }

    /**
     * At start, before anything new is allocated: every known pod's addresses back into IPAM and
     * its host ports into the registry; the firewall made to match exactly (elements of pods that
     * went away while the agent was down removed, none duplicated); the rootless side, when
     * rootless pods exist, running again with their forwards.
     */
    private void adoptKnownPods() {
        for (PodState state : store.all()) {
            state.attachments().forEach(a -> planner.reserveKnown(state.id(), a));
            hostPorts.restore(state.id(), state.ports());
            planner.restore(state);
        }
        try {
            repairNode();
        } catch (RuntimeException e) {
            LOG.warnf("the node could not be brought in line at start (%s); the resync will retry", e.getMessage());
        }
    }

    private Uplink uplink(PodMode mode) {
        return mode == PodMode.ROOTLESS ? new RootlessUplink(rootless) : hostUplink;
    }

    @Override
    public PodResult setup(PodRequest request) {
        PodLocks.Held lock = locks.pod(request.id());
        StepClock clock = new StepClock(observer, EngineObserver.Operation.SETUP, request.mode());
        String outcome = "failed";
        try {
            PodState prior = store.load(request.id()).orElse(null);
            NetworkDefinitions definitions = networks.current(); // one set for the whole setup: swapped only under the node lock
            PodState next;
            try {
                RequestValidator.validate(request, definitions, netnsPolicy, policy);
                drivers.check(request, definitions);
                checkImmutable(request, prior);
                boolean owns = request.netns().kind() != NetnsRequest.Kind.PATH;
                next = planner.plan(request, prior, namespaces.pathFor(request).toString(), owns,
                        namespaces.foreignLinks(request, prior));
                // rootless pods fall back to what the rootless netns resolves with: the host's servers and the helper's
                next = next.withDns(dnsFiles.desired(request, next.attachments(), definitions, hostResolvConf,
                        request.mode() == PodMode.ROOTLESS ? rootlessConfig.dns() : null));
            } catch (RejectedRequestException e) {
                outcome = "rejected";
                throw e;
            }
            clock.lap("plan");
            Uplink uplink = uplink(next.mode());
            if (next.mode() == PodMode.ROOTLESS) {
                try {
                    ensureRootless();
                } catch (RuntimeException e) {
                    // the helper missing or failing: a new pod keeps none of the leases its plan took
                    if (prior == null) {
                        releaseLeasesQuietly(request.id());
                    }
                    throw Failures.of(Stage.NETWORKS, e);
                }
            }
            List<PodState.Attachment> removed = removedAttachments(prior, next);
            detachAll(uplink, prior, removed, false);
            removed.forEach(a -> ipam.release(a.network(), request.id()));
            if (!next.equals(prior)) {
                store.save(next);
            }
            clock.lap("persist");
            PodResult result;
            try {
                result = apply(next, prior, uplink, definitions, clock);
            } catch (RuntimeException e) {
                if (prior == null) {
                    rollback(next, e);
                }
                names.publish();
                throw Failures.of(Stage.NETWORKS, e);
            }
            if (!next.equals(prior) || rootless.namesUnpublished()) {
                names.publish(); // records follow connect, disconnect and the first setup at once; a resync changes nothing
            }
            outcome = "ok";
            return result;
        } catch (java.io.UncheckedIOException e) {
            // the state dir read-only or full: the plan's leases may be on disk without the pod's state
            if (!store.load(request.id()).isPresent()) {
                releaseLeasesQuietly(request.id());
            }
            throw Failures.of(Stage.NETWORKS, e);
        } finally {
            clock.finish(outcome);
            lock.close();
            namespaces.refillSpares();
        }
    }

    /** Best effort: on a read-only or full state dir the release cannot be written either, and the write error is what counts. */
    private void releaseLeasesQuietly(String podId) {
        try {
            ipam.releaseOwnerEverywhere(podId);
        } catch (RuntimeException e) {
            LOG.debugf("cannot release the leases of %s after a failed setup: %s", podId, e.getMessage());
        }
    }

    /**
     * The namespaces podnet made for pods other than {@code podId} (each belongs to its own
     * PodNetwork only) and the rootless netns (no PodNetwork's), which no pod may join.
     */
    private List<NetnsPolicy.Owned> ownedByOthers(String podId) {
        List<NetnsPolicy.Owned> owned = new ArrayList<>();
        for (PodState s : store.all()) {
            if (!s.id().equals(podId) && !s.joined() && s.netnsPath() != null) {
                owned.add(new NetnsPolicy.Owned(java.nio.file.Path.of(s.netnsPath()), s.displayName()));
            }
        }
        rootless.netnsPath().ifPresent(p -> owned.add(new NetnsPolicy.Owned(p, "podnet's rootless side")));
        return owned;
    }

    private static void checkImmutable(PodRequest request, PodState prior) {
        if (prior == null) {
            return;
        }
        if (!prior.netnsKind().equals(request.netns().kind().name())) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsImmutable", "netns cannot change once the pod is built (was "
                    + prior.netnsKind() + ", now " + request.netns().kind() + "); delete and recreate the PodNetwork");
        }
        if (prior.mode() != request.mode()) {
            throw new RejectedRequestException(Stage.NETWORKS, "ModeImmutable", "mode cannot change once the pod is built (was "
                    + prior.mode() + ", now " + request.mode() + "); delete and recreate the PodNetwork");
        }
    }

    /** The rootless netns and helper running, with what is on top of them (first rootless pod, or after a crash). */
    private void ensureRootless() {
        try {
            rootless.ensure(store.all().stream().anyMatch(s -> s.mode() == PodMode.ROOTLESS), observer::repaired);
        } catch (RootlessException e) {
            throw Failures.of(Stage.NETWORKS, e);
        }
    }

    private static List<PodState.Attachment> removedAttachments(PodState prior, PodState next) {
        List<PodState.Attachment> removed = new ArrayList<>();
        if (prior == null) {
            return removed;
        }
        for (PodState.Attachment old : prior.attachments()) {
            PodState.Attachment now = next.attachment(old.network());
            if (now == null || !now.interfaceName().equals(old.interfaceName())) {
                removed.add(old); // gone, or to be rebuilt under its new name
            }
        }
        return removed;
    }

    /** Builds what is missing; what was missing from a pod built before is reported as repaired. */
    private PodResult apply(PodState state, PodState prior, Uplink uplink, NetworkDefinitions definitions, StepClock clock) {
        try (PodNamespaces.Opened pod = namespaces.open(state)) {
            clock.lap("netns");
            if (prior != null && pod.created()) {
                observer.repaired("netns");
            }
            Map<String, MacAddress> macs = new LinkedHashMap<>();
            for (int i = 0; i < state.attachments().size(); i++) {
                PodState.Attachment a = state.attachments().get(i);
                NetworkDefinition def = definitions.get(a.network()).orElseThrow(() -> new SetupFailedException(Stage.NETWORKS,
                        "UnknownNetwork", "network \"" + a.network() + "\" is no longer defined on this node", null));
                Consumer<String> repaired = prior != null && prior.attachment(a.network()) != null ? observer::repaired : kind -> { };
                macs.put(a.network(), drivers.of(def.driver()).attach(uplink, pod, def, a, VethAttacher.BASE_ROUTE_METRIC + i, repaired,
                        clock::lap));
                clock.lap("interface");
            }
            applyPorts(uplink, state);
            clock.lap("ports");
            if (prior == null || !prior.dns().equals(state.dns()) || !dnsFiles.exist(state.id())) {
                dnsFiles.write(state.id(), prior == null ? PodState.Dns.NONE : prior.dns(), state.dns());
            }
            clock.lap("dns");
            return result(state, definitions, macs, state.joined() ? NamespaceInspector.inspect(pod.client()) : null);
        }
    }

    /** A failure here is the ports': PortsReady says why, with the forwarder's reason when it has one. */
    private static void applyPorts(Uplink uplink, PodState state) {
        try {
            uplink.applyPorts(state);
        } catch (ForwardException | FirewallException | NftablesException e) {
            throw Failures.of(Stage.PORTS, e);
        }
    }

    private void rollback(PodState state, RuntimeException cause) {
        try {
            removeEverything(state.id(), state, new StepClock(observer, EngineObserver.Operation.TEARDOWN, state.mode()));
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
            LOG.warnf("rolling back pod %s left something behind: %s", state.displayName(), e.getMessage());
        }
    }

    @Override
    public void teardown(String podId) {
        PodLocks.Held lock = locks.pod(podId);
        PodState state = store.load(podId).orElse(null);
        StepClock clock = new StepClock(observer, EngineObserver.Operation.TEARDOWN, state == null ? PodMode.ROOTFUL : state.mode());
        String outcome = "failed";
        try {
            removeEverything(podId, state, clock);
            names.publish();
            outcome = "ok";
        } finally {
            clock.finish(outcome);
            lock.close();
        }
    }

    /**
     * Removes the pod's ports, links, namespace file (when podnet made it), DNS files, addresses
     * and state; each step tolerates what is gone. A joined namespace keeps what it had before.
     * The last rootless pod takes the rootless netns and its helper with it.
     */
    private void removeEverything(String podId, PodState state, StepClock clock) {
        hostUplink.removePorts(podId);
        rootless.stopForwards(podId);
        hostPorts.release(podId);
        planner.forget(podId);
        clock.lap("ports");
        if (state != null) {
            if (state.mode() == PodMode.ROOTLESS && rootless.client() == null) {
                ensureRootlessQuietly();
            }
            if (state.mode() != PodMode.ROOTLESS || rootless.client() != null) {
                detachAll(uplink(state.mode()), state, state.attachments(), true);
            }
        } else {
            // no record: remove what our naming says could be there (rootful; a rootless pod's links go with the rootless netns,
            // and links that live only in the pod's namespace with it)
            for (NetworkDefinition def : networks.current().all()) {
                drivers.of(def.driver()).detach(hostUplink, PodNamespaces.NONE, new PodState.Attachment(def.name(), def.driver(), "",
                        KernelNames.hostVeth(podId, def.name()), def.bridgeName(), "", List.of(), List.of(), List.of(), List.of()),
                        Optional.of(def));
            }
        }
        clock.lap("interfaces");
        namespaces.remove(podId, state);
        clock.lap("netns");
        dnsFiles.remove(podId);
        ipam.releaseOwnerEverywhere(podId);
        store.delete(podId);
        if (state != null && state.mode() == PodMode.ROOTLESS) {
            rootless.cleanupIfUnused(rootlessPods());
        }
        clock.lap("state");
        observer.removed(podId);
    }

    private void ensureRootlessQuietly() {
        try {
            ensureRootless();
        } catch (RuntimeException e) {
            LOG.warnf("the rootless netns is not available to remove a pod's links (%s); they go with it", e.getMessage());
        }
    }

    private int rootlessPods() {
        return (int) store.all().stream().filter(s -> s.mode() == PodMode.ROOTLESS).count();
    }

    /** @param teardown whether the pod's namespace is removed afterwards (then what lives only in it need not be) */
    private void detachAll(Uplink uplink, PodState state, List<PodState.Attachment> attachments, boolean teardown) {
        if (attachments.isEmpty()) {
            return;
        }
        try (PodNamespaces.Existing pod = namespaces.existing(state, teardown)) {
            for (PodState.Attachment a : attachments) {
                drivers.of(a.driver()).detach(uplink, pod, a, networks.current().get(a.network()));
            }
        }
    }

    /** @param macs the MAC each network's interface has, as its driver reported it */
    private PodResult result(PodState state, NetworkDefinitions definitions, Map<String, MacAddress> macs,
            Map<String, PodResult.InterfaceResult> namespaceInterfaces) {
        Map<String, PodResult.NetworkResult> out = new LinkedHashMap<>();
        for (PodState.Attachment a : state.attachments()) {
            List<PodResult.AddressResult> addresses = new ArrayList<>();
            for (int i = 0; i < a.addresses().size(); i++) {
                String gw = a.gateways().get(i);
                addresses.add(new PodResult.AddressResult(Cidr.parse(a.addresses().get(i)), gw.isEmpty() ? null : IpAddresses.parse(gw)));
            }
            Optional<NetworkDefinition> def = definitions.get(a.network());
            List<java.net.InetAddress> dnsServers = def.map(PodDnsFiles::networkServers).orElse(List.of()).stream()
                    .map(IpAddresses::parse).toList();
            List<String> searches = def.map(PodDnsFiles::networkSearchDomains).orElse(List.of());
            MacAddress mac = macs.getOrDefault(a.network(), MacAddress.parse(a.mac()));
            out.put(a.network(), new PodResult.NetworkResult(
                    Map.of(a.interfaceName(), new PodResult.InterfaceResult(mac, addresses)), dnsServers, searches));
        }
        return new PodResult(java.nio.file.Path.of(state.netnsPath()), out, dnsFiles.hostsFile(state.id()),
                dnsFiles.resolvConf(state.id()), namespaceInterfaces, state.ports());
    }

    /**
     * The node-wide part of drift repair, run at start and every resync interval: the host
     * firewall checked against what rootful pods need; for rootless pods, the helper restarted if
     * it died, the masquerade in the rootless netns and every forward in place; with no rootless
     * pod left, nothing of the rootless side.
     */
    @Override
    public void repairNode() {
        try (PodLocks.Held node = locks.node()) {
            networks.reload(networksInUse());
            nodeRepair.run();
        } finally {
            names.publish(); // binds that failed are tried again; the host's resolvers are read again
        }
    }

    /** The networks some pod on the node is attached to: their definitions must not change under them. */
    private Set<String> networksInUse() {
        Set<String> inUse = new java.util.HashSet<>();
        store.all().forEach(s -> s.attachments().forEach(a -> inUse.add(a.network())));
        return inUse;
    }

    @Override
    public Set<String> knownPods() {
        return store.ids();
    }

    @Override
    public Map<String, Map<String, InterfaceCounters>> interfaceCounters() {
        return InterfaceCounterReader.read(host, rootless.client(), store.all());
    }

    @Override
    public RootlessStatus rootlessStatus() {
        ForwardCounters c = rootless.counters();
        return new RootlessStatus(rootless.helperUp(), rootless.helperRestarts(),
                c == null ? 0 : c.connectionsAccepted(), c == null ? 0 : c.connectionsActive(),
                c == null ? 0 : c.bytesToPod(), c == null ? 0 : c.bytesFromPod());
    }

    @Override
    public Map<String, Long> dnsQueries() {
        Map<String, Long> out = new LinkedHashMap<>();
        dnsQueries.snapshot().forEach((result, count) -> out.put(result.tag(), count));
        return out;
    }

    @Override
    public List<String> networkDefinitionProblems() {
        return networks.current().problemMessages();
    }

    @Override
    public List<String> pendingNetworkDefinitions() {
        return networks.current().pending();
    }

    @Override
    public int usableNetworkDefinitions() {
        return networks.current().all().size();
    }

    @Override
    public boolean netlinkAnswers() {
        try {
            return host.link("lo").isPresent();
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        try {
            names.close();
            rootless.close();
        } finally {
            try {
                hostUplink.firewall().close();
            } finally {
                try {
                    namespaces.close();
                } finally {
                    host.close();
                }
            }
        }
    }

}
