package io.podnet.engine;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

import org.jboss.logging.Logger;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.ipam.Allocation;
import io.podnet.ipam.Ipam;
import io.podnet.ipam.IpamException;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.netconf.Subnet;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsException;
import io.podnet.netns.NetnsManager;
import io.podnet.netns.NetnsThreads;

/**
 * The rootful engine: a namespace per pod, joined to each network's host bridge by a veth pair.
 * Every setup is plan -> persist intent -> apply, and is idempotent: a second setup of a healthy
 * pod only reads the kernel. A fresh pod whose kernel steps fail is rolled back entirely.
 */
public final class NetworkEngine implements PodNetworkEngine, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NetworkEngine.class);

    private final NetnsManager netns;
    private final NetworkDefinitions networks;
    private final Ipam ipam;
    private final PodStateStore store;
    private final RtnlClient host;
    private final Bridges bridges;
    private final PodLocks locks = new PodLocks();
    private final EngineObserver observer;

    private NetworkEngine(EngineSettings settings, RtnlClient host, EngineObserver observer) {
        this.observer = observer;
        this.netns = new NetnsManager(settings.netnsDir());
        this.networks = settings.networks();
        this.ipam = new Ipam(settings.stateDir());
        this.store = new PodStateStore(settings.stateDir());
        this.host = host;
        this.bridges = new Bridges(host, settings.stateDir());
    }

    /** Opens the engine: a netlink socket in the host namespace, kept for the engine's life. */
    public static NetworkEngine open(EngineSettings settings) {
        return open(settings, EngineObserver.NONE);
    }

    public static NetworkEngine open(EngineSettings settings, EngineObserver observer) {
        RtnlClient host;
        if (settings.hostNetns() == null) {
            host = NetnsThreads.onWorker(RtnlClient::open);
        } else {
            try (Netns hostNs = NetnsManager.join(settings.hostNetns())) {
                host = hostNs.run(RtnlClient::open);
            }
        }
        NetworkEngine engine = new NetworkEngine(settings, host, observer);
        engine.reserveKnownAddresses();
        return engine;
    }

    @Override
    public PodResult setup(PodRequest request) {
        ReentrantLock lock = locks.of(request.id());
        lock.lock();
        StepClock clock = new StepClock(observer, EngineObserver.Operation.SETUP, request.mode());
        String outcome = "failed";
        try {
            RequestValidator.validate(request, networks);
            PodState prior = store.load(request.id()).orElse(null);
            PodState next;
            try {
                next = plan(request, prior);
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
            try {
                apply(next, prior, clock);
            } catch (RuntimeException e) {
                if (prior == null) {
                    rollback(next, e);
                }
                throw e instanceof SetupFailedException f ? f
                        : new SetupFailedException(Stage.NETWORKS, "SetupFailed", e.getMessage(), e);
            }
            outcome = "ok";
            return result(next);
        } finally {
            clock.finish(outcome);
            lock.unlock();
        }
    }

    /** Names, MACs and addresses for every requested network, reusing what the pod already has. */
    private PodState plan(PodRequest request, PodState prior) {
        Set<String> explicit = new HashSet<>();
        request.attachments().forEach(a -> {
            if (a.interfaceName() != null) {
                explicit.add(a.interfaceName());
            }
        });
        // keep the name an attachment already has unless another network now asks for it
        Map<String, String> names = new LinkedHashMap<>();
        Set<String> used = new HashSet<>(explicit);
        for (AttachmentRequest a : request.attachments()) {
            PodState.Attachment old = prior == null ? null : prior.attachment(a.network());
            if (a.interfaceName() != null) {
                names.put(a.network(), a.interfaceName());
            } else if (old != null && !explicit.contains(old.interfaceName())) {
                names.put(a.network(), old.interfaceName());
                used.add(old.interfaceName());
            }
        }
        for (AttachmentRequest a : request.attachments()) {
            if (!names.containsKey(a.network())) {
                String name = InterfaceNames.firstFree(used);
                used.add(name);
                names.put(a.network(), name);
            }
        }

        List<PodState.Attachment> attachments = new ArrayList<>();
        List<String> newlyAllocated = new ArrayList<>();
        try {
            for (AttachmentRequest a : request.attachments()) {
                NetworkDefinition def = networks.get(a.network()).orElseThrow();
                PodState.Attachment old = prior == null ? null : prior.attachment(a.network());
                List<String> statics = a.staticIps().stream().map(IpAddresses::format).toList();
                Allocation allocation = allocate(request.id(), def, a, old, newlyAllocated);
                MacAddress mac = a.staticMac() != null ? a.staticMac()
                        : old != null ? MacAddress.parse(old.mac()) : MacAddress.randomLocal();
                List<String> addresses = new ArrayList<>();
                List<String> gateways = new ArrayList<>();
                for (Cidr c : allocation.addresses()) {
                    addresses.add(c.toString());
                    gateways.add(gatewayOf(def, c.address()));
                }
                attachments.add(new PodState.Attachment(a.network(), names.get(a.network()),
                        KernelNames.hostVeth(request.id(), a.network()), def.bridgeName(), mac.toString(),
                        addresses, gateways, statics));
            }
        } catch (RuntimeException e) {
            newlyAllocated.forEach(network -> ipam.release(network, request.id()));
            throw e;
        }
        String netnsPath = netns.pathOf(KernelNames.netns(request.id())).toString();
        return new PodState(PodState.CURRENT_VERSION, request.id(), request.displayName(), request.mode(), netnsPath, true, attachments);
    }

    /**
     * The pod's addresses on the network: the ones it holds (IPAM moves only a static address
     * that changed), or, when IPAM lost them, the ones its own record names if still free.
     */
    private Allocation allocate(String podId, NetworkDefinition def, AttachmentRequest a, PodState.Attachment old,
            List<String> newlyAllocated) {
        boolean held = ipam.find(def.name(), podId).isPresent();
        if (!held && old != null && !old.addresses().isEmpty()) {
            held = reserveKnown(podId, old);
        }
        try {
            Allocation allocation = ipam.allocate(def.name(), def.subnets(), podId, a.staticIps());
            if (!held) {
                newlyAllocated.add(def.name());
            }
            return allocation;
        } catch (IpamException e) {
            throw rejected(def, e);
        }
    }

    private boolean reserveKnown(String podId, PodState.Attachment a) {
        try {
            ipam.reserve(a.network(), podId, a.addresses().stream().map(Cidr::parse).toList());
            return true;
        } catch (IpamException e) {
            LOG.warnf("pod %s cannot keep %s on network %s: %s", podId, a.addresses(), a.network(), e.getMessage());
            return false;
        }
    }

    /** At start: every known pod's addresses back into IPAM before anything new is allocated. */
    private void reserveKnownAddresses() {
        for (String id : store.ids()) {
            store.load(id).ifPresent(state -> state.attachments().forEach(a -> reserveKnown(id, a)));
        }
    }

    private static RejectedRequestException rejected(NetworkDefinition def, IpamException e) {
        String reason = switch (e.reason()) {
            case Taken -> "StaticIPTaken";
            case OutsideSubnet -> "StaticIPOutsideSubnet";
            case Reserved -> "StaticIPReserved";
            case Exhausted -> "SubnetExhausted";
            case Corrupt -> "IpamStateCorrupt";
        };
        return new RejectedRequestException(Stage.NETWORKS, reason, "network \"" + def.name() + "\": " + e.getMessage());
    }

    private static String gatewayOf(NetworkDefinition def, InetAddress address) {
        for (Subnet s : def.subnets()) {
            if (s.subnet().contains(address)) {
                return s.gateway() == null ? "" : IpAddresses.format(s.gateway());
            }
        }
        return "";
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
    private void apply(PodState state, PodState prior, StepClock clock) {
        NetnsManager.Created<RtnlClient> created;
        try {
            created = netns.createOrOpen(KernelNames.netns(state.id()), path -> openPodClient());
        } catch (NetnsException | IllegalArgumentException e) {
            throw new SetupFailedException(Stage.NETNS, "NetnsCreateFailed", e.getMessage(), e);
        }
        clock.lap("netns");
        if (prior != null && created.created()) {
            observer.repaired("netns");
        }
        try (Netns ns = created.netns(); RtnlClient pod = created.value()) {
            for (int i = 0; i < state.attachments().size(); i++) {
                PodState.Attachment a = state.attachments().get(i);
                NetworkDefinition def = networks.get(a.network()).orElseThrow(() -> new SetupFailedException(Stage.NETWORKS,
                        "UnknownNetwork", "network \"" + a.network() + "\" is no longer defined on this node", null));
                ReentrantLock bridgeLock = bridges.lock(def.bridgeName());
                bridgeLock.lock();
                java.util.function.Consumer<String> repaired = prior != null && prior.attachment(a.network()) != null
                        ? observer::repaired : kind -> { };
                try {
                    int bridge = bridges.ensure(def, repaired);
                    clock.lap("bridge");
                    VethAttacher.attach(host, pod, ns, bridge, def.mtu(), def.internal(), a, VethAttacher.BASE_ROUTE_METRIC + i, repaired);
                    clock.lap("interface");
                } finally {
                    bridgeLock.unlock();
                }
            }
        }
    }

    /** Runs inside the pod's namespace: a netlink socket bound there, and loopback up. */
    private static RtnlClient openPodClient() {
        RtnlClient pod = RtnlClient.open();
        try {
            pod.link("lo").filter(l -> !l.isUp()).ifPresent(l -> pod.setUp(l.index()));
            return pod;
        } catch (RuntimeException e) {
            pod.close();
            throw e;
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

    /** Removes the pod's links, namespace, addresses and state; each step tolerates what is gone. */
    private void removeEverything(String podId, PodState state, StepClock clock) {
        if (state != null) {
            detachAll(state.attachments());
        } else {
            // no record: remove what our naming says could be there
            for (NetworkDefinition def : networks.all()) {
                detachAll(List.of(new PodState.Attachment(def.name(), "", KernelNames.hostVeth(podId, def.name()),
                        def.bridgeName(), "", List.of(), List.of(), List.of())));
            }
        }
        clock.lap("interfaces");
        if (state == null || state.ownsNetns()) {
            netns.delete(KernelNames.netns(podId));
        }
        clock.lap("netns");
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
                bridges.removeIfUnused(a.bridge());
            } finally {
                bridgeLock.unlock();
            }
        }
    }

    private static PodResult result(PodState state) {
        Map<String, PodResult.NetworkResult> out = new LinkedHashMap<>();
        for (PodState.Attachment a : state.attachments()) {
            List<PodResult.AddressResult> addresses = new ArrayList<>();
            for (int i = 0; i < a.addresses().size(); i++) {
                String gw = a.gateways().get(i);
                addresses.add(new PodResult.AddressResult(Cidr.parse(a.addresses().get(i)), gw.isEmpty() ? null : IpAddresses.parse(gw)));
            }
            out.put(a.network(), new PodResult.NetworkResult(
                    Map.of(a.interfaceName(), new PodResult.InterfaceResult(MacAddress.parse(a.mac()), addresses)),
                    List.of(), List.of()));
        }
        return new PodResult(java.nio.file.Path.of(state.netnsPath()), out);
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
        Map<String, io.podnet.netlink.Link> byName = new java.util.HashMap<>();
        for (io.podnet.netlink.Link l : host.links()) {
            if (l.name().startsWith(KernelNames.VETH_PREFIX)) {
                byName.put(l.name(), l);
            }
        }
        Map<String, Map<String, InterfaceCounters>> out = new LinkedHashMap<>();
        for (PodState state : store.all()) {
            Map<String, InterfaceCounters> pod = new LinkedHashMap<>();
            for (PodState.Attachment a : state.attachments()) {
                io.podnet.netlink.Link l = byName.get(a.hostVeth());
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
        host.close();
    }

}
