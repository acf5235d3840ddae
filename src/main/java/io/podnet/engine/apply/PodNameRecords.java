package io.podnet.engine.apply;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

import io.podnet.dns.DnsRecords;
import io.podnet.engine.plan.PodState;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.netconf.Subnet;

/**
 * The record table of one namespace's name server, from the pods' state: every dns_enabled
 * network its pods are on (its gateways to listen on, its subnets, its {@code network_dns_servers}
 * and {@code dns_bind_port}), and each pod's names and addresses there (see
 * {@link PodDnsFiles#names}), with the pod's own upstreams.
 */
public final class PodNameRecords {
    private PodNameRecords() {
    }

    /** @param defaultUpstreams where other names go for pods whose networks name no servers */
    public static DnsRecords of(Collection<PodState> pods, NetworkDefinitions networks, List<InetAddress> defaultUpstreams) {
        DnsRecords.Builder b = DnsRecords.builder().defaultUpstreams(defaultUpstreams);
        List<String> added = new ArrayList<>();
        for (PodState pod : pods) {
            List<InetAddress> upstreams = pod.dns().upstreams().stream().map(IpAddresses::parse).toList();
            for (PodState.Attachment a : pod.attachments()) {
                NetworkDefinition def = networks.get(a.network()).orElse(null);
                if (def == null || !def.dnsEnabled()) {
                    continue;
                }
                if (!added.contains(def.name())) {
                    b.network(network(def));
                    added.add(def.name());
                }
                List<InetAddress> addresses = a.addresses().stream().map(c -> Cidr.parse(c).address()).toList();
                b.pod(pod.id(), def.name(), addresses, PodDnsFiles.names(pod.hostname(), a, pod.id()), upstreams);
            }
        }
        return b.build();
    }

    private static DnsRecords.Network network(NetworkDefinition def) {
        return new DnsRecords.Network(def.name(), def.subnets().stream().map(Subnet::subnet).toList(),
                def.subnets().stream().map(Subnet::gateway).filter(Objects::nonNull).toList(), def.dns().bindPort(), def.dns().servers(),
                def.internal());
    }
}
