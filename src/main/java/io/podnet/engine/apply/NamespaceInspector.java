package io.podnet.engine.apply;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.podnet.engine.PodResult;
import io.podnet.inet.Cidr;
import io.podnet.netlink.Address;
import io.podnet.netlink.Link;
import io.podnet.netlink.Route;
import io.podnet.netlink.RtnlClient;

/**
 * Reads back what a namespace podnet did not create holds (the seed's inspectJoinedNetworkNS):
 * every interface but loopback with its addresses, link-local ones skipped, and the default
 * gateway on the addresses whose subnet contains it.
 */
public final class NamespaceInspector {
    private static final int IFF_LOOPBACK = 0x8;

    private NamespaceInspector() {
    }

    public static Map<String, PodResult.InterfaceResult> inspect(RtnlClient client) {
        List<InetAddress> gateways = new ArrayList<>();
        for (Route r : client.routes(0)) {
            if (r.destination() == null && r.gateway() != null) {
                gateways.add(r.gateway());
            }
        }
        List<Address> addresses = client.addresses(0);
        Map<String, PodResult.InterfaceResult> out = new TreeMap<>();
        for (Link link : client.links()) {
            if ((link.flags() & IFF_LOOPBACK) != 0 || link.mac() == null) {
                continue;
            }
            List<PodResult.AddressResult> subnets = new ArrayList<>();
            for (Address a : addresses) {
                InetAddress ip = a.cidr().address();
                if (a.index() != link.index() || ip.isLinkLocalAddress() || ip.isMulticastAddress()) {
                    continue;
                }
                Cidr c = a.cidr();
                InetAddress gateway = gateways.stream().filter(c::contains).findFirst().orElse(null);
                subnets.add(new PodResult.AddressResult(c, gateway));
            }
            if (!subnets.isEmpty()) {
                out.put(link.name(), new PodResult.InterfaceResult(link.mac(), subnets));
            }
        }
        return out;
    }
}
