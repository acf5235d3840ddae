package io.podnet.engine.plan;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.PodRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.Stage;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.inet.PortMapping;
import io.podnet.ipam.Allocation;
import io.podnet.ipam.Ipam;
import io.podnet.ipam.IpamException;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.netconf.Subnet;
import io.podnet.ports.HostPortProbe;
import io.podnet.ports.HostPortRegistry;
import io.podnet.policy.NodePolicy;
import io.podnet.ports.PortPolicy;
import io.podnet.ports.PortRefusedException;

/**
 * Decides, before any kernel change, everything a pod's setup will create: interface names,
 * MACs and addresses for each network, keeping what the pod already has. Refusals (an address
 * taken, a name in use) leave IPAM as it was.
 */
public final class Planner {
    private static final Logger LOG = Logger.getLogger(Planner.class);

    private final Supplier<NetworkDefinitions> networks;
    private final Ipam ipam;
    private final HostPortRegistry hostPorts;
    private final PortPolicy portPolicy;
    private final NodePolicy policy;
    private final Supplier<HostPortProbe> listening;
    private final java.util.function.Function<String, String> podNames;
    /**
     * namespace/name of the pods planned since start: a pod that won a race a moment ago has no
     * record yet, and the losers' conditions must still name it, not its id.
     */
    private final Map<String, String> plannedNames = new ConcurrentHashMap<>();
    private final MacClaims macs = new MacClaims();
    private static final Pattern IPAM_HOLDER = Pattern.compile("held by (\\S+)$");

    /**
     * @param networks the definitions in effect (read again while the agent runs)
     * @param policy the node policy: random host ports are picked in the ranges it grants the pod's namespace
     * @param listening a snapshot of the host's listening sockets, taken only when a random host
     *        port must be picked
     * @param podNames pod id -> "namespace/name", to name the holder of a conflicting port
     */
    public Planner(Supplier<NetworkDefinitions> networks, Ipam ipam, HostPortRegistry hostPorts, PortPolicy portPolicy, NodePolicy policy,
            Supplier<HostPortProbe> listening, java.util.function.Function<String, String> podNames) {
        this.networks = networks;
        this.ipam = ipam;
        this.hostPorts = hostPorts;
        this.portPolicy = portPolicy;
        this.policy = policy;
        this.listening = listening;
        this.podNames = podNames;
    }

    /**
     * @param foreignLinks names of links already in a joined namespace that are not podnet's;
     *        empty for namespaces podnet creates
     */
    public PodState plan(PodRequest request, PodState prior, String netnsPath, boolean ownsNetns, Set<String> foreignLinks) {
        plannedNames.put(request.id(), request.displayName());
        Map<String, String> names = interfaceNames(request, prior, foreignLinks);
        NetworkDefinitions networks = this.networks.get();
        List<PodState.Attachment> attachments = new ArrayList<>();
        List<String> newlyAllocated = new ArrayList<>();
        try {
            for (AttachmentRequest a : request.attachments()) {
                NetworkDefinition def = networks.get(a.network()).orElseThrow();
                PodState.Attachment old = prior == null ? null : prior.attachment(a.network());
                Allocation allocation = allocate(request.id(), def, a, old, newlyAllocated);
                MacAddress mac = a.staticMac() != null ? a.staticMac()
                        : old != null ? MacAddress.parse(old.mac()) : MacAddress.randomLocal();
                List<String> addresses = new ArrayList<>();
                List<String> gateways = new ArrayList<>();
                for (Cidr c : allocation.addresses()) {
                    addresses.add(c.toString());
                    gateways.add(gatewayOf(def, c.address()));
                }
                attachments.add(new PodState.Attachment(a.network(), def.driver(), names.get(a.network()),
                        KernelNames.hostVeth(request.id(), a.network()), def.bridgeName(), mac.toString(), addresses, gateways,
                        a.staticIps().stream().map(IpAddresses::format).toList(), a.aliases()));
            }
            claimMacs(request.id(), attachments);
            List<PortMapping> ports;
            try {
                ports = reservePorts(request);
            } catch (RuntimeException e) {
                if (prior == null) {
                    macs.release(request.id());
                } else {
                    claimMacs(request.id(), prior.attachments());
                }
                throw e;
            }
            return new PodState(PodState.CURRENT_VERSION, request.id(), request.displayName(), request.hostname(), request.mode(),
                    request.netns().kind().name(), netnsPath, request.netns().pid(), ownsNetns, attachments, ports,
                    prior == null ? PodState.Dns.NONE : prior.dns());
        } catch (RuntimeException e) {
            newlyAllocated.forEach(network -> ipam.release(network, request.id()));
            throw e;
        }
    }

    /** The pod's MACs, one per network, refused when another pod on that network has one of them. */
    private void claimMacs(String podId, List<PodState.Attachment> attachments) {
        Map<String, MacAddress> wanted = new LinkedHashMap<>();
        attachments.forEach(a -> wanted.put(a.network(), MacAddress.parse(a.mac())));
        macs.claim(podId, wanted).ifPresent(taken -> {
            throw new RejectedRequestException(Stage.NETWORKS, "StaticMACTaken", "network \"" + taken.getKey() + "\": MAC "
                    + wanted.get(taken.getKey()) + " is already used by " + holderName(taken.getValue()));
        });
    }

    /** At start: the MACs of a pod the node already has (a MAC two records share stays with the first). */
    public void restore(PodState state) {
        try {
            claimMacs(state.id(), state.attachments());
        } catch (RejectedRequestException e) {
            LOG.warnf("pod %s: %s", state.id(), e.getMessage());
        }
    }

    /** The pod is gone: its MACs are free and its name no longer needed. */
    public void forget(String podId) {
        macs.release(podId);
        plannedNames.remove(podId);
    }

    /** namespace/name of the pod with id {@code podId}, for messages. */
    private String holderName(String podId) {
        String planned = plannedNames.get(podId);
        return planned != null ? planned : podNames.apply(podId);
    }

    /**
     * Reserves the pod's host ports on the node, all or none: random ones picked, conflicts with
     * other pods, the deny list and the minimum refused, naming the port and who holds it.
     */
    private List<PortMapping> reservePorts(PodRequest request) {
        List<PortMapping> wanted = request.ports();
        if (wanted.isEmpty()) {
            hostPorts.release(request.id());
            return List.of();
        }
        if (request.attachments().isEmpty()) {
            throw new RejectedRequestException(Stage.PORTS, "PortsNeedANetwork",
                    "port mappings need at least one network: a loopback-only pod cannot be reached");
        }
        try {
            PortPolicy granted = portPolicy.grantedOnly(policy.powersOf(request.tenant()).hostPorts());
            return hostPorts.reserve(request.id(), wanted, granted, HostPortProbe.lazy(listening));
        } catch (PortRefusedException e) {
            String holder = e.holder();
            String message = holder != null && !holder.equals("policy") && !holder.equals(request.id())
                    ? e.getMessage().replace(holder, holderName(holder))
                    : e.getMessage();
            throw new RejectedRequestException(Stage.PORTS, e.reason(), message);
        }
    }

    /**
     * Asked-for names first; then the name an attachment already has, unless another network now
     * asks for it; then the first free ethN, also free of the joined namespace's own links.
     */
    private static Map<String, String> interfaceNames(PodRequest request, PodState prior, Set<String> foreignLinks) {
        Set<String> explicit = new HashSet<>();
        for (AttachmentRequest a : request.attachments()) {
            if (a.interfaceName() == null) {
                continue;
            }
            explicit.add(a.interfaceName());
            if (foreignLinks.contains(a.interfaceName())) {
                throw new RejectedRequestException(Stage.NETWORKS, "InterfaceNameTaken", "interface name \"" + a.interfaceName()
                        + "\" is already used in the namespace by a link podnet did not create");
            }
        }
        Map<String, String> names = new LinkedHashMap<>();
        Set<String> used = new HashSet<>(explicit);
        used.addAll(foreignLinks);
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
        return names;
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
            throw rejected(def, e, podId);
        }
    }

    public boolean reserveKnown(String podId, PodState.Attachment a) {
        try {
            ipam.reserve(a.network(), podId, a.addresses().stream().map(Cidr::parse).toList());
            return true;
        } catch (IpamException e) {
            LOG.warnf("pod %s cannot keep %s on network %s: %s", podId, a.addresses(), a.network(), e.getMessage());
            return false;
        }
    }

    private RejectedRequestException rejected(NetworkDefinition def, IpamException e, String podId) {
        String reason = switch (e.reason()) {
            case Taken -> "StaticIPTaken";
            case OutsideSubnet -> "StaticIPOutsideSubnet";
            case Reserved -> "StaticIPReserved";
            case Exhausted -> "SubnetExhausted";
            case Corrupt -> "IpamStateCorrupt";
        };
        String message = e.getMessage();
        Matcher holder = IPAM_HOLDER.matcher(message);
        if (e.reason() == IpamException.Reason.Taken && holder.find() && !holder.group(1).equals(podId)) {
            // IPAM knows owners by id; the user knows pods by namespace/name
            message = message.substring(0, holder.start(1)) + holderName(holder.group(1));
        }
        return new RejectedRequestException(Stage.NETWORKS, reason, "network \"" + def.name() + "\": " + message);
    }

    private static String gatewayOf(NetworkDefinition def, InetAddress address) {
        for (Subnet s : def.subnets()) {
            if (s.subnet().contains(address)) {
                return s.gateway() == null ? "" : IpAddresses.format(s.gateway());
            }
        }
        return "";
    }
}
