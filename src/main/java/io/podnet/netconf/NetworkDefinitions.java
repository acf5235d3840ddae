package io.podnet.netconf;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;

/**
 * The set of network definitions of a node, loaded from one directory of netavark network JSON
 * files and validated as a whole. Immutable.
 *
 * <h2>Files</h2>
 * Every regular file (or symlink to one) named {@code *.json} in the directory is one network;
 * names starting with a dot are skipped (editor backups, and the {@code ..data} entries of a
 * Kubernetes ConfigMap volume). When the directory is missing or holds no such file, the set is
 * {@link #defaults()}; otherwise the files are the whole set and no default network is added.
 * Files are read in name order; a conflict between two files is reported on the later one.
 *
 * <h2>Fields</h2>
 * Read: {@code name}, {@code driver} (absent means {@code bridge}), {@code network_interface}
 * (required), {@code subnets[].subnet/gateway/lease_range.start_ip/end_ip}, {@code ipv6_enabled},
 * {@code internal}, {@code dns_enabled}, {@code options} (string values; numbers and booleans
 * are taken as their text), {@code ipam_options.driver}. Everything else ({@code id},
 * {@code created}, {@code labels}, {@code routes}, {@code network_dns_servers}, ...) is ignored.
 *
 * <h2>Rules</h2>
 * A file that breaks any rule fails the whole load with a {@link NetworkDefinitionException}
 * naming the file and the problem; a set is never half loaded.
 * <ul>
 * <li>the file is one JSON object, at most 1 MiB, without duplicate keys;</li>
 * <li>{@code name} matches {@code [a-zA-Z0-9][a-zA-Z0-9_.-]*} and is unique across files;</li>
 * <li>{@code driver} is {@code bridge}; macvlan, ipvlan and plugins are refused;</li>
 * <li>{@code network_interface} is 1-15 of {@code [a-zA-Z0-9_.-]}, not "." or "..", and unique
 *     across files;</li>
 * <li>{@code ipam_options.driver} is absent, empty or {@code host-local} (then at least one subnet
 *     is required), or {@code none} (then no subnet is allowed); {@code dhcp} and others are
 *     refused;</li>
 * <li>each subnet is a CIDR whose host bits are zero; an IPv6 subnet needs
 *     {@code "ipv6_enabled": true}; subnets of one network do not overlap each other, and no
 *     subnet overlaps a subnet of another network;</li>
 * <li>a given gateway lies in its subnet, has its family, and is neither the network address nor
 *     (IPv4) the broadcast address;</li>
 * <li>a lease range has addresses of the subnet, start &lt;= end;</li>
 * <li>option {@code mtu} is a decimal integer in 68..65535, and at least 1280 when the network
 *     has an IPv6 subnet (the kernel drops IPv6 from links below that).</li>
 * </ul>
 *
 * <h2>Gateways</h2>
 * A missing gateway is derived, not defaulted, following netavark ({@code add_gateway =
 * !internal || dns_enabled}): when the network is not internal, or is internal but has DNS
 * enabled (the DNS server listens on the gateway), the gateway is the first address after the
 * network address ({@code 10.89.0.0/24 -> 10.89.0.1}, {@code fd00::/64 -> fd00::1}); a subnet
 * too small to have one (IPv4 /31 or /32, IPv6 /128) is then refused. An internal network
 * without DNS gets no gateway ({@link Subnet#gateway()} is null) unless the file gives one.
 */
public final class NetworkDefinitions {
    /** The name of the network used when no definitions are given. */
    public static final String DEFAULT_NETWORK = "podnet";

    static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern INTERFACE_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,15}");
    private static final Pattern DECIMAL = Pattern.compile("[0-9]{1,6}");
    private static final long MAX_FILE_BYTES = 1 << 20;
    private static final int IPV6_MIN_MTU = 1280;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final NetworkDefinitions DEFAULTS = new NetworkDefinitions(List.of(new NetworkDefinition(
            DEFAULT_NETWORK, "bridge", "podnet0",
            List.of(Subnet.of(Cidr.parse("10.89.0.0/24"), IpAddresses.parse("10.89.0.1"))),
            false, false, false, null, Map.of())));

    private final Map<String, NetworkDefinition> byName;

    private NetworkDefinitions(List<NetworkDefinition> definitions) {
        Map<String, NetworkDefinition> m = new TreeMap<>();
        for (NetworkDefinition d : definitions) {
            m.put(d.name(), d);
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    /** Only the default network: {@code podnet}, bridge {@code podnet0}, 10.89.0.0/24, gateway 10.89.0.1. */
    public static NetworkDefinitions defaults() {
        return DEFAULTS;
    }

    /**
     * Loads and validates every {@code *.json} file of {@code dir}.
     *
     * @throws NetworkDefinitionException naming the file and the problem, for the first bad file
     */
    public static NetworkDefinitions load(Path dir) {
        if (!Files.exists(dir)) {
            return defaults();
        }
        if (!Files.isDirectory(dir)) {
            throw new NetworkDefinitionException(dir.toString(), "not a directory");
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> {
                String n = p.getFileName().toString();
                return n.endsWith(".json") && !n.startsWith(".") && Files.isRegularFile(p);
            }).sorted().toList();
        } catch (IOException e) {
            throw new NetworkDefinitionException(dir.toString(), "cannot list directory: " + e, e);
        }
        if (files.isEmpty()) {
            return defaults();
        }

        List<NetworkDefinition> loaded = new ArrayList<>();
        Map<String, String> fileOfName = new HashMap<>();
        Map<String, String> fileOfBridge = new HashMap<>();
        Map<Cidr, String> fileOfSubnet = new LinkedHashMap<>();
        for (Path file : files) {
            String shown = file.toString();
            NetworkDefinition d = parse(shown, read(file));
            String other = fileOfName.putIfAbsent(d.name(), shown);
            if (other != null) {
                throw new NetworkDefinitionException(shown, "network name \"" + d.name() + "\" is already defined in " + other);
            }
            other = fileOfBridge.putIfAbsent(d.bridgeName(), shown);
            if (other != null) {
                throw new NetworkDefinitionException(shown, "bridge name \"" + d.bridgeName() + "\" is already used by the network in " + other);
            }
            for (Subnet s : d.subnets()) {
                for (Map.Entry<Cidr, String> e : fileOfSubnet.entrySet()) {
                    if (e.getKey().overlaps(s.subnet())) {
                        throw new NetworkDefinitionException(shown, "subnet " + s.subnet() + " overlaps subnet " + e.getKey()
                                + " of the network in " + e.getValue());
                    }
                }
            }
            for (Subnet s : d.subnets()) {
                fileOfSubnet.put(s.subnet(), shown);
            }
            loaded.add(d);
        }
        return new NetworkDefinitions(loaded);
    }

    public Optional<NetworkDefinition> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** All definitions, ordered by name. */
    public Collection<NetworkDefinition> all() {
        return byName.values();
    }

    @Override
    public String toString() {
        return "NetworkDefinitions" + byName.keySet();
    }

    private static byte[] read(Path file) {
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new NetworkDefinitionException(file.toString(), "file is " + size + " bytes, over the limit of " + MAX_FILE_BYTES);
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new NetworkDefinitionException(file.toString(), "cannot read: " + e, e);
        }
    }

    /** Parses and validates one file on its own (no cross-file checks). */
    static NetworkDefinition parse(String file, byte[] content) {
        JsonNode root;
        try {
            root = JSON.readTree(content);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            String detail = e.getOriginalMessage().replaceAll("\\[Source: [^;\\]]*; ", "[");
            throw new NetworkDefinitionException(file, "invalid JSON" + where + ": " + detail, e);
        } catch (IOException e) {
            throw new NetworkDefinitionException(file, "cannot read JSON: " + e, e);
        }
        if (root == null || root.isMissingNode()) {
            throw new NetworkDefinitionException(file, "file is empty");
        }
        if (!root.isObject()) {
            throw new NetworkDefinitionException(file, "expected a JSON object, found " + kind(root));
        }
        return new Parser(file).network(root);
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "nothing";
        };
    }

    /** Parses one file; every error names the file. */
    private static final class Parser {
        private final String file;

        Parser(String file) {
            this.file = file;
        }

        private NetworkDefinitionException fail(String problem) {
            return new NetworkDefinitionException(file, problem);
        }

        NetworkDefinition network(JsonNode root) {
            String name = string(root, "name", "name", true);
            if (!NAME.matcher(name).matches()) {
                throw fail("network name \"" + name + "\" is invalid: it must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
            }
            String driver = string(root, "driver", "driver", false);
            if (driver == null) {
                driver = "bridge";
            }
            if (!driver.equals("bridge")) {
                throw fail("network \"" + name + "\": driver \"" + driver + "\" is not supported; podnet only builds \"bridge\" networks");
            }
            String bridge = string(root, "network_interface", "network_interface", false);
            if (bridge == null) {
                throw fail("network \"" + name + "\": \"network_interface\" (the bridge name) is required for the bridge driver");
            }
            if (!INTERFACE_NAME.matcher(bridge).matches() || bridge.equals(".") || bridge.equals("..")) {
                throw fail("network \"" + name + "\": bridge name \"" + bridge
                        + "\" is invalid: it must be 1-15 characters of [a-zA-Z0-9_.-] and not \".\" or \"..\"");
            }
            boolean ipv6 = bool(root, "ipv6_enabled");
            boolean internal = bool(root, "internal");
            boolean dns = bool(root, "dns_enabled");
            Map<String, String> options = stringMap(root, "options");
            Map<String, String> ipamOptions = stringMap(root, "ipam_options");

            String ipamDriver = ipamOptions.getOrDefault("driver", "");
            List<Subnet> subnets = subnets(root, name, ipv6, !internal || dns);
            switch (ipamDriver) {
                case "", "host-local" -> {
                    if (subnets.isEmpty()) {
                        throw fail("network \"" + name + "\": at least one subnet is required with the host-local IPAM driver"
                                + " (set \"ipam_options\": {\"driver\": \"none\"} for a network without addresses)");
                    }
                }
                case "none" -> {
                    if (!subnets.isEmpty()) {
                        throw fail("network \"" + name + "\": ipam driver \"none\" is set but subnets are given");
                    }
                }
                default -> throw fail("network \"" + name + "\": ipam driver \"" + ipamDriver
                        + "\" is not supported; use \"host-local\" or \"none\"");
            }

            Integer mtu = null;
            String mtuText = options.get("mtu");
            if (mtuText != null) {
                if (!DECIMAL.matcher(mtuText).matches()) {
                    throw fail("network \"" + name + "\": option mtu \"" + mtuText + "\" is not a decimal integer");
                }
                mtu = Integer.parseInt(mtuText);
                if (mtu < 68 || mtu > 65535) {
                    throw fail("network \"" + name + "\": option mtu " + mtu + " is out of range 68-65535");
                }
                if (mtu < IPV6_MIN_MTU && subnets.stream().anyMatch(s -> !s.isV4())) {
                    throw fail("network \"" + name + "\": option mtu " + mtu + " is below " + IPV6_MIN_MTU
                            + ", the minimum for its IPv6 subnet");
                }
            }
            return new NetworkDefinition(name, driver, bridge, subnets, ipv6, internal, dns, mtu, options);
        }

        private List<Subnet> subnets(JsonNode root, String name, boolean ipv6Enabled, boolean addGateway) {
            JsonNode node = root.get("subnets");
            if (node == null || node.isNull()) {
                return List.of();
            }
            if (!node.isArray()) {
                throw fail("network \"" + name + "\": \"subnets\" must be an array, found " + kind(node));
            }
            List<Subnet> out = new ArrayList<>();
            int i = 0;
            for (JsonNode s : node) {
                String where = "subnets[" + i + "]";
                if (!s.isObject()) {
                    throw fail("network \"" + name + "\": " + where + " must be an object, found " + kind(s));
                }
                Subnet subnet = subnet(s, name, where, ipv6Enabled, addGateway);
                for (Subnet earlier : out) {
                    if (earlier.subnet().overlaps(subnet.subnet())) {
                        throw fail("network \"" + name + "\": subnet " + subnet.subnet() + " overlaps its other subnet " + earlier.subnet());
                    }
                }
                out.add(subnet);
                i++;
            }
            return out;
        }

        private Subnet subnet(JsonNode s, String name, String where, boolean ipv6Enabled, boolean addGateway) {
            String text = string(s, "subnet", where + ".subnet", true);
            Cidr cidr;
            try {
                cidr = Cidr.parse(text);
            } catch (IllegalArgumentException e) {
                throw fail("network \"" + name + "\": " + where + ": " + e.getMessage());
            }
            if (!cidr.address().equals(cidr.networkAddress())) {
                throw fail("network \"" + name + "\": subnet " + text + " has host bits set; the network is " + cidr.network());
            }
            if (!cidr.isV4() && !ipv6Enabled) {
                throw fail("network \"" + name + "\": IPv6 subnet " + cidr + " requires \"ipv6_enabled\": true");
            }

            InetAddress gateway = address(s, "gateway", where + ".gateway", name);
            if (gateway != null) {
                if (!cidr.contains(gateway)) {
                    throw fail("network \"" + name + "\": gateway " + IpAddresses.format(gateway) + " is not in subnet " + cidr);
                }
                if (gateway.equals(cidr.networkAddress())) {
                    throw fail("network \"" + name + "\": gateway " + IpAddresses.format(gateway) + " is the network address of subnet " + cidr);
                }
                if (cidr.isV4() && gateway.equals(cidr.lastAddress())) {
                    throw fail("network \"" + name + "\": gateway " + IpAddresses.format(gateway) + " is the broadcast address of subnet " + cidr);
                }
            } else if (addGateway) {
                int maxPrefix = cidr.isV4() ? 30 : 127;
                if (cidr.prefixLength() > maxPrefix) {
                    throw fail("network \"" + name + "\": cannot derive a gateway for subnet " + cidr
                            + ": it has no address between network and broadcast; give a \"gateway\", or make the network internal without DNS");
                }
                gateway = IpAddresses.add(cidr.networkAddress(), 1);
            }

            InetAddress start = null;
            InetAddress end = null;
            JsonNode range = s.get("lease_range");
            if (range != null && !range.isNull()) {
                if (!range.isObject()) {
                    throw fail("network \"" + name + "\": " + where + ".lease_range must be an object, found " + kind(range));
                }
                start = address(range, "start_ip", where + ".lease_range.start_ip", name);
                end = address(range, "end_ip", where + ".lease_range.end_ip", name);
                for (InetAddress a : new InetAddress[] {start, end}) {
                    if (a != null && !cidr.contains(a)) {
                        throw fail("network \"" + name + "\": lease range address " + IpAddresses.format(a) + " is not in subnet " + cidr);
                    }
                }
                if (start != null && end != null) {
                    BigInteger a = IpAddresses.toBigInteger(start);
                    BigInteger b = IpAddresses.toBigInteger(end);
                    if (a.compareTo(b) > 0) {
                        throw fail("network \"" + name + "\": lease range start " + IpAddresses.format(start)
                                + " is after its end " + IpAddresses.format(end));
                    }
                }
            }
            return new Subnet(cidr, gateway, start, end);
        }

        private InetAddress address(JsonNode parent, String field, String where, String name) {
            String text = string(parent, field, where, false);
            if (text == null || text.isEmpty()) {
                return null;
            }
            try {
                return IpAddresses.parse(text);
            } catch (IllegalArgumentException e) {
                throw fail("network \"" + name + "\": " + where + ": " + e.getMessage());
            }
        }

        private String string(JsonNode parent, String field, String where, boolean required) {
            JsonNode n = parent.get(field);
            if (n == null || n.isNull()) {
                if (required) {
                    throw fail("\"" + where + "\" is required");
                }
                return null;
            }
            if (!n.isTextual()) {
                throw fail("\"" + where + "\" must be a string, found " + kind(n));
            }
            if (required && n.textValue().isEmpty()) {
                throw fail("\"" + where + "\" must not be empty");
            }
            return n.textValue();
        }

        private boolean bool(JsonNode parent, String field) {
            JsonNode n = parent.get(field);
            if (n == null || n.isNull()) {
                return false;
            }
            if (!n.isBoolean()) {
                throw fail("\"" + field + "\" must be true or false, found " + kind(n));
            }
            return n.booleanValue();
        }

        private Map<String, String> stringMap(JsonNode parent, String field) {
            JsonNode n = parent.get(field);
            if (n == null || n.isNull()) {
                return Map.of();
            }
            if (!n.isObject()) {
                throw fail("\"" + field + "\" must be an object, found " + kind(n));
            }
            Map<String, String> out = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                JsonNode v = e.getValue();
                if (!v.isValueNode() || v.isNull()) {
                    throw fail("\"" + field + "." + e.getKey() + "\" must be a string, found " + kind(v));
                }
                out.put(e.getKey(), v.asText());
            }
            return out;
        }
    }
}
