package io.podnet.firewall;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;

/** What a pod's rules and a network put into the podnet sets and maps. */
final class Elements {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private Elements() {
    }

    /** The owner of the isolation pairs, which depend on every network at once; no pod id or bridge name has a '/'. */
    static final String ISOLATION_OWNER = "isolation/pairs";

    static String networkOwner(String bridge) {
        return "net/" + bridge;
    }

    /** Every ordered pair of bridges of {@code networks} whose traffic is dropped (both directions). */
    static List<Element> forIsolation(java.util.Collection<NetworkRules> networks) {
        List<Element> out = new ArrayList<>();
        for (NetworkRules from : networks) {
            for (NetworkRules to : networks) {
                if (from.isolatedFrom(to)) {
                    ObjectNode key = F.objectNode();
                    key.putArray("concat").add(from.bridge()).add(to.bridge());
                    out.add(Element.of(NftLayout.ISOLATION, ISOLATION_OWNER, key, null));
                }
            }
        }
        return out;
    }

    /**
     * Per rule: one {@code hostports} element covering the whole host port range, mapping to the
     * pod address; and when the container port differs from the host port, one {@code dports}
     * element per host port mapping to its container port.
     */
    static List<Element> forPod(String podId, List<DnatRule> rules) {
        return forRules(podId, rules);
    }

    private static List<Element> forRules(String owner, List<DnatRule> rules) {
        List<Element> out = new ArrayList<>();
        for (DnatRule r : rules) {
            boolean v4 = r.isV4();
            String addresses = v4 ? NftLayout.HOSTPORTS4 : NftLayout.HOSTPORTS6;
            String ports = v4 ? NftLayout.DPORTS4 : NftLayout.DPORTS6;
            JsonNode hostPorts = r.range() == 1 ? F.numberNode(r.hostPort()) : range(r.hostPort(), r.lastHostPort());
            out.add(Element.of(addresses, owner, key(r, hostPorts), F.textNode(IpAddresses.format(r.podIp()))));
            if (r.containerPort() != r.hostPort()) {
                for (int i = 0; i < r.range(); i++) {
                    out.add(Element.of(ports, owner, key(r, F.numberNode(r.hostPort() + i)), F.numberNode(r.containerPort() + i)));
                }
            }
        }
        return out;
    }

    /**
     * Every subnet into subnets4/6; those of a non-internal network into masq4/6 too; and its
     * name server's redirects into the port maps, as a pod's ports go there.
     */
    static List<Element> forNetwork(NetworkRules network) {
        List<Element> out = new ArrayList<>();
        String owner = networkOwner(network.bridge());
        for (Cidr subnet : network.subnets()) {
            JsonNode key = prefix(subnet.network());
            out.add(Element.of(subnet.isV4() ? NftLayout.SUBNETS4 : NftLayout.SUBNETS6, owner, key, null));
            if (!network.internal()) {
                out.add(Element.of(subnet.isV4() ? NftLayout.MASQ4 : NftLayout.MASQ6, owner, key, null));
            }
        }
        out.addAll(forRules(owner, network.dnsRedirects()));
        return out;
    }

    private static ObjectNode key(DnatRule r, JsonNode ports) {
        JsonNode address = r.hostIp() == null
                ? prefix(Cidr.parse(r.isV4() ? "0.0.0.0/0" : "::/0"))
                : F.textNode(IpAddresses.format(r.hostIp()));
        ObjectNode key = F.objectNode();
        ArrayNode concat = key.putArray("concat");
        concat.add(address);
        concat.add(r.protocol().lower());
        concat.add(ports);
        return key;
    }

    private static ObjectNode range(int first, int last) {
        ObjectNode n = F.objectNode();
        n.putArray("range").add(first).add(last);
        return n;
    }

    private static ObjectNode prefix(Cidr cidr) {
        ObjectNode n = F.objectNode();
        n.putObject("prefix").put("addr", IpAddresses.format(cidr.networkAddress())).put("len", cidr.prefixLength());
        return n;
    }
}
