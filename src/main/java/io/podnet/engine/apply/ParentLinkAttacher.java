package io.podnet.engine.apply;

import java.util.Comparator;
import java.util.Optional;
import java.util.function.Consumer;

import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.engine.plan.PodState;
import io.podnet.inet.IpvlanMode;
import io.podnet.inet.MacAddress;
import io.podnet.inet.MacvlanMode;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netlink.Link;
import io.podnet.netlink.LinkOptions;
import io.podnet.netlink.NetlinkException;
import io.podnet.netlink.Route;
import io.podnet.netlink.RtnlClient;
import io.podnet.netlink.RtnlConstants;
import io.podnet.sys.Errno;

/**
 * Wires one attachment of a macvlan or ipvlan network: a link of that kind on the network's
 * parent interface in the host namespace, living only in the pod's namespace, with its MTU, MAC
 * (a macvlan's own; a passthru macvlan and an ipvlan have their parent's), addresses and routes
 * ({@link PodAddressing}).
 * Nothing is created on the host side and the parent is never changed, so removing the pod's
 * link is the whole teardown.
 *
 * <p>The link is created under the attachment's podnet name ({@code pn} + hash) and renamed in
 * the pod: a kernel that makes such a link in the parent's namespace first (netavark met that)
 * would otherwise refuse a name like {@code eth0} that the host has too.
 */
public final class ParentLinkAttacher {
    private ParentLinkAttacher() {
    }

    /** @return the MAC the pod's interface has */
    public static MacAddress attach(RtnlClient host, PodNamespaces.Opened pod, NetworkDefinition def, PodState.Attachment a,
            int routeMetric, Consumer<String> repaired) {
        String kind = def.driver();
        Link parent = parent(host, def);
        RtnlClient inPod = pod.client();
        boolean ownMac = ownMac(def);
        MacAddress mac = ownMac ? MacAddress.parse(a.mac()) : parent.mac();
        Link link = inPod.link(a.interfaceName()).orElse(null);
        if (link != null && !kind.equals(link.kind())) {
            throw new SetupFailedException(Stage.NETWORKS, "InterfaceNameTaken", "interface " + a.interfaceName() + " in " + pod.netns()
                    + " is a " + link.kind() + ", not podnet's " + kind + "; rename it or choose another interfaceName", null);
        }
        if (link != null && link.parentIndex() != parent.index()) {
            inPod.deleteLink(link.index()); // its parent was replaced: a link on the old one carries nothing
            link = null;
        }
        boolean fresh = link == null;
        if (fresh) {
            link = create(host, pod, def, a, parent, mac);
            repaired.accept("link");
        } else {
            link = PodLinks.repairMacAndState(inPod, link, ownMac ? mac : null, repaired);
        }
        PodAddressing.ensure(inPod, link.index(), def, a, routeMetric, fresh, repaired);
        return mac;
    }

    private static Link create(RtnlClient host, PodNamespaces.Opened pod, NetworkDefinition def, PodState.Attachment a, Link parent,
            MacAddress mac) {
        RtnlClient inPod = pod.client();
        String temporary = a.hostVeth();
        inPod.deleteLink(temporary); // left by a setup cut short between create and rename
        try {
            if (NetworkDefinition.IPVLAN.equals(def.driver())) {
                host.createIpvlan(temporary, new LinkOptions(def.mtu(), null, null, false), parent.index(), IpvlanMode.parse(def.mode()),
                        pod.netns().fd());
            } else {
                host.createMacvlan(temporary, new LinkOptions(def.mtu(), ownMac(def) ? mac : null, null, false), parent.index(),
                        MacvlanMode.parse(def.mode()), pod.netns().fd());
            }
        } catch (NetlinkException e) {
            throw createFailed(def, parent, e);
        }
        Link link = inPod.link(temporary).orElseThrow(() -> new SetupFailedException(Stage.NETWORKS, "LinkCreateFailed",
                def.driver() + " " + temporary + " did not appear in " + pod.netns(), null));
        try {
            inPod.rename(link.index(), a.interfaceName());
        } catch (NetlinkException e) {
            inPod.deleteLink(link.index());
            throw new SetupFailedException(Stage.NETWORKS, "LinkCreateFailed", "cannot name the " + def.driver() + " link "
                    + a.interfaceName() + " in " + pod.netns() + ": " + e.getMessage(), e);
        }
        PodSysctls.apply(pod.netns(), a.interfaceName(), def, false);
        inPod.setUp(link.index());
        return link;
    }

    /**
     * Whether the pod's link has a MAC of its own: a macvlan does, except in passthru mode, where
     * it takes its parent's and setting one would change the parent's; an ipvlan never does.
     */
    public static boolean ownMac(NetworkDefinition def) {
        return NetworkDefinition.MACVLAN.equals(def.driver()) && !MacvlanMode.PASSTHRU.text().equals(def.mode());
    }

    private static SetupFailedException createFailed(NetworkDefinition def, Link parent, NetlinkException e) {
        if (e.errno() == Errno.EOPNOTSUPP) {
            return new SetupFailedException(Stage.NETWORKS, "DriverUnsupported", "network \"" + def.name() + "\": this kernel cannot make "
                    + def.driver() + " links (it was built without CONFIG_" + def.driver().toUpperCase(java.util.Locale.ROOT) + "): "
                    + e.getMessage(), e);
        }
        String hint = "passthru".equals(def.mode()) && e.errno() == Errno.EINVAL
                ? " (a passthru macvlan needs a parent that has no other macvlan)" : "";
        return new SetupFailedException(Stage.NETWORKS, "LinkCreateFailed", "cannot create a " + def.driver() + " link on "
                + parent.name() + " for network \"" + def.name() + "\": " + e.getMessage() + hint, e);
    }

    /** The network's parent on the host: {@code network_interface}, or the interface of the host's default route. */
    static Link parent(RtnlClient host, NetworkDefinition def) {
        if (!def.parent().isEmpty()) {
            return host.link(def.parent()).orElseThrow(() -> new SetupFailedException(Stage.NETWORKS, "ParentNotFound", "network \""
                    + def.name() + "\": its parent interface " + def.parent() + " does not exist on the host", null));
        }
        for (int family : new int[] {RtnlConstants.AF_INET, RtnlConstants.AF_INET6}) {
            Optional<Route> route = host.routes(family).stream().filter(r -> r.isDefault() && r.outputIndex() != 0)
                    .min(Comparator.comparing(r -> r.priority() == null ? 0 : r.priority()));
            if (route.isPresent()) {
                return host.link(route.get().outputIndex()).orElseThrow(() -> new SetupFailedException(Stage.NETWORKS, "ParentNotFound",
                        "network \"" + def.name() + "\": the host's default route leaves through ifindex " + route.get().outputIndex()
                                + ", which is gone", null));
            }
        }
        throw new SetupFailedException(Stage.NETWORKS, "ParentNotFound", "network \"" + def.name() + "\" names no network_interface"
                + " and the host has no default route whose interface could be its parent", null);
    }

    /** Removes the pod's link of this kind (and a temporary one left behind); fine when it or the namespace is gone. */
    public static void detach(Optional<RtnlClient> pod, PodState.Attachment a) {
        pod.ifPresent(c -> {
            for (String name : new String[] {a.interfaceName(), a.hostVeth()}) {
                if (!name.isEmpty()) {
                    c.link(name).filter(l -> a.driver().equals(l.kind())).ifPresent(l -> c.deleteLink(l.index()));
                }
            }
        });
    }
}
