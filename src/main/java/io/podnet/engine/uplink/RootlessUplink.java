package io.podnet.engine.uplink;

import java.net.InetAddress;

import io.podnet.engine.apply.Bridges;
import io.podnet.engine.plan.PodState;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netlink.RtnlClient;

/**
 * Rootless pods: bridges and veth ends inside the shared rootless netns, egress masqueraded
 * towards its helper, ports through the userspace forwarder. No host bridge, host route or host
 * firewall rule is involved.
 */
public final class RootlessUplink implements Uplink {
    private final RootlessSide side;

    public RootlessUplink(RootlessSide side) {
        this.side = side;
    }

    @Override
    public RtnlClient client() {
        return side.client();
    }

    @Override
    public Bridges bridges() {
        return side.bridges();
    }

    @Override
    public void ensureNetwork(NetworkDefinition def) {
        side.ensureNetwork(HostUplink.rules(def));
    }

    @Override
    public void networkRemoved(NetworkDefinition def) {
        // the rootless netns goes with its last pod; a network's masquerade there is harmless until then
    }

    /** Forwards to the pod's first IPv4 address on its first network (else its first address). */
    @Override
    public void applyPorts(PodState state) {
        InetAddress podIp = null;
        if (!state.attachments().isEmpty()) {
            for (String a : state.attachments().get(0).addresses()) {
                InetAddress ip = Cidr.parse(a).address();
                if (podIp == null || (IpAddresses.isV4(ip) && !IpAddresses.isV4(podIp))) {
                    podIp = ip;
                }
            }
        }
        side.forward(state.id(), state.ports(), podIp);
    }

    @Override
    public void removePorts(String podId) {
        side.stopForwards(podId);
    }
}
