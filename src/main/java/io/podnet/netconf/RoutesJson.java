package io.podnet.netconf;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;

/**
 * Reads the {@code routes} array of one network: {@code [{"destination": CIDR, "gateway": IP,
 * "metric": N}]}, each checked so that the kernel accepts it in every pod: the destination has no
 * host bits, and the gateway lies in one of the network's subnets (so it is on the pod's link).
 */
final class RoutesJson {
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,10}");

    private RoutesJson() {
    }

    static List<StaticRoute> read(JsonFields f, String network, JsonNode root, List<Subnet> subnets) {
        JsonNode node = root.get("routes");
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw f.fail("network \"" + network + "\": \"routes\" must be an array, found " + JsonFields.kind(node));
        }
        List<StaticRoute> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode r = node.get(i);
            String where = "routes[" + i + "]";
            if (!r.isObject()) {
                throw f.fail("network \"" + network + "\": " + where + " must be an object, found " + JsonFields.kind(r));
            }
            out.add(route(f, network, where, r, subnets));
        }
        return out;
    }

    private static StaticRoute route(JsonFields f, String network, String where, JsonNode r, List<Subnet> subnets) {
        String prefix = "network \"" + network + "\": " + where;
        Cidr destination;
        InetAddress gateway;
        try {
            destination = Cidr.parse(f.string(r, "destination", where + ".destination", true));
            gateway = IpAddresses.parse(f.string(r, "gateway", where + ".gateway", true));
        } catch (IllegalArgumentException e) {
            throw f.fail(prefix + ": " + e.getMessage());
        }
        if (!destination.address().equals(destination.networkAddress())) {
            throw f.fail(prefix + ": destination " + destination + " has host bits set; the network is " + destination.network());
        }
        if (destination.isV4() != IpAddresses.isV4(gateway)) {
            throw f.fail(prefix + ": gateway " + IpAddresses.format(gateway) + " is not of the family of destination " + destination);
        }
        if (subnets.stream().noneMatch(s -> s.subnet().contains(gateway))) {
            throw f.fail(prefix + ": gateway " + IpAddresses.format(gateway) + " is in none of the network's subnets "
                    + subnets.stream().map(s -> s.subnet().toString()).toList() + ", so pods cannot reach it");
        }
        return new StaticRoute(destination, gateway, metric(f, prefix, r.get("metric")));
    }

    /** A number, or its decimal text as Podman may write it; absent or null is netavark's default. */
    private static int metric(JsonFields f, String prefix, JsonNode n) {
        if (n == null || n.isNull()) {
            return StaticRoute.DEFAULT_METRIC;
        }
        String text = n.isIntegralNumber() || n.isTextual() ? n.asText() : null;
        if (text == null || !DECIMAL.matcher(text).matches() || Long.parseLong(text) > Integer.MAX_VALUE) {
            throw f.fail(prefix + ".metric must be a number 0-" + Integer.MAX_VALUE + ", found " + n);
        }
        return Integer.parseInt(text);
    }
}
