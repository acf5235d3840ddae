package io.podnet.engine.uplink;

import io.podnet.engine.apply.Bridges;
import io.podnet.engine.plan.PodState;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netlink.RtnlClient;

/**
 * Where the other ends of a pod's veths live and how its ports are exposed: the host namespace
 * with nftables DNAT for rootful pods, the shared rootless netns with the userspace forwarder for
 * rootless ones. The engine's steps are the same for both.
 */
public interface Uplink {
    /** Netlink in the namespace holding the bridges and the veths' other ends. */
    RtnlClient client();

    Bridges bridges();

    /** The network's firewall objects (masquerade, route_localnet): called once per bridge. */
    void ensureNetwork(NetworkDefinition def);

    void networkRemoved(NetworkDefinition def);

    /** Makes the pod's ports reachable on the node as its state says. */
    void applyPorts(PodState state);

    void removePorts(String podId);
}
