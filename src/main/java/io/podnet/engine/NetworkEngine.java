package io.podnet.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.jboss.logging.Logger;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.firewall.DnatRule;
import io.podnet.firewall.NetworkRules;
import io.podnet.firewall.NftFirewall;
import io.podnet.firewall.Repair;
import io.podnet.ipam.Ipam;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.netconf.Subnet;
import io.podnet.netlink.Link;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.netns.NetnsThreads;
import io.podnet.ports.HostPortRegistry;

/**
 * The rootful engine: each pod in a namespace (its own, or one it joins), attached to each
 * network's host bridge by a veth pair. Every setup is plan -> persist intent -> apply, and is
 * idempotent: a second setup of a healthy pod only reads the kernel, and a changed spec attaches
 * and detaches only the networks that changed. A fresh pod whose kernel steps fail is rolled back.
 */
public final class NetworkEngine implements PodNetworkEngine, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NetworkEngine.class);

    private final NetworkDefinitions networks;
    private final Ipam ipam;
    private final Planner planner;
    private final PodStateStore store;
    private final PodNamespaces namespaces;
    private final PodDnsFiles dnsFiles;
    private final NetnsPolicy netnsPolicy;
    private final RtnlClient host;
    private final Bridges bridges;
    private final NftFirewall firewall;
    private final HostPortRegistry hostPorts = new HostPortRegistry();
    /** Bridges the firewall was told about in this engine's life; the node resync re-checks them. */
    private final Set<String> firewalledBridges = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final PodLocks locks = new PodLocks();
    private final EngineObserver observer;

    private NetworkEngine(EngineSettings settings, RtnlClient host, NftFirewall firewall, EngineObserver observer) {
        this.observer = observer;
        this.firewall = firewall;
        this.networks = settings.networks();
        this.ipam = new Ipam(settings.stateDir());
        this.store = new PodStateStore(settings.stateDir());
        this.planner = new Planner(networks, ipam, hostPorts, settings.portPolicy(), firewall::listeningPorts,
                id -> store.load(id).map(PodState::displayName).orElse(id));
        this.namespaces = new PodNamespaces(new NetnsManager(settings.netnsDir()));
        this.dnsFiles = new PodDnsFiles(settings.runDir(), settings.hostResolvConf());
        this.netnsPolicy = new NetnsPolicy(settings.allowedNetnsPaths(), settings.hostNetns());
        this.host = host;
        this.bridges = new Bridges(host, settings.stateDir());
    }

    public static NetworkEngine open(EngineSettings settings) {
        return open(settings, EngineObserver.NONE);
    }

    /** Opens the engine: a netlink socket in the host namespace, kept for the engine's life. */
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
     * its host ports into the registry, and the firewall made to match exactly (elements of pods
     * that went away while the agent was down removed, none duplicated).
     */
    private void adoptKnownPods() {
        for (PodState state : store.all()) {
            state.attachments().forEach(a -> planner.reserveKnown(state.id(), a));
            hostPorts.restore(state.id(), state.portMappings());
        }
        try {
            report(firewall.sync(expectedRules(), expectedNetworks()));
        } catch (RuntimeException e) {
            LOG.warnf("the firewall could not be brought in line at start (%s); the resync will retry", e.getMessage());
        }
    }

    /** The DNAT rules every known pod should have. */
    private Map<String, List<DnatRule>> expectedRules() {
        Map<String, List<DnatRule>> rules = new LinkedHashMap<>();
        for (PodState state : store.all()) {
            List<DnatRule> pod = dnatRules(state);
            if (!pod.isEmpty()) {
                rules.put(state.id(), pod);
            }
        }
        return rules;
    }

    /** The networks known pods are attached to. */
    private List<NetworkRules> expectedNetworks() {
        Map<String, NetworkRules> byBridge = new LinkedHashMap<>();
        for (PodState state : store.all()) {
            for (PodState.Attachment a : state.attachments()) {
                networks.get(a.network()).ifPresent(def -> byBridge.putIfAbsent(def.bridgeName(), networkRules(def)));
            }
        }
        return new ArrayList<>(byBridge.values());
    }

    private static NetworkRules networkRules(NetworkDefinition def) {
        return new NetworkRules(def.bridgeName(), def.subnets().stream().map(Subnet::subnet).toList(), def.internal());
    }

    /** A pod's port mappings, to the addresses of its first network (one rule per family). */
    private static List<DnatRule> dnatRules(PodState state) {
        if (state.ports().isEmpty() || state.attachments().isEmpty()) {
            return List.of();
        }
        List<java.net.InetAddress> podIps = state.attachments().get(0).addresses().stream().map(a -> Cidr.parse(a).address()).toList();
        return DnatRule.forMappings(state.portMappings(), podIps);
    }

    private void report(Repair repair) {
        for (Repair.Item item : repair.items()) {
            observer.repaired("firewall-" + item.kind().name().toLowerCase());
        }
    }

    /**
     * The node-wide part of drift repair, for the periodic resync: the firewall checked against
     * what the pods need and restored (after `nft flush ruleset`, a firewalld reload).
     */
    @Override
    public void repairNode() {
        report(firewall.sync(expectedRules(), expectedNetworks()));
    }

    @Override
    public PodResult setup(PodRequest request) {
        ReentrantLock lock = locks.of(request.id());
        lock.lock();
        StepClock clock = new StepClock(observer, EngineObserver.Operation.SETUP, request.mode());
        String outcome = "failed";
        try {
            PodState prior = store.load(request.id()).orElse(null);
            PodState next;
            try {
                RequestValidator.validate(request, networks, netnsPolicy);
                if (prior != null && !prior.netnsKind().equals(request.netns().kind().name())) {
                    throw new RejectedRequestException(Stage.NETNS, "NetnsImmutable", "netns cannot change once the pod is built (was "
                            + prior.netnsKind() + ", now " + request.netns().kind() + "); delete and recreate the PodNetwork");
                }
                boolean owns = request.netns().kind() != NetnsRequest.Kind.PATH;
                next = planner.plan(request, prior, namespaces.pathFor(request).toString(), owns,
                        namespaces.foreignLinks(request, prior));
                next = next.withDns(dnsFiles.desired(request, next.attachments(), networks));
            } catch (RejectedRequestException e) {
                outcome = "rejected";
                throw e;
            }
            clock.lap("plan");
            List<PodState.Attachment> removed = removedAttachments(prior, next);
            detachAll(removed);
            removed.forEach(a -> ipam.release(a.network(), request.id()));
            if (!next.equals(prior)) {
                store.save(next);
            }
            clock.lap("persist");
            PodResult result;
            try {
                result = apply(next, prior, clock);
            } catch (RuntimeException e) {
                if (prior == null) {
                    rollback(next, e);
                }
                throw e instanceof SetupFailedException f ? f
                        : new SetupFailedException(Stage.NETWORKS, "SetupFailed", e.getMessage(), e);
            }
            outcome = "ok";
            return result;
        } finally {
            clock.finish(outcome);
            lock.unlock();
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
    private PodResult apply(PodState state, PodState prior, StepClock clock) {
        try (PodNamespaces.Opened pod = namespaces.open(state)) {
            clock.lap("netns");
            if (prior != null && pod.created()) {
                observer.repaired("netns");
            }
            for (int i = 0; i < state.attachments().size(); i++) {
                PodState.Attachment a = state.attachments().get(i);
                NetworkDefinition def = networks.get(a.network()).orElseThrow(() -> new SetupFailedException(Stage.NETWORKS,
                        "UnknownNetwork", "network \"" + a.network() + "\" is no longer defined on this node", null));
                Consumer<String> repaired = prior != null && prior.attachment(a.network()) != null ? observer::repaired : kind -> { };
                ReentrantLock bridgeLock = bridges.lock(def.bridgeName());
                bridgeLock.lock();
                try {
                    int bridge = bridges.ensure(def, repaired);
                    if (!firewalledBridges.contains(def.bridgeName())) {
                        firewall.ensureNetwork(def.bridgeName(), def.subnets().stream().map(Subnet::subnet).toList(), def.internal());
                        firewalledBridges.add(def.bridgeName());
                    }
                    clock.lap("bridge");
                    VethAttacher.attach(host, pod.client(), pod.netns(), bridge, def.mtu(), def.internal(), a,
                            VethAttacher.BASE_ROUTE_METRIC + i, repaired);
                    clock.lap("interface");
                } finally {
                    bridgeLock.unlock();
                }
            }
            firewall.applyPod(state.id(), dnatRules(state));
            clock.lap("ports");
            if (prior == null || !prior.dns().equals(state.dns()) || !dnsFiles.exist(state.id())) {
                dnsFiles.write(state.id(), prior == null ? PodState.Dns.NONE : prior.dns(), state.dns());
            }
            clock.lap("dns");
            return result(state, state.joined() ? NamespaceInspector.inspect(pod.client()) : null);
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
        ReentrantLock lock = locks.of(podId);
        lock.lock();
        PodState state = store.load(podId).orElse(null);
        StepClock clock = new StepClock(observer, EngineObserver.Operation.TEARDOWN, state == null ? PodMode.ROOTFUL : state.mode());
        String outcome = "failed";
        try {
            removeEverything(podId, state, clock);
            outcome = "ok";
        } finally {
            clock.finish(outcome);
            lock.unlock();
        }
    }

    /**
     * Removes the pod's links, namespace file (when podnet made it), DNS files, addresses and
     * state; each step tolerates what is gone. A joined namespace keeps what it had before.
     */
    private void removeEverything(String podId, PodState state, StepClock clock) {
        firewall.removePod(podId);
        hostPorts.release(podId);
        clock.lap("ports");
        if (state != null) {
            detachAll(state.attachments());
        } else {
            // no record: remove what our naming says could be there
            for (NetworkDefinition def : networks.all()) {
                detachAll(List.of(new PodState.Attachment(def.name(), "", KernelNames.hostVeth(podId, def.name()),
                        def.bridgeName(), "", List.of(), List.of(), List.of(), List.of())));
            }
        }
        clock.lap("interfaces");
        namespaces.remove(podId, state);
        clock.lap("netns");
        dnsFiles.remove(podId);
        ipam.releaseOwnerEverywhere(podId);
        store.delete(podId);
        clock.lap("state");
    }

    private void detachAll(List<PodState.Attachment> attachments) {
        for (PodState.Attachment a : attachments) {
            ReentrantLock bridgeLock = bridges.lock(a.bridge());
            bridgeLock.lock();
            try {
                VethAttacher.detach(host, a);
                if (bridges.removeIfUnused(a.bridge())) {
                    firewalledBridges.remove(a.bridge());
                    networks.get(a.network()).ifPresent(def -> firewall.removeNetwork(def.bridgeName(),
                            def.subnets().stream().map(Subnet::subnet).toList()));
                }
            } finally {
                bridgeLock.unlock();
            }
        }
    }

    private PodResult result(PodState state, Map<String, PodResult.InterfaceResult> namespaceInterfaces) {
        Map<String, PodResult.NetworkResult> out = new LinkedHashMap<>();
        for (PodState.Attachment a : state.attachments()) {
            List<PodResult.AddressResult> addresses = new ArrayList<>();
            for (int i = 0; i < a.addresses().size(); i++) {
                String gw = a.gateways().get(i);
                addresses.add(new PodResult.AddressResult(Cidr.parse(a.addresses().get(i)), gw.isEmpty() ? null : IpAddresses.parse(gw)));
            }
            List<java.net.InetAddress> dnsServers = networks.get(a.network()).map(PodDnsFiles::networkServers).orElse(List.of())
                    .stream().map(IpAddresses::parse).toList();
            out.put(a.network(), new PodResult.NetworkResult(
                    Map.of(a.interfaceName(), new PodResult.InterfaceResult(MacAddress.parse(a.mac()), addresses)), dnsServers, List.of()));
        }
        return new PodResult(java.nio.file.Path.of(state.netnsPath()), out, dnsFiles.hostsFile(state.id()),
                dnsFiles.resolvConf(state.id()), namespaceInterfaces, state.portMappings());
    }

    @Override
    public Set<String> knownPods() {
        return store.ids();
    }

    /**
     * One link dump of the host namespace: each pod interface's counters are its host-side
     * veth's, with receive and transmit swapped (what the host end sends, the pod receives).
     */
    @Override
    public Map<String, Map<String, InterfaceCounters>> interfaceCounters() {
        Map<String, Link> byName = new HashMap<>();
        for (Link l : host.links()) {
            if (l.name().startsWith(KernelNames.VETH_PREFIX)) {
                byName.put(l.name(), l);
            }
        }
        Map<String, Map<String, InterfaceCounters>> out = new LinkedHashMap<>();
        for (PodState state : store.all()) {
            Map<String, InterfaceCounters> pod = new LinkedHashMap<>();
            for (PodState.Attachment a : state.attachments()) {
                Link l = byName.get(a.hostVeth());
                if (l != null && l.stats() != null) {
                    var s = l.stats();
                    pod.put(a.interfaceName(), new InterfaceCounters(s.txBytes(), s.rxBytes(), s.txPackets(), s.rxPackets()));
                }
            }
            if (!pod.isEmpty()) {
                out.put(state.id(), pod);
            }
        }
        return out;
    }

    /** True when the host namespace's netlink socket answers (for readiness). */
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
            firewall.close();
        } finally {
            host.close();
        }
    }
}
