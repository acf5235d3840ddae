package io.podnet.netconf;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.inet.IpAddresses;

/**
 * Reads one netavark network JSON file into a {@link NetworkDefinition} and checks the rules that
 * concern that file alone; {@link NetworkDefinitions} checks the files against each other. The
 * file is read as a Jackson tree rather than bound to classes, so that a field of the wrong type
 * is reported in the file's terms and unknown fields are ignored without configuration.
 */
final class NetworkJson {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern INTERFACE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,15}");
    private static final List<String> DRIVERS = List.of(NetworkDefinition.BRIDGE, NetworkDefinition.MACVLAN, NetworkDefinition.IPVLAN);

    // Built here, not injected: netconf sits below the operator and runs without CDI.
    // A duplicate key or a second value after the object would otherwise be silently dropped.
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private NetworkJson() {
    }

    /**
     * The definition in {@code content}, validated on its own.
     *
     * @param file the file as errors name it
     * @throws NetworkDefinitionException naming {@code file} and the first problem found
     */
    static NetworkDefinition read(String file, byte[] content) {
        return network(new JsonFields(file), object(file, content));
    }

    private static JsonNode object(String file, byte[] content) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            // a message may embed a location as [Source: (byte[])"<the content>"; line: 1, column: 1]: keep line and column only
            String detail = e.getOriginalMessage().replaceAll("\\[Source: [^;\\]]*; ", "[");
            throw new NetworkDefinitionException(file, "invalid JSON" + where + ": " + detail, e);
        } catch (IOException e) {
            throw new NetworkDefinitionException(file, "cannot read JSON: " + e, e);
        }
        if (root == null || root.isMissingNode()) {
            throw new NetworkDefinitionException(file, "file is empty");
        }
        if (!root.isObject()) {
            throw new NetworkDefinitionException(file, "expected a JSON object, found " + JsonFields.kind(root));
        }
        return root;
    }

    private static NetworkDefinition network(JsonFields f, JsonNode root) {
        String name = f.string(root, "name", "name", true);
        if (!NAME.matcher(name).matches()) {
            throw f.fail("network name \"" + name + "\" is invalid: it must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
        }
        f.network(name);
        String driver = f.string(root, "driver", "driver", false);
        if (driver == null) {
            driver = NetworkDefinition.BRIDGE;
        }
        if (!DRIVERS.contains(driver)) {
            throw f.fail("network \"" + name + "\": driver \"" + driver + "\" is not supported; podnet builds "
                    + String.join(", ", DRIVERS) + " networks", NetworkDefinitionException.UNSUPPORTED_DRIVER);
        }
        boolean bridge = driver.equals(NetworkDefinition.BRIDGE);
        String iface = f.string(root, "network_interface", "network_interface", false);
        if (iface == null && bridge) {
            throw f.fail("network \"" + name + "\": \"network_interface\" (the bridge name) is required for the bridge driver");
        }
        // a macvlan or ipvlan without one sits on the interface of the host's default route, as in netavark
        iface = iface == null ? "" : iface;
        if ((bridge || !iface.isEmpty()) && (!INTERFACE_NAME.matcher(iface).matches() || iface.equals(".") || iface.equals(".."))) {
            throw f.fail("network \"" + name + "\": " + (bridge ? "bridge" : "parent interface") + " name \"" + iface
                    + "\" is invalid: it must be 1-15 characters of [a-zA-Z0-9_.-] and not \".\" or \"..\"");
        }
        boolean ipv6 = f.bool(root, "ipv6_enabled");
        boolean internal = f.bool(root, "internal");
        boolean dns = f.bool(root, "dns_enabled");
        if (dns && !bridge) {
            throw f.fail("network \"" + name + "\": \"dns_enabled\" needs the bridge driver: a " + driver
                    + " network has no gateway on this host to answer on", NetworkDefinitionException.UNSUPPORTED_OPTION);
        }
        Map<String, String> options = f.stringMap(root, "options");
        Map<String, String> ipamOptions = f.stringMap(root, "ipam_options");

        // netavark's rule: the gateway exists unless the network is internal and has no DNS server on it
        List<Subnet> subnets = new SubnetJson(f, name, ipv6, !internal || dns).read(root);
        checkIpamDriver(f, name, ipamOptions.getOrDefault("driver", ""), subnets);
        DriverOptions o = DriverOptions.read(f, name, driver, options, subnets);
        List<StaticRoute> routes = RoutesJson.read(f, name, root, subnets);
        return new NetworkDefinition(name, driver, iface, subnets, ipv6, internal, dns, o.mtu(), options, o.metric(), o.noDefaultRoute(),
                o.isolate(), o.vlan(), o.mode(), routes, nameServer(f, name, root, dns));
    }

    /** {@code network_dns_servers} and {@code dns_bind_port}: they only mean something on a network with DNS. */
    private static NetworkDefinition.Dns nameServer(JsonFields f, String name, JsonNode root, boolean dnsEnabled) {
        List<String> servers = f.stringList(root, "network_dns_servers");
        Integer port = f.integer(root, "dns_bind_port");
        if (!dnsEnabled && (!servers.isEmpty() || port != null)) {
            throw f.fail("network \"" + name + "\": " + (servers.isEmpty() ? "dns_bind_port" : "network_dns_servers")
                    + " is given but dns_enabled is not true");
        }
        List<InetAddress> addresses = new ArrayList<>();
        for (String s : servers) {
            try {
                addresses.add(IpAddresses.parse(s));
            } catch (IllegalArgumentException e) {
                throw f.fail("network \"" + name + "\": network_dns_servers entry \"" + s + "\" is not an IP address");
            }
        }
        if (port != null && (port < 1 || port > 65535)) {
            throw f.fail("network \"" + name + "\": dns_bind_port " + port + " is out of range 1-65535");
        }
        return new NetworkDefinition.Dns(addresses, port == null ? NetworkDefinition.Dns.DEFAULT_PORT : port);
    }

    private static void checkIpamDriver(JsonFields f, String name, String ipamDriver, List<Subnet> subnets) {
        switch (ipamDriver) {
            case "", "host-local" -> {
                if (subnets.isEmpty()) {
                    throw f.fail("network \"" + name + "\": at least one subnet is required with the host-local IPAM driver"
                            + " (set \"ipam_options\": {\"driver\": \"none\"} for a network without addresses)");
                }
            }
            case "none" -> {
                if (!subnets.isEmpty()) {
                    throw f.fail("network \"" + name + "\": ipam driver \"none\" is set but subnets are given");
                }
            }
            default -> throw f.fail("network \"" + name + "\": ipam driver \"" + ipamDriver
                    + "\" is not supported; use \"host-local\" or \"none\"", NetworkDefinitionException.UNSUPPORTED_OPTION);
        }
    }
}
