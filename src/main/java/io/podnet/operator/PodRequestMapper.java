package io.podnet.operator;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import io.podnet.api.DnsSpec;
import io.podnet.api.Mode;
import io.podnet.api.NetnsSpec;
import io.podnet.api.NetnsType;
import io.podnet.api.NetworkAttachment;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkSpec;
import io.podnet.api.PortMappingSpec;
import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.Stage;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;
import io.podnet.policy.Tenant;

/**
 * Turns a PodNetwork's spec into the engine's plain request. Everything the CRD schema checks is
 * checked again here (an API server may not enforce CEL, and the embedded one enforces none):
 * a value that does not parse is rejected with a reason naming the field.
 */
final class PodRequestMapper {
    private static final Pattern UID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");

    private PodRequestMapper() {
    }

    /** @param tenant the PodNetwork's namespace as the node policy sees it */
    static PodRequest toRequest(PodNetwork pn, Tenant tenant) {
        PodNetworkSpec spec = pn.getSpec();
        if (spec == null) {
            throw new RejectedRequestException(Stage.NETNS, "InvalidSpec", "spec is missing");
        }
        if (spec.getMappingProblem() != null) {
            throw new RejectedRequestException(Stage.NETNS, "InvalidSpec", "the spec does not fit the PodNetwork model, nothing was changed: "
                    + spec.getMappingProblem());
        }
        String uid = pn.getMetadata().getUid();
        if (uid == null || !UID.matcher(uid).matches()) {
            throw new RejectedRequestException(Stage.NETNS, "InvalidSpec", "metadata.uid \"" + uid + "\" is not a valid UID");
        }
        String display = pn.getMetadata().getNamespace() + "/" + pn.getMetadata().getName();
        PodRequest request;
        try {
            request = new PodRequest(uid, display, pn.getMetadata().getName(), tenant, spec.getMode() == Mode.Rootless ? PodMode.ROOTLESS : PodMode.ROOTFUL,
                    netns(spec.getNetns()), attachments(spec.getNetworks()), ports(spec.getPortMappings()), dns(spec.getDns()));
        } catch (NullPointerException e) {
            SchemaRules.check(spec, "spec."); // a null list item: refused by the schema, with the field named
            throw e;
        }
        // after the field-specific reasons above (InvalidMAC, InvalidPortRange, ...): what they leave, the schema's own rules catch
        SchemaRules.check(spec, "spec.");
        return request;
    }

    private static NetnsRequest netns(NetnsSpec spec) {
        if (spec == null) {
            return NetnsRequest.NEW;
        }
        NetnsType type = spec.getType() == null ? NetnsType.New : spec.getType();
        // the CRD's CEL rules: a path or pid given with another type is refused, not ignored
        if (spec.getPath() != null && type != NetnsType.Path) {
            throw new RejectedRequestException(Stage.NETNS, "InvalidNetnsPath", "netns.path is only allowed when netns.type is Path");
        }
        if (spec.getPid() != null && type != NetnsType.Pid) {
            throw new RejectedRequestException(Stage.NETNS, "InvalidPid", "netns.pid is only allowed when netns.type is Pid");
        }
        return switch (type) {
            case New -> NetnsRequest.NEW;
            case Path -> {
                if (spec.getPath() == null || !spec.getPath().startsWith("/")) {
                    throw new RejectedRequestException(Stage.NETNS, "InvalidNetnsPath", "netns.path must be an absolute path");
                }
                yield new NetnsRequest(NetnsRequest.Kind.PATH, Path.of(spec.getPath()), 0);
            }
            case Pid -> {
                if (spec.getPid() == null || spec.getPid() < 2) {
                    throw new RejectedRequestException(Stage.NETNS, "InvalidPid", "netns.pid must be a process id above 1");
                }
                yield new NetnsRequest(NetnsRequest.Kind.PID, null, spec.getPid());
            }
        };
    }

    private static List<AttachmentRequest> attachments(List<NetworkAttachment> networks) {
        List<AttachmentRequest> out = new ArrayList<>();
        for (int i = 0; i < networks.size(); i++) {
            NetworkAttachment n = networks.get(i);
            String field = "networks[" + i + "]";
            if (n == null || n.getName() == null || n.getName().isEmpty()) {
                throw new RejectedRequestException(Stage.NETWORKS, "InvalidSpec", field + ".name is required");
            }
            List<InetAddress> ips = new ArrayList<>();
            for (String ip : n.getStaticIPs()) {
                try {
                    ips.add(IpAddresses.parseApiAddress(ip));
                } catch (IllegalArgumentException e) {
                    throw new RejectedRequestException(Stage.NETWORKS, "InvalidStaticIP", field + ".staticIPs: " + e.getMessage());
                }
            }
            MacAddress mac = null;
            if (n.getStaticMAC() != null) {
                try {
                    mac = MacAddress.parse(n.getStaticMAC());
                } catch (IllegalArgumentException e) {
                    throw new RejectedRequestException(Stage.NETWORKS, "InvalidMAC", field + ".staticMAC: " + e.getMessage());
                }
            }
            out.add(new AttachmentRequest(n.getName(), n.getInterfaceName(), ips, mac, n.getAliases()));
        }
        return out;
    }

    /** One mapping per protocol of each entry, checked by the one range rule before anything else sees it. */
    private static List<PortMapping> ports(List<PortMappingSpec> mappings) {
        List<PortMapping> out = new ArrayList<>();
        for (int i = 0; i < mappings.size(); i++) {
            PortMappingSpec m = mappings.get(i);
            String field = "portMappings[" + i + "]";
            InetAddress hostIp = null;
            if (m.getHostIP() != null) { // present but empty is no address, as the CRD's isIP says
                try {
                    hostIp = IpAddresses.parseApiAddress(m.getHostIP());
                } catch (IllegalArgumentException e) {
                    throw new RejectedRequestException(Stage.PORTS, "InvalidHostIP", field + ".hostIP: " + e.getMessage());
                }
            }
            int hostPort = m.getHostPort() == null ? 0 : m.getHostPort();
            int range = m.getRange() == null ? 1 : m.getRange();
            int containerPort = m.getContainerPort() == null ? 0 : m.getContainerPort();
            List<PortMapping> expanded = PortMapping.forProtocols(hostIp, hostPort, containerPort,
                    protocols(m.getProtocol(), field), range);
            expanded.get(0).problem().ifPresent(problem -> {
                throw new RejectedRequestException(Stage.PORTS, problem.reason(), field + ": " + problem.message());
            });
            out.addAll(expanded);
        }
        return out;
    }

    private static Set<Protocol> protocols(String text, String field) {
        Set<Protocol> set = EnumSet.noneOf(Protocol.class);
        for (String p : (text == null || text.isEmpty() ? "tcp" : text).split(",")) {
            switch (p.trim()) {
                case "tcp" -> set.add(Protocol.TCP);
                case "udp" -> set.add(Protocol.UDP);
                case "sctp" -> set.add(Protocol.SCTP);
                default -> throw new RejectedRequestException(Stage.PORTS, "InvalidProtocol",
                        field + ".protocol: \"" + p + "\" is not tcp, udp or sctp");
            }
        }
        return set;
    }

    private static DnsRequest dns(DnsSpec dns) {
        if (dns == null) {
            return DnsRequest.NONE;
        }
        List<InetAddress> servers = new ArrayList<>();
        for (String s : dns.getServers()) {
            try {
                servers.add(IpAddresses.parseApiAddress(s));
            } catch (IllegalArgumentException e) {
                throw new RejectedRequestException(Stage.NETWORKS, "InvalidDNSServer", "dns.servers: " + e.getMessage());
            }
        }
        return new DnsRequest(servers, dns.getSearches(), dns.getOptions());
    }
}
