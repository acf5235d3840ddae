package io.podnet.engine.apply;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.engine.plan.PodState;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.StaticRoute;
import io.podnet.netlink.Address;
import io.podnet.netlink.NetlinkException;
import io.podnet.netlink.Route;
import io.podnet.netlink.RtnlClient;
import io.podnet.netlink.RtnlConstants;
import io.podnet.sys.Errno;

/**
 * What every driver puts on a pod's interface once the link is there: its addresses, a default
 * route per address family through the subnet's gateway (none on internal networks or with
 * {@code no_default_route}), and the network's static routes. Routes are added as netavark adds
 * them, with protocol static. A link just created has none of these, so nothing is read back
 * first; on a resync, only what is missing is added.
 */
public final class PodAddressing {
    private PodAddressing() {
    }

    /**
     * @param metric the default routes' metric (the network's {@code metric} option, else the
     *        engine's per-position default)
     * @param fresh  whether the link was just created (nothing to read back)
     */
    public static void ensure(RtnlClient pod, int index, NetworkDefinition def, PodState.Attachment a, int metric, boolean fresh,
            Consumer<String> repaired) {
        ensureAddresses(pod, index, a, fresh, repaired);
        List<Route> present = fresh ? List.of() : pod.routes(RtnlConstants.AF_UNSPEC);
        if (!def.internal() && !def.noDefaultRoute()) {
            ensureDefaultRoutes(pod, index, a, metric, present, repaired);
        }
        for (StaticRoute r : def.routes()) {
            ensureRoute(pod, a, Route.via(r.destination(), r.gateway(), index).withPriority(r.metric())
                    .withProtocol(RtnlConstants.RTPROT_STATIC), present, repaired);
        }
    }

    private static void ensureAddresses(RtnlClient pod, int index, PodState.Attachment a, boolean fresh, Consumer<String> repaired) {
        Set<Cidr> wanted = new HashSet<>();
        for (String s : a.addresses()) {
            wanted.add(Cidr.parse(s));
        }
        List<Address> present = fresh ? List.of() : pod.addresses(0, index);
        Set<Cidr> have = new HashSet<>();
        for (Address addr : present) {
            have.add(addr.cidr());
            if (!wanted.contains(addr.cidr()) && !addr.cidr().address().isLinkLocalAddress()) {
                pod.deleteAddress(index, addr.cidr()); // an address podnet did not plan on its own interface
            }
        }
        // in the planned order: of several addresses in one subnet, the first is the primary one
        for (String s : a.addresses()) {
            Cidr c = Cidr.parse(s);
            if (have.contains(c)) {
                continue;
            }
            try {
                pod.addAddress(index, c, c.isV4() ? 0 : RtnlConstants.IFA_F_NODAD);
                repaired.accept("address");
            } catch (NetlinkException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw new SetupFailedException(Stage.NETWORKS, "AddressFailed", "cannot add " + c + " to "
                            + a.interfaceName() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** One default route per address family, via the gateway of the first subnet of that family. */
    private static void ensureDefaultRoutes(RtnlClient pod, int index, PodState.Attachment a, int metric, List<Route> present,
            Consumer<String> repaired) {
        Set<Boolean> routed = new HashSet<>();
        for (String gw : a.gateways()) {
            if (gw.isEmpty()) {
                continue;
            }
            InetAddress gateway = IpAddresses.parse(gw);
            if (routed.add(IpAddresses.isV4(gateway))) {
                ensureRoute(pod, a, Route.defaultVia(gateway, index).withPriority(metric).withProtocol(RtnlConstants.RTPROT_STATIC),
                        present, repaired);
            }
        }
    }

    private static void ensureRoute(RtnlClient pod, PodState.Attachment a, Route wanted, List<Route> present, Consumer<String> repaired) {
        boolean there = present.stream().anyMatch(r -> r.family() == wanted.family() && r.isDefault() == wanted.isDefault()
                && (wanted.isDefault() || wanted.destination().network().equals(r.destination() == null ? null : r.destination().network()))
                && wanted.gateway().equals(r.gateway()) && r.outputIndex() == wanted.outputIndex()
                && r.priority() != null && r.priority().equals(wanted.priority()));
        if (there) {
            return;
        }
        try {
            pod.replaceRoute(wanted);
            repaired.accept("route");
        } catch (NetlinkException e) {
            throw new SetupFailedException(Stage.NETWORKS, "RouteFailed", "cannot add route " + (wanted.isDefault() ? "default"
                    : wanted.destination().toString()) + " via " + IpAddresses.format(wanted.gateway()) + " on " + a.interfaceName()
                    + ": " + e.getMessage(), e);
        }
    }
}
