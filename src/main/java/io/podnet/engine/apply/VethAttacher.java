package io.podnet.engine.apply;

import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.engine.plan.PodState;
import io.podnet.inet.MacAddress;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netlink.Link;
import io.podnet.netlink.LinkOptions;
import io.podnet.netlink.NetlinkException;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;

/**
 * Wires one attachment: a veth pair whose host end is a port of the network's bridge (on the
 * network's VLAN when it has one) and whose pod end is created directly inside the pod's
 * namespace under its final name, with its MAC; addresses and routes follow
 * ({@link PodAddressing}). Checking before changing keeps a resync of a healthy pod to a few
 * netlink reads.
 */
public final class VethAttacher {
    private VethAttacher() {
    }

    /** Default routes of later attachments get higher metrics, so they back up the first one. */
    public static final int BASE_ROUTE_METRIC = 100;

    /**
     * @param repaired told what had to be restored ("veth", "link", "mac", "address", "route");
     *        the caller decides whether that counts as a repair (it does not on a first setup)
     */
    public static void attach(RtnlClient host, RtnlClient pod, Netns podNs, int bridgeIndex, NetworkDefinition def,
            PodState.Attachment a, int routeMetric, java.util.function.Consumer<String> repaired) {
        Integer mtu = def.mtu();
        MacAddress mac = MacAddress.parse(a.mac());
        Link hostEnd = host.link(a.hostVeth()).orElse(null);
        Link podEnd = pod.link(a.interfaceName()).orElse(null);
        if (podEnd != null && (hostEnd == null || !"veth".equals(podEnd.kind()))) {
            // our pairs die whole: a pod-side link without our host end is not podnet's to remove
            throw new SetupFailedException(Stage.NETWORKS, "InterfaceNameTaken", "interface " + a.interfaceName() + " in " + podNs
                    + " is not podnet's (no host end " + a.hostVeth() + "); rename it or choose another interfaceName", null);
        }
        boolean fresh = hostEnd == null || podEnd == null;
        if (fresh) {
            // none, or only our host end (its peer was moved away): build the pair afresh
            if (hostEnd != null) {
                host.deleteLink(hostEnd.index());
            }
            try {
                // the kernel cannot bring up a peer created in another namespace: done below
                Link created = host.createVeth(a.hostVeth(), new LinkOptions(mtu, null, bridgeIndex, true),
                        a.interfaceName(), new LinkOptions(mtu, mac, null, false), podNs.fd());
                // a pod may reach its own host port: DNAT sends the packet back out of the port it came in on
                host.setHairpin(created.index(), true);
                if (def.vlan() != null) {
                    // as netavark: the port's untagged frames belong to the network's VLAN
                    host.addBridgeVlan(created.index(), def.vlan(), true, true);
                }
            } catch (NetlinkException e) {
                throw new SetupFailedException(Stage.NETWORKS, "VethCreateFailed", "cannot create veth " + a.hostVeth() + "/"
                        + a.interfaceName() + " for network \"" + a.network() + "\": " + e.getMessage(), e);
            }
            podEnd = pod.link(a.interfaceName()).orElseThrow(() -> new SetupFailedException(Stage.NETWORKS,
                    "VethCreateFailed", "veth peer " + a.interfaceName() + " did not appear in " + podNs, null));
            pod.setUp(podEnd.index());
            repaired.accept("veth");
        } else {
            repairHostEnd(host, hostEnd, bridgeIndex, repaired);
            podEnd = PodLinks.repairMacAndState(pod, podEnd, mac, repaired);
        }
        if (fresh) {
            PodSysctls.apply(podNs, a.interfaceName(), def, def.ipv6Enabled());
        }
        PodAddressing.ensure(pod, podEnd.index(), def, a, routeMetric, fresh, repaired);
    }

    private static void repairHostEnd(RtnlClient host, Link hostEnd, int bridgeIndex, java.util.function.Consumer<String> repaired) {
        if (hostEnd.masterIndex() != bridgeIndex) {
            host.setMaster(hostEnd.index(), bridgeIndex);
            host.setHairpin(hostEnd.index(), true);
            repaired.accept("link");
        }
        if (!hostEnd.isUp()) {
            host.setUp(hostEnd.index());
            repaired.accept("link");
        }
    }

    /**
     * Removes the pair by its host end (the pod end goes with it); fine when already gone. When
     * the pod's namespace is deleted right after, the pair is only taken down and out of the
     * bridge: the kernel destroys it with the namespace, in a batch and off the agent's thread,
     * and deleting it here would wait for unregister_netdevice. Down and portless it carries no
     * frame, so its address and MAC are free for the next pod at once.
     */
    public static void detach(RtnlClient host, PodState.Attachment a, boolean goesWithNamespace) {
        if (a.hostVeth().isEmpty()) {
            return;
        }
        if (goesWithNamespace) {
            host.release(a.hostVeth());
        } else {
            host.deleteLink(a.hostVeth());
        }
    }
}
