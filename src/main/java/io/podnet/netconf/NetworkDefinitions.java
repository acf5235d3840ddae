package io.podnet.netconf;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
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

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;

/**
 * The node's network definitions: one JSON file per network in netavark's format, read from the
 * networks directory. When the directory is missing or has no definitions, the default network
 * {@code podnet} (bridge {@code podnet0}, 10.89.0.0/24, gateway 10.89.0.1) is used.
 * <p>
 * A subnet without a gateway gets the first address after the network address, as podman does
 * when it creates a network. Everything is checked when loaded; one bad file refuses the whole set
 * with a message naming the file, so the agent never runs on half its configuration.
 */
public final class NetworkDefinitions {
    public static final String DEFAULT_NETWORK = "podnet";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
    private static final Pattern BRIDGE = Pattern.compile("[a-zA-Z0-9_.-]{1,15}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, NetworkDefinition> byName;

    private NetworkDefinitions(Map<String, NetworkDefinition> byName) {
        this.byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
    }

    public static NetworkDefinitions defaults() {
        Subnet subnet = new Subnet(Cidr.parse("10.89.0.0/24"), IpAddresses.parse("10.89.0.1"), null, null);
        return new NetworkDefinitions(Map.of(DEFAULT_NETWORK, new NetworkDefinition(DEFAULT_NETWORK, "bridge", "podnet0",
                List.of(subnet), false, false, false, null, Map.of())));
    }

    public static NetworkDefinitions load(Path dir) {
        if (!Files.isDirectory(dir)) {
            return defaults();
        }
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*.json")) {
            stream.forEach(files::add);
        } catch (IOException e) {
            throw new NetworkDefinitionException("cannot list network definitions in " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            return defaults();
        }
        Collections.sort(files);
        Map<String, NetworkDefinition> byName = new TreeMap<>();
        Map<String, Path> bridges = new HashMap<>();
        Map<String, Path> origin = new HashMap<>();
        for (Path file : files) {
            NetworkDefinition def = parse(file);
            if (byName.containsKey(def.name())) {
                throw new NetworkDefinitionException(file + ": network \"" + def.name() + "\" is also defined in " + origin.get(def.name()));
            }
            Path other = bridges.putIfAbsent(def.bridgeName(), file);
            if (other != null) {
                throw new NetworkDefinitionException(file + ": bridge \"" + def.bridgeName() + "\" is also used by " + other);
            }
            for (NetworkDefinition existing : byName.values()) {
                for (Subnet a : def.subnets()) {
                    for (Subnet b : existing.subnets()) {
                        if (a.subnet().overlaps(b.subnet())) {
                            throw new NetworkDefinitionException(file + ": subnet " + a.subnet() + " overlaps " + b.subnet()
                                    + " of network \"" + existing.name() + "\" (" + origin.get(existing.name()) + ")");
                        }
                    }
                }
            }
            byName.put(def.name(), def);
            origin.put(def.name(), file);
        }
        return new NetworkDefinitions(byName);
    }

    public Optional<NetworkDefinition> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<NetworkDefinition> all() {
        return byName.values();
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record RawNetwork(String name, String driver, @JsonProperty("network_interface") String networkInterface,
            List<RawSubnet> subnets, @JsonProperty("ipv6_enabled") boolean ipv6Enabled, boolean internal,
            @JsonProperty("dns_enabled") boolean dnsEnabled, Map<String, String> options) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record RawSubnet(String subnet, String gateway, @JsonProperty("lease_range") RawLeaseRange leaseRange) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record RawLeaseRange(@JsonProperty("start_ip") String startIp, @JsonProperty("end_ip") String endIp) {
    }

    static NetworkDefinition parse(Path file) {
        RawNetwork raw;
        try {
            raw = JSON.readValue(file.toFile(), RawNetwork.class);
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new NetworkDefinitionException(file + ": not a valid network definition: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new NetworkDefinitionException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (raw == null || raw.name() == null || !NAME.matcher(raw.name()).matches()) {
            throw new NetworkDefinitionException(file + ": \"name\" must match " + NAME.pattern());
        }
        String driver = raw.driver() == null ? "bridge" : raw.driver();
        if (!driver.equals("bridge")) {
            throw new NetworkDefinitionException(file + ": driver \"" + driver + "\" is not supported; podnet builds bridge networks");
        }
        String bridge = raw.networkInterface();
        if (bridge == null || !BRIDGE.matcher(bridge).matches() || bridge.equals(".") || bridge.equals("..")) {
            throw new NetworkDefinitionException(file + ": \"network_interface\" must be 1-15 characters of letters, digits, '_', '-', '.'");
        }
        if (raw.subnets() == null || raw.subnets().isEmpty()) {
            throw new NetworkDefinitionException(file + ": a bridge network needs at least one subnet");
        }
        List<Subnet> subnets = new ArrayList<>();
        for (RawSubnet s : raw.subnets()) {
            subnets.add(subnet(file, s, raw.ipv6Enabled()));
        }
        for (int i = 0; i < subnets.size(); i++) {
            for (int j = i + 1; j < subnets.size(); j++) {
                if (subnets.get(i).subnet().overlaps(subnets.get(j).subnet())) {
                    throw new NetworkDefinitionException(file + ": subnets " + subnets.get(i).subnet() + " and "
                            + subnets.get(j).subnet() + " overlap");
                }
            }
        }
        Map<String, String> options = raw.options() == null ? Map.of() : raw.options();
        return new NetworkDefinition(raw.name(), driver, bridge, subnets, raw.ipv6Enabled(), raw.internal(), raw.dnsEnabled(),
                mtu(file, options.get("mtu")), options);
    }

    private static Subnet subnet(Path file, RawSubnet raw, boolean ipv6Enabled) {
        Cidr cidr;
        try {
            cidr = Cidr.parse(raw.subnet());
        } catch (IllegalArgumentException e) {
            throw new NetworkDefinitionException(file + ": subnet: " + e.getMessage());
        }
        if (!cidr.equals(cidr.network())) {
            throw new NetworkDefinitionException(file + ": subnet " + cidr + " has host bits set; did you mean " + cidr.network() + "?");
        }
        if (!cidr.isV4() && !ipv6Enabled) {
            throw new NetworkDefinitionException(file + ": IPv6 subnet " + cidr + " needs \"ipv6_enabled\": true");
        }
        int hostBits = (cidr.isV4() ? 32 : 128) - cidr.prefixLength();
        if (hostBits < 2) {
            throw new NetworkDefinitionException(file + ": subnet " + cidr + " is too small for a gateway and a pod");
        }
        InetAddress gateway = raw.gateway() == null || raw.gateway().isEmpty()
                ? IpAddresses.add(cidr.networkAddress(), 1)
                : address(file, "gateway", raw.gateway());
        checkUsable(file, cidr, gateway, "gateway");
        InetAddress start = null;
        InetAddress end = null;
        if (raw.leaseRange() != null) {
            if (raw.leaseRange().startIp() != null && !raw.leaseRange().startIp().isEmpty()) {
                start = address(file, "lease_range.start_ip", raw.leaseRange().startIp());
                checkUsable(file, cidr, start, "lease_range.start_ip");
            }
            if (raw.leaseRange().endIp() != null && !raw.leaseRange().endIp().isEmpty()) {
                end = address(file, "lease_range.end_ip", raw.leaseRange().endIp());
                checkUsable(file, cidr, end, "lease_range.end_ip");
            }
            if (start != null && end != null && IpAddresses.toBigInteger(start).compareTo(IpAddresses.toBigInteger(end)) > 0) {
                throw new NetworkDefinitionException(file + ": lease_range of " + cidr + " starts after it ends");
            }
        }
        return new Subnet(cidr, gateway, start, end);
    }

    private static InetAddress address(Path file, String field, String text) {
        try {
            return IpAddresses.parse(text);
        } catch (IllegalArgumentException e) {
            throw new NetworkDefinitionException(file + ": " + field + ": " + e.getMessage());
        }
    }

    private static void checkUsable(Path file, Cidr cidr, InetAddress a, String field) {
        if (!cidr.contains(a)) {
            throw new NetworkDefinitionException(file + ": " + field + " " + IpAddresses.format(a) + " is outside " + cidr);
        }
        if (a.equals(cidr.networkAddress()) || (cidr.isV4() && a.equals(cidr.lastAddress()))) {
            throw new NetworkDefinitionException(file + ": " + field + " " + IpAddresses.format(a)
                    + " is the network or broadcast address of " + cidr);
        }
    }

    private static Integer mtu(Path file, String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        try {
            int mtu = Integer.parseInt(text.trim());
            if (mtu < 68 || mtu > 65535) {
                throw new NumberFormatException();
            }
            return mtu;
        } catch (NumberFormatException e) {
            throw new NetworkDefinitionException(file + ": options.mtu \"" + text + "\" must be a number from 68 to 65535");
        }
    }
}
