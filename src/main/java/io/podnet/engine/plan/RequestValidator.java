package io.podnet.engine.plan;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.Stage;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.Protocol;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.policy.Asked;
import io.podnet.policy.NetnsJoin;
import io.podnet.policy.NodePolicy;
import io.podnet.policy.Refusal;

/**
 * Checks a request against the node policy, then the node's network definitions, before anything
 * is changed. What it refuses never reaches the kernel. (Address conflicts are found by IPAM, also
 * before any change.) The policy comes first, so a namespace without the grant learns nothing of
 * the node's files and processes.
 */
public final class RequestValidator {
    private RequestValidator() {
    }

    public static void validate(PodRequest request, NetworkDefinitions networks, NetnsPolicy netnsPolicy, NodePolicy policy) {
        checkGranted(request, policy);
        if (request.mode() == PodMode.ROOTLESS && request.ports().stream().anyMatch(p -> p.protocol() == Protocol.SCTP)) {
            throw new RejectedRequestException(Stage.PORTS, "SctpNotSupportedRootless",
                    "rootless port mappings go through a userspace forwarder, which carries tcp and udp only");
        }
        netnsPolicy.check(request.id(), request.netns());
        Set<String> seenNetworks = new HashSet<>();
        Set<String> seenInterfaces = new HashSet<>();
        for (AttachmentRequest a : request.attachments()) {
            NetworkDefinition def = definition(networks, a.network());
            if (!seenNetworks.add(a.network())) {
                throw new RejectedRequestException(Stage.NETWORKS, "DuplicateNetwork", "network \"" + a.network() + "\" is listed twice");
            }
            if (a.interfaceName() != null) {
                String problem = InterfaceNames.problem(a.interfaceName());
                if (problem != null) {
                    throw new RejectedRequestException(Stage.NETWORKS, "InvalidInterfaceName", problem);
                }
                if (!seenInterfaces.add(a.interfaceName())) {
                    throw new RejectedRequestException(Stage.NETWORKS, "DuplicateInterfaceName",
                            "interface name \"" + a.interfaceName() + "\" is used twice");
                }
            }
            checkStaticIps(a, def);
            if (a.staticMac() != null && (a.staticMac().isMulticast() || a.staticMac().isZero())) {
                throw new RejectedRequestException(Stage.NETWORKS, "InvalidMAC",
                        "staticMAC " + a.staticMac() + " of network \"" + a.network() + "\" must be a unicast, non-zero address");
            }
        }
    }

    /**
     * The usable definition of the network, or a refusal: for a network whose file is bad, the
     * file and its problem (the agent started without that network); else the networks there are.
     */
    private static NetworkDefinition definition(NetworkDefinitions networks, String name) {
        return networks.get(name).orElseThrow(() -> networks.unavailable(name)
                .map(e -> new RejectedRequestException(Stage.NETWORKS, e.reason(), "network \"" + name
                        + "\" is unavailable on this node: its definition " + e.getMessage()))
                .orElseGet(() -> new RejectedRequestException(Stage.NETWORKS, "UnknownNetwork", "network \"" + name
                        + "\" is not defined on this node (known: "
                        + String.join(", ", networks.all().stream().map(NetworkDefinition::name).sorted().toList()) + ")")));
    }

    /** The node policy's verdict, as the chart's admission policy gives it in the API server. */
    public static void checkGranted(PodRequest request, NodePolicy policy) {
        policy.powersOf(request.tenant()).refusal(asked(request)).ifPresent(r -> {
            throw new RejectedRequestException(stageOf(r.power()), r.reason(), r.message());
        });
    }

    private static Asked asked(PodRequest request) {
        NetnsJoin join = switch (request.netns().kind()) {
            case NEW -> null;
            case PATH -> NetnsJoin.Path;
            case PID -> NetnsJoin.Pid;
        };
        return new Asked(request.mode() == PodMode.ROOTFUL, join, request.ports());
    }

    private static Stage stageOf(Refusal.Power power) {
        return switch (power) {
            case ROOTFUL -> Stage.NETWORKS;
            case NETNS_JOIN -> Stage.NETNS;
            case HOST_PORTS, HOST_IPS -> Stage.PORTS;
        };
    }

    /** Each static IP in a subnet of the network, none twice; several may share a subnet, as in netavark. */
    private static void checkStaticIps(AttachmentRequest a, NetworkDefinition def) {
        Set<InetAddress> seen = new HashSet<>();
        for (InetAddress ip : a.staticIps()) {
            if (def.subnets().stream().noneMatch(s -> s.subnet().contains(ip))) {
                throw new RejectedRequestException(Stage.NETWORKS, "StaticIPOutsideSubnet", "static IP " + IpAddresses.format(ip)
                        + " is outside the subnets of network \"" + def.name() + "\" ("
                        + String.join(", ", def.subnets().stream().map(s -> s.subnet().toString()).toList()) + ")");
            }
            if (!seen.add(ip)) {
                throw new RejectedRequestException(Stage.NETWORKS, "DuplicateStaticIP",
                        "static IP " + IpAddresses.format(ip) + " of network \"" + def.name() + "\" is listed twice");
            }
        }
    }
}
