package io.podnet.ipam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.podnet.inet.Cidr;
import io.podnet.netconf.Subnet;

/**
 * Per-network address allocation (host-local IPAM) with crash-safe persistence.
 *
 * <h2>State</h2>
 * Each network has one file, {@code <stateDir>/ipam/<network>.json}, read the first time the
 * network is used and kept in memory after that. Owners are sorted; each owner's addresses keep
 * the order of the subnets they came from:
 * <pre>
 * {
 *   "version": 1,
 *   "network": "podnet",
 *   "allocations": {
 *     "owner-a": ["10.89.0.2/24", "fd00::2/64"],
 *     "owner-b": ["10.89.0.3/24", "fd00::3/64"]
 *   }
 * }
 * </pre>
 * Network names must match {@code [a-zA-Z0-9][a-zA-Z0-9_.-]*}, so a file name never leaves the
 * directory. Every change is written
 * before the method that makes it returns: temp file {@code .<network>.json.tmp-<16 hex>} in the
 * same directory, fsync, atomic rename over the old file, fsync of the directory (no fsyncs for
 * an IPAM {@link #onTmpfs on tmpfs}) (temp files left
 * by a crash are deleted when the network is next loaded). When the write fails the change is not made (memory
 * and disk stay equal) and an {@link UncheckedIOException} is thrown. A new {@code Ipam} on the
 * same directory sees exactly what the last one wrote.
 *
 * <h2>Damaged state</h2>
 * A state file that is not valid JSON, is truncated, or breaks the format (wrong network, bad
 * address, an address held twice) does not stop the agent: it is renamed to
 * {@code <network>.json.corrupt-<UTC timestamp>} (kept for inspection), a warning is logged, and
 * the network starts with no allocations. The engine then re-registers the addresses it finds in
 * its per-pod state with {@link #reserve}, which it should do for every known pod at start-up,
 * before allocating anything. A file written by a newer podnet (higher {@code version}) is left
 * alone and every call on that network fails with {@link IpamException.Reason#Corrupt}; so does a
 * damaged file that cannot be renamed.
 *
 * <h2>Allocation</h2>
 * Each subnet given gets its static IPs, as many as the request names in it (Podman and netavark
 * allow several in one subnet), or else one address. For a subnet without static IPs, an address
 * the owner already holds in it is kept (so a changed static IP or a changed lease range never
 * renumbers the rest of a running pod); otherwise the lowest free address of the subnet, or of
 * its lease range, is taken, skipping the network address, the gateway and (IPv4) the broadcast
 * address. The same request twice returns the same allocation
 * without writing anything. An in-memory index of taken addresses (merged runs in a sorted map)
 * makes finding the lowest free address O(log n) whatever the subnet size; the file rewrite on
 * each change is O(allocations on that network).
 *
 * <h2>Threads</h2>
 * Safe for concurrent use; calls on the same network are serialised by one lock per network,
 * calls on different networks run in parallel.
 */
public final class Ipam {
    private static final Pattern NETWORK_NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

    private final Path dir;
    private final boolean durable;
    private final ConcurrentHashMap<String, NetworkState> states = new ConcurrentHashMap<>();

    /** Keeps its files under {@code <stateDir>/ipam/}, fsynced; nothing is read or created until a network is used. */
    public Ipam(Path stateDir) {
        this(stateDir, true);
    }

    private Ipam(Path stateDir, boolean durable) {
        this.dir = Objects.requireNonNull(stateDir, "stateDir").resolve("ipam");
        this.durable = durable;
    }

    /**
     * Keeps its files under {@code <runDir>/ipam/} (tmpfs, as /run is on a node) with the same
     * temp file and atomic rename but no fsync: the allocations describe addresses on kernel
     * objects that die with the node, so they need to survive a process crash (rename is atomic
     * in the page cache) and not a reboot, after which every pod is built again.
     */
    public static Ipam onTmpfs(Path runDir) {
        return new Ipam(runDir, false);
    }

    /** The directory holding the state files. */
    public Path directory() {
        return dir;
    }

    /**
     * Gives {@code owner} its static IPs, and one address in each other subnet of {@code network}, and writes it
     * down before returning. Idempotent: when the owner already holds addresses on the network
     * that satisfy the request, that allocation is returned unchanged.
     *
     * @param subnets   the network's subnets (from its definition), at least one, not overlapping
     * @param staticIps wanted addresses, any number per subnet; may be empty
     * @throws IpamException reason OutsideSubnet, Reserved, Taken (message names the holder) or Exhausted
     * @throws IllegalArgumentException for a bad network name, blank owner, no subnets, or a
     *         static IP given twice
     */
    public Allocation allocate(String network, List<Subnet> subnets, String owner, List<InetAddress> staticIps) {
        checkOwner(owner);
        Objects.requireNonNull(subnets, "subnets");
        if (subnets.isEmpty()) {
            throw new IllegalArgumentException("network " + network + " has no subnet to allocate from");
        }
        List<InetAddress> statics = staticIps == null ? List.of() : List.copyOf(staticIps);
        return state(network).allocate(List.copyOf(subnets), owner, statics);
    }

    /**
     * Registers addresses the caller knows {@code owner} holds (for example from the engine's per-pod
     * state after a restart or a damaged state file). They become the owner's whole allocation on
     * the network; the same call twice writes nothing.
     *
     * @throws IpamException reason Taken when another owner holds one of the addresses
     */
    public void reserve(String network, String owner, List<Cidr> addresses) {
        checkOwner(owner);
        Objects.requireNonNull(addresses, "addresses");
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("no address to reserve for " + owner + " on network " + network);
        }
        state(network).reserve(owner, List.copyOf(addresses));
    }

    /** Frees the owner's addresses on the network; nothing happens when it holds none. */
    public void release(String network, String owner) {
        checkOwner(owner);
        state(network).release(owner);
    }

    public Optional<Allocation> find(String network, String owner) {
        checkOwner(owner);
        return state(network).find(owner);
    }

    /** A snapshot of the network's allocations, owner -> allocation, sorted by owner. */
    public Map<String, Allocation> allocations(String network) {
        return state(network).allocations();
    }

    /** Releases the owner on every network that has a state file or was used by this instance. */
    public void releaseOwnerEverywhere(String owner) {
        checkOwner(owner);
        Set<String> networks = new TreeSet<>(states.keySet());
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".json"))
                        .map(n -> n.substring(0, n.length() - ".json".length()))
                        .filter(n -> NETWORK_NAME.matcher(n).matches())
                        .forEach(networks::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list IPAM state directory " + dir + ": " + e.getMessage(), e);
            }
        }
        for (String network : networks) {
            state(network).release(owner);
        }
    }

    private NetworkState state(String network) {
        if (network == null || !NETWORK_NAME.matcher(network).matches()) {
            throw new IllegalArgumentException("invalid network name \"" + network + "\": it must match [a-zA-Z0-9][a-zA-Z0-9_.-]*");
        }
        return states.computeIfAbsent(network, n -> new NetworkState(n, dir, durable));
    }

    private static void checkOwner(String owner) {
        if (owner == null || owner.isBlank()) {
            throw new IllegalArgumentException("an allocation owner must not be blank");
        }
    }
}
