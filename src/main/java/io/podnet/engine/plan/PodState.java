package io.podnet.engine.plan;

import java.util.List;

import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.inet.PortMapping;

/**
 * What the engine intends for one pod, persisted before the kernel steps that need it, so that a
 * restarted agent adopts the same names, MACs and addresses, or removes them when the pod is gone.
 *
 * @param netnsKind NEW, PATH or PID
 * @param netnsPath the namespace file; for NEW and PID, {@code <netns dir>/podnet-<id>}
 * @param netnsPid the process of a PID namespace, 0 otherwise
 * @param ownsNetns whether podnet made the namespace file (and removes it on teardown; for PID
 *        that only unmounts it, the process keeps its namespace)
 * @param ports the port mappings as reserved, random host ports resolved
 * @param dns what podnet wrote into the pod's hosts and resolv.conf, to replace it next time
 */
public record PodState(int version, String id, String displayName, String hostname, PodMode mode, String netnsKind,
        String netnsPath, int netnsPid, boolean ownsNetns, List<Attachment> attachments, List<PortMapping> ports, Dns dns) {
    public static final int CURRENT_VERSION = 1;

    public PodState {
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        ports = ports == null ? List.of() : List.copyOf(ports);
        netnsKind = netnsKind == null ? NetnsRequest.Kind.NEW.name() : netnsKind;
        dns = dns == null ? Dns.NONE : dns;
    }

    /**
     * One network attached to the pod.
     *
     * @param driver the network driver that attached it, so that it detaches it even once the
     *        network is no longer defined (state files from before drivers read as "bridge")
     * @param hostVeth the host-side veth
     * @param addresses addresses in CIDR form, as on the interface
     * @param gateways per address, the gateway of its subnet or "" when none
     */
    public record Attachment(String network, String driver, String interfaceName, String hostVeth, String bridge, String mac,
            List<String> addresses, List<String> gateways, List<String> staticIps, List<String> aliases) {
        public Attachment {
            driver = driver == null ? "bridge" : driver;
            addresses = List.copyOf(addresses);
            gateways = List.copyOf(gateways);
            staticIps = staticIps == null ? List.of() : List.copyOf(staticIps);
            aliases = aliases == null ? List.of() : List.copyOf(aliases);
        }
    }

    /**
     * The pod's DNS files as podnet last wrote them.
     *
     * @param upstreams where the name server of its dns_enabled networks sends the pod's other
     *        names: the spec's servers, which its resolv.conf then leaves out (as Podman does with
     *        aardvark-dns); empty for its networks' own or the host's
     */
    public record Dns(List<String> servers, List<String> searches, List<String> options, List<List<String>> hosts,
            List<String> upstreams) {
        public static final Dns NONE = new Dns(List.of(), List.of(), List.of(), List.of(), List.of());

        public Dns {
            servers = servers == null ? List.of() : List.copyOf(servers);
            searches = searches == null ? List.of() : List.copyOf(searches);
            options = options == null ? List.of() : List.copyOf(options);
            hosts = hosts == null ? List.of() : hosts.stream().map(List::copyOf).toList();
            upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
        }
    }

    public boolean joined() {
        return !NetnsRequest.Kind.NEW.name().equals(netnsKind);
    }

    public PodState withDns(Dns next) {
        return new PodState(version, id, displayName, hostname, mode, netnsKind, netnsPath, netnsPid, ownsNetns, attachments, ports, next);
    }

    public Attachment attachment(String network) {
        for (Attachment a : attachments) {
            if (a.network().equals(network)) {
                return a;
            }
        }
        return null;
    }
}
