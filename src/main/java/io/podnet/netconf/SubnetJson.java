package io.podnet.netconf;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;

/**
 * Reads the {@code subnets} array of one network and checks each subnet on its own and against
 * the network's other subnets: CIDR form, family, gateway (given or derived) and lease range.
 * The rules are listed on {@link NetworkDefinitions}.
 */
final class SubnetJson {
    private final JsonFields fields;
    private final String network;
    private final boolean ipv6Enabled;
    private final boolean addGateway;

    /**
     * @param network    the network's name, which every error names
     * @param addGateway whether a missing gateway is derived (netavark's
     *                   {@code !internal || dns_enabled})
     */
    SubnetJson(JsonFields fields, String network, boolean ipv6Enabled, boolean addGateway) {
        this.fields = fields;
        this.network = network;
        this.ipv6Enabled = ipv6Enabled;
        this.addGateway = addGateway;
    }

    private NetworkDefinitionException fail(String problem) {
        return fields.fail("network \"" + network + "\": " + problem);
    }

    /** The subnets of {@code root.subnets} in file order; empty when absent. */
    List<Subnet> read(JsonNode root) {
        JsonNode node = root.get("subnets");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw fail("\"subnets\" must be an array, found " + JsonFields.kind(node));
        }
        List<Subnet> out = new ArrayList<>();
        int i = 0;
        for (JsonNode s : node) {
            String where = "subnets[" + i + "]";
            if (!s.isObject()) {
                throw fail(where + " must be an object, found " + JsonFields.kind(s));
            }
            Subnet subnet = subnet(s, where);
            for (Subnet earlier : out) {
                if (earlier.subnet().overlaps(subnet.subnet())) {
                    throw fail("subnet " + subnet.subnet() + " overlaps its other subnet " + earlier.subnet());
                }
            }
            out.add(subnet);
            i++;
        }
        return out;
    }

    private Subnet subnet(JsonNode s, String where) {
        String text = fields.string(s, "subnet", where + ".subnet", true);
        Cidr cidr;
        try {
            cidr = Cidr.parse(text);
        } catch (IllegalArgumentException e) {
            throw fail(where + ": " + e.getMessage());
        }
        if (!cidr.address().equals(cidr.networkAddress())) {
            throw fail("subnet " + text + " has host bits set; the network is " + cidr.network());
        }
        if (!cidr.isV4() && !ipv6Enabled) {
            throw fail("IPv6 subnet " + cidr + " requires \"ipv6_enabled\": true");
        }
        InetAddress gateway = gateway(s, where, cidr);

        InetAddress start = null;
        InetAddress end = null;
        JsonNode range = s.get("lease_range");
        if (range != null && !range.isNull()) {
            if (!range.isObject()) {
                throw fail(where + ".lease_range must be an object, found " + JsonFields.kind(range));
            }
            start = address(range, "start_ip", where + ".lease_range.start_ip");
            end = address(range, "end_ip", where + ".lease_range.end_ip");
            checkLeaseRange(cidr, start, end);
        }
        return new Subnet(cidr, gateway, start, end);
    }

    /** The given gateway, checked, or the derived one, or null for a network without gateway. */
    private InetAddress gateway(JsonNode s, String where, Cidr cidr) {
        InetAddress gateway = address(s, "gateway", where + ".gateway");
        if (gateway != null) {
            if (!cidr.contains(gateway)) {
                throw fail("gateway " + IpAddresses.format(gateway) + " is not in subnet " + cidr);
            }
            if (gateway.equals(cidr.networkAddress())) {
                throw fail("gateway " + IpAddresses.format(gateway) + " is the network address of subnet " + cidr);
            }
            if (cidr.isV4() && gateway.equals(cidr.lastAddress())) {
                throw fail("gateway " + IpAddresses.format(gateway) + " is the broadcast address of subnet " + cidr);
            }
            return gateway;
        }
        if (!addGateway) {
            return null;
        }
        // the first address after the network address must exist and, in IPv4, not be the broadcast address
        int maxPrefix = cidr.isV4() ? 30 : 127;
        if (cidr.prefixLength() > maxPrefix) {
            throw fail("cannot derive a gateway for subnet " + cidr
                    + ": it has no address between network and broadcast; give a \"gateway\", or make the network internal without DNS");
        }
        return IpAddresses.add(cidr.networkAddress(), 1);
    }

    private void checkLeaseRange(Cidr cidr, InetAddress start, InetAddress end) {
        for (InetAddress a : new InetAddress[] {start, end}) {
            if (a != null && !cidr.contains(a)) {
                throw fail("lease range address " + IpAddresses.format(a) + " is not in subnet " + cidr);
            }
        }
        if (start != null && end != null) {
            BigInteger a = IpAddresses.toBigInteger(start);
            BigInteger b = IpAddresses.toBigInteger(end);
            if (a.compareTo(b) > 0) {
                throw fail("lease range start " + IpAddresses.format(start) + " is after its end " + IpAddresses.format(end));
            }
        }
    }

    /** An address field, or null when absent, null or empty. */
    private InetAddress address(JsonNode parent, String field, String where) {
        String text = fields.string(parent, field, where, false);
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            return IpAddresses.parse(text);
        } catch (IllegalArgumentException e) {
            throw fail(where + ": " + e.getMessage());
        }
    }
}
