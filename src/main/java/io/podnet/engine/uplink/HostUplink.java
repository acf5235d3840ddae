package io.podnet.engine.uplink;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.podnet.engine.apply.Bridges;
import io.podnet.engine.plan.PodState;
import io.podnet.firewall.DnatRule;
import io.podnet.firewall.NetworkRules;
import io.podnet.firewall.NftFirewall;
import io.podnet.inet.Cidr;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.Subnet;
import io.podnet.netlink.RtnlClient;

/** Rootful pods: bridges and veth ends in the host namespace, ports by nftables DNAT there. */
public final class HostUplink implements Uplink {
    private final RtnlClient host;
    private final Bridges bridges;
    private final NftFirewall firewall;
    /** Bridges the firewall was told about in this engine's life; the node resync re-checks them. */
    private final Set<String> firewalled = ConcurrentHashMap.newKeySet();

    public HostUplink(RtnlClient host, Bridges bridges, NftFirewall firewall) {
        this.host = host;
        this.bridges = bridges;
        this.firewall = firewall;
    }

    @Override
    public RtnlClient client() {
        return host;
    }

    @Override
    public Bridges bridges() {
        return bridges;
    }

    public NftFirewall firewall() {
        return firewall;
    }

    @Override
    public void ensureNetwork(NetworkDefinition def) {
        if (firewalled.add(def.bridgeName())) {
            try {
                firewall.ensureNetwork(rules(def));
            } catch (RuntimeException e) {
                firewalled.remove(def.bridgeName());
                throw e;
            }
        }
    }

    @Override
    public void networkRemoved(NetworkDefinition def) {
        firewalled.remove(def.bridgeName());
        firewall.removeNetwork(rules(def));
    }

    @Override
    public void applyPorts(PodState state) {
        firewall.applyPod(state.id(), dnatRules(state));
    }

    @Override
    public void removePorts(String podId) {
        firewall.removePod(podId);
    }

    /**
     * What a bridge network needs in its namespace's firewall: masquerade unless internal, its
     * isolation, and the redirect to its name server's port when that is not 53.
     */
    public static NetworkRules rules(NetworkDefinition def) {
        List<DnatRule> dns = def.dnsEnabled()
                ? NetworkRules.dnsRedirects(def.subnets().stream().map(Subnet::gateway).filter(Objects::nonNull).toList(), def.dns().bindPort())
                : List.of();
        return new NetworkRules(def.bridgeName(), subnets(def), def.internal(), def.isolate(), dns);
    }

    public static List<Cidr> subnets(NetworkDefinition def) {
        return def.subnets().stream().map(Subnet::subnet).toList();
    }

    /** A pod's port mappings, to the addresses of its first network (one rule per family). */
    public static List<DnatRule> dnatRules(PodState state) {
        if (state.ports().isEmpty() || state.attachments().isEmpty()) {
            return List.of();
        }
        List<InetAddress> podIps = state.attachments().get(0).addresses().stream().map(a -> Cidr.parse(a).address()).toList();
        return DnatRule.forMappings(state.ports(), podIps);
    }
}
