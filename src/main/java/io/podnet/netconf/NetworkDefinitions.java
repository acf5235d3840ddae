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
 * <h2>A bad file makes only its own network unavailable</h2>
 * A file that breaks a rule below is left out; every other network is loaded as usual. The
 * problem is kept under the network's name ({@link #unavailable}), or under the file's name
 * without {@code .json} when not even a valid name could be read (netavark names its files after
 * their networks), so that a PodNetwork asking for that network is told the file and the
 * problem; {@link #problems()} lists them all for the agent's log.
 *
 * <h2>Fields</h2>
 * Read: {@code name}, {@code driver} (absent means {@code bridge}), {@code network_interface},
 * {@code subnets[].subnet/gateway/lease_range.start_ip/end_ip}, {@code ipv6_enabled},
 * {@code internal}, {@code dns_enabled}, {@code options} (string values; numbers and booleans
 * are taken as their text), {@code routes[].destination/gateway/metric}, {@code ipam_options.driver},
 * {@code network_dns_servers} (IP addresses) and {@code dns_bind_port} (podnet's, 1-65535, default
 * 53), both only with {@code dns_enabled}. Everything else ({@code id}, {@code created},
 * {@code labels}, ...) is ignored.
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>the file is one JSON object, at most 1 MiB, without duplicate keys;</li>
 * <li>{@code name} matches {@code [a-zA-Z0-9][a-zA-Z0-9_.-]*} and is unique across files;</li>
 * <li>{@code driver} is {@code bridge}, {@code macvlan} or {@code ipvlan}; others (netavark
 *     plugins) are refused;</li>
 * <li>{@code network_interface} is 1-15 of {@code [a-zA-Z0-9_.-]}, not "." or "..". A bridge
 *     network needs it (the bridge's name, unique across bridge networks); for macvlan and
 *     ipvlan it names the parent interface, and without it the interface of the host's default
 *     route is the parent;</li>
 * <li>{@code dns_enabled} only on bridge networks;</li>
 * <li>{@code ipam_options.driver} is absent, empty or {@code host-local} (then at least one subnet
 *     is required), or {@code none} (then no subnet is allowed); {@code dhcp} and others are
 *     refused;</li>
 * <li>each subnet is a CIDR whose host bits are zero; an IPv6 subnet needs
 *     {@code "ipv6_enabled": true}; subnets of one network do not overlap each other, and no
 *     subnet overlaps a subnet of another network;</li>
 * <li>a given gateway lies in its subnet, has its family, and is neither the network address nor
 *     (IPv4) the broadcast address;</li>
 * <li>a lease range has addresses of the subnet, start &lt;= end;</li>
 * <li>options: {@code mtu} (68..65535, at least 1280 with an IPv6 subnet; for bridges also as
 *     {@code com.docker.network.driver.mtu}), {@code metric} (1..2147483647) and
 *     {@code no_default_route} (true, false, 1, 0) for every driver; for bridges {@code isolate}
 *     (true, false, strict), {@code vlan} (1..4094) and {@code mode} (only {@code managed}); for
 *     macvlan {@code mode} bridge (default), private, vepa or passthru; for ipvlan {@code mode}
 *     l2 (default), l3 or l3s. Any other option is refused by name, so none is silently ignored;</li>
 * <li>each route has a {@code destination} CIDR without host bits, a {@code gateway} of the same
 *     family inside one of the network's subnets, and an optional {@code metric} (default 100).</li>
 * </ul>
 *
 * <h2>Gateways</h2>
 * A missing gateway is derived, not defaulted, following netavark ({@code add_gateway =
 * !internal || dns_enabled}): when the network is not internal, or is internal but has DNS
 * enabled (the DNS server listens on the gateway), the gateway is the first address after the
 * network address ({@code 10.89.0.0/24 -> 10.89.0.1}, {@code fd00::/64 -> fd00::1}); a subnet
 * too small to have one (IPv4 /31 or /32, IPv6 /128) is then refused. An internal network
 * without DNS gets no gateway ({@link Subnet#gateway()} is null) unless the file gives one.
 *
 * <h2>Read again while the agent runs</h2>
 * The engine reads the directory again every resync interval. A change takes effect then, except
 * for a network that pods use: see {@link #keepingInUse}.
 */
public final class NetworkDefinitions {
    /** The name of the network used when no definitions are given. */
    public static final String DEFAULT_NETWORK = "podnet";

    private static final long MAX_FILE_BYTES = 1 << 20;

    private static final NetworkDefinitions DEFAULTS = new NetworkDefinitions(List.of(NetworkDefinition.bridge(
            DEFAULT_NETWORK, "podnet0", List.of(Subnet.of(Cidr.parse("10.89.0.0/24"), IpAddresses.parse("10.89.0.1"))),
            false, false, false, null)), List.of(), Map.of(), List.of());

    private final Map<String, NetworkDefinition> byName;
    private final Map<String, NetworkDefinitionException> unavailable;
    private final List<NetworkDefinitionException> problems;
    private final Map<String, String> fileOf;
    private final List<String> pending;

    NetworkDefinitions(List<NetworkDefinition> definitions, List<NetworkDefinitionException> problems, Map<String, String> fileOf,
            List<String> pending) {
        this.fileOf = Map.copyOf(fileOf);
        this.pending = List.copyOf(pending);
        Map<String, NetworkDefinition> m = new TreeMap<>();
        for (NetworkDefinition d : definitions) {
            m.put(d.name(), d);
        }
        this.byName = Collections.unmodifiableMap(m);
        Map<String, NetworkDefinitionException> u = new TreeMap<>();
        for (NetworkDefinitionException e : problems) {
            String key = e.network() != null ? e.network() : stem(e.file());
            // a usable definition of the name wins; of two broken files, the first one's problem is reported
            if (!m.containsKey(key)) {
                u.putIfAbsent(key, e);
            }
        }
        this.unavailable = Collections.unmodifiableMap(u);
        this.problems = List.copyOf(problems);
    }

    /** An immutable set of exactly these definitions (for tests and tools); names must be unique. */
    public static NetworkDefinitions of(List<NetworkDefinition> definitions) {
        return new NetworkDefinitions(definitions, List.of(), Map.of(), List.of());
    }

    /** Only the default network: {@code podnet}, bridge {@code podnet0}, 10.89.0.0/24, gateway 10.89.0.1. */
    public static NetworkDefinitions defaults() {
        return DEFAULTS;
    }

    /**
     * Loads and validates every {@code *.json} file of {@code dir}. A bad file does not fail the
     * load: its network is left out and its problem kept (see {@link #unavailable}).
     *
     * @throws NetworkDefinitionException only when {@code dir} exists but is not a directory or
     *         cannot be listed
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
        List<NetworkDefinitionException> problems = new ArrayList<>();
        Map<String, String> fileOfName = new HashMap<>();
        Map<String, String> fileOfBridge = new HashMap<>();
        Map<Cidr, String> fileOfSubnet = new LinkedHashMap<>();
        for (Path file : files) {
            String shown = file.toString();
            try {
                NetworkDefinition d = NetworkJson.read(shown, read(file));
                checkAgainstEarlier(shown, d, fileOfName, fileOfBridge, fileOfSubnet);
                fileOfName.put(d.name(), shown);
                if (d.isBridge()) {
                    fileOfBridge.put(d.bridgeName(), shown);
                }
                d.subnets().forEach(s -> fileOfSubnet.put(s.subnet(), shown));
                loaded.add(d);
            } catch (NetworkDefinitionException e) {
                problems.add(e);
            }
        }
        return new NetworkDefinitions(loaded, problems, fileOfName, List.of());
    }

    private static void checkAgainstEarlier(String shown, NetworkDefinition d, Map<String, String> fileOfName,
            Map<String, String> fileOfBridge, Map<Cidr, String> fileOfSubnet) {
        String other = fileOfName.get(d.name());
        if (other != null) {
            throw conflict(shown, d, "network name \"" + d.name() + "\" is already defined in " + other);
        }
        other = d.isBridge() ? fileOfBridge.get(d.bridgeName()) : null;
        if (other != null) {
            throw conflict(shown, d, "bridge name \"" + d.bridgeName() + "\" is already used by the network in " + other);
        }
        for (Subnet s : d.subnets()) {
            for (Map.Entry<Cidr, String> e : fileOfSubnet.entrySet()) {
                if (e.getKey().overlaps(s.subnet())) {
                    throw conflict(shown, d, "subnet " + s.subnet() + " overlaps subnet " + e.getKey() + " of the network in " + e.getValue());
                }
            }
        }
    }

    private static NetworkDefinitionException conflict(String file, NetworkDefinition d, String problem) {
        return new NetworkDefinitionException(file, problem, d.name(), NetworkDefinitionException.INVALID, null);
    }

    public Optional<NetworkDefinition> get(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** All usable definitions, ordered by name. */
    public Collection<NetworkDefinition> all() {
        return byName.values();
    }

    /**
     * Why the network of this name is not usable, when a file meant to define it is bad; empty
     * when it is defined, or when no file tried to.
     */
    public Optional<NetworkDefinitionException> unavailable(String name) {
        return Optional.ofNullable(unavailable.get(name));
    }

    /** Every bad file's problem, in file order. */
    public List<NetworkDefinitionException> problems() {
        return problems;
    }

    /** Every bad file's "file: problem", in file order. */
    public List<String> problemMessages() {
        return problems.stream().map(Throwable::getMessage).toList();
    }

    /** The file a usable network was read from, when it came from one. */
    public Optional<String> fileOf(String network) {
        return Optional.ofNullable(fileOf.get(network));
    }

    /**
     * Changes to networks in use that wait until no pod uses them (see {@link InUseDefinitions}),
     * one line each; empty when every file is in effect.
     */
    public List<String> pending() {
        return pending;
    }

    /**
     * The set to run with when these definitions were just read while pods use the networks
     * {@code inUse} with the {@code running} ones: see {@link InUseDefinitions}.
     */
    public NetworkDefinitions keepingInUse(NetworkDefinitions running, java.util.Set<String> inUse) {
        return InUseDefinitions.merge(running, this, inUse);
    }

    /** Whether both hold the same usable definitions, the same problems and the same waiting changes. */
    public boolean sameAs(NetworkDefinitions other) {
        return byName.equals(other.byName) && pending.equals(other.pending) && problemMessages().equals(other.problemMessages());
    }

    /** The file name without its directory and {@code .json}. */
    private static String stem(String file) {
        String n = Path.of(file).getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - ".json".length()) : n;
    }

    @Override
    public String toString() {
        return "NetworkDefinitions" + byName.keySet() + (unavailable.isEmpty() ? "" : ", unavailable " + unavailable.keySet())
                + (pending.isEmpty() ? "" : ", " + pending.size() + " change(s) waiting");
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
