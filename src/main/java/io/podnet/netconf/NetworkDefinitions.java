package io.podnet.netconf;

import java.io.IOException;
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
import java.util.stream.Stream;

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
 * are taken as their text), {@code ipam_options.driver}, {@code network_dns_servers} (IP addresses)
 * and {@code dns_bind_port} (podnet's, 1-65535, default 53), both only with {@code dns_enabled}.
 * Everything else ({@code id}, {@code created}, {@code labels}, {@code routes}, ...) is ignored.
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

    private static final long MAX_FILE_BYTES = 1 << 20;

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
            NetworkDefinition d = NetworkJson.read(shown, read(file));
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
}
