package io.podnet.ports;

import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;

/**
 * The node's host ports: which pod holds which, in memory. Thread-safe. The engine keeps each
 * pod's resolved mappings in its own state file and {@link #restore}s them at start.
 *
 * <p>{@link #reserve} is all-or-nothing: it checks every mapping (valid numbers, then policy,
 * then conflicts with other pods and within the request), then picks the random host ports, and
 * only then records the result; on any refusal nothing changes. Re-reserving for the same owner
 * replaces its previous reservation atomically (the owner's old ports do not conflict with its
 * new ones).
 *
 * <p>A random host port ({@code hostPort: 0}) is a block of {@code range} consecutive ports in
 * {@code [randomLow, randomHigh]} (default 32768-60999, the kernel's default ephemeral range,
 * where Podman's bind to port 0 lands too) where the policy's granted ranges meet it (a granted
 * range wholly outside it gives its own ports instead), at or above the policy's minimum, on no
 * deny list,
 * held by no pod for an overlapping host address, and on which the probe sees no listener. The
 * search starts at a random port and walks the whole range once, so it ends with
 * {@code NoFreePort} rather than looping when the range is full. Mappings that differ only in
 * protocol (a {@code tcp,udp} entry) get the same random port. Re-reserving keeps the random
 * port the owner already got for the same mapping while it stays allowed and free, so
 * reserving twice is reserving once.
 */
public final class HostPortRegistry {
    public static final int DEFAULT_RANDOM_LOW = 32768;
    public static final int DEFAULT_RANDOM_HIGH = 60999;

    private final int randomLow;
    private final int randomHigh;
    private final IntUnaryOperator randomStart;
    private final Map<String, List<PortMapping>> byOwner = new LinkedHashMap<>();

    public HostPortRegistry() {
        this(DEFAULT_RANDOM_LOW, DEFAULT_RANDOM_HIGH);
    }

    public HostPortRegistry(int randomLow, int randomHigh) {
        this(randomLow, randomHigh, bound -> ThreadLocalRandom.current().nextInt(bound));
    }

    /** @param randomStart given n, returns an offset in [0, n) where the search for a free block starts (tests fix it) */
    HostPortRegistry(int randomLow, int randomHigh, IntUnaryOperator randomStart) {
        if (randomLow < 1 || randomHigh > 65535 || randomLow > randomHigh) {
            throw new IllegalArgumentException("invalid random port range " + randomLow + "-" + randomHigh);
        }
        this.randomLow = randomLow;
        this.randomHigh = randomHigh;
        this.randomStart = randomStart;
    }

    /**
     * Reserves the mappings for {@code owner}, replacing what it held, and returns them in the
     * same order with random host ports resolved.
     *
     * @throws PortRefusedException when any mapping is refused; nothing is reserved then
     */
    public synchronized List<PortMapping> reserve(String owner, List<PortMapping> requested, PortPolicy policy, HostPortProbe probe) {
        Objects.requireNonNull(owner, "owner");
        for (PortMapping p : requested) {
            validate(p);
        }
        for (PortMapping p : requested) {
            if (p.hostPort() != 0) {
                checkPolicy(p, policy);
            }
        }
        List<PortMapping> explicit = requested.stream().filter(p -> p.hostPort() != 0).toList();
        for (int i = 0; i < explicit.size(); i++) {
            PortMapping p = explicit.get(i);
            for (Map.Entry<String, List<PortMapping>> e : byOwner.entrySet()) {
                if (e.getKey().equals(owner)) {
                    continue;
                }
                for (PortMapping held : e.getValue()) {
                    if (p.overlaps(held)) {
                        throw conflict(p, held, e.getKey());
                    }
                }
            }
            for (int j = 0; j < i; j++) {
                if (p.overlaps(explicit.get(j))) {
                    int port = firstShared(p, explicit.get(j));
                    throw new PortRefusedException(PortRefusedException.CONFLICT, port, owner,
                            "host port " + p.protocol().lower() + "/" + port + " is requested twice by " + owner + " ("
                                    + explicit.get(j).describeHost() + " and " + p.describeHost() + ")");
                }
            }
        }
        List<PortMapping> resolved = resolveRandom(owner, requested, explicit, policy, probe);
        byOwner.put(owner, List.copyOf(resolved));
        return resolved;
    }

    /** Forgets what {@code owner} holds; fine when it holds nothing. */
    public synchronized void release(String owner) {
        byOwner.remove(owner);
    }

    /** Records mappings resolved earlier (adoption at start): no policy or conflict checks. */
    public synchronized void restore(String owner, List<PortMapping> resolved) {
        for (PortMapping p : resolved) {
            if (p.hostPort() == 0) {
                throw new IllegalArgumentException("cannot restore an unresolved host port for " + owner + ": " + p);
            }
        }
        byOwner.put(owner, List.copyOf(resolved));
    }

    /** What {@code owner} holds, empty when nothing. */
    public synchronized List<PortMapping> reserved(String owner) {
        return byOwner.getOrDefault(owner, List.of());
    }

    public synchronized Map<String, List<PortMapping>> snapshot() {
        return Map.copyOf(byOwner);
    }

    private static void validate(PortMapping p) {
        p.problem().ifPresent(problem -> {
            throw new PortRefusedException(PortRefusedException.INVALID, problem.port(), null, problem.message());
        });
    }

    private static void checkPolicy(PortMapping p, PortPolicy policy) {
        if (p.hostPort() < policy.minimumPort()) {
            throw new PortRefusedException(PortRefusedException.BELOW_MINIMUM, p.hostPort(), "policy",
                    "host port " + p.describeHost() + " is refused by the node's port policy: the minimum host port is "
                            + policy.minimumPort());
        }
        if (!policy.grants(p)) {
            throw new PortRefusedException(PortRefusedException.NOT_GRANTED, p.hostPort(), "policy",
                    "host port " + p.describeHost() + " is refused by the node policy: it lies outside the host ports granted to this pod " + policy.granted());
        }
        for (int port = p.hostPort(); port <= p.lastHostPort(); port++) {
            if (policy.denies(port)) {
                throw new PortRefusedException(PortRefusedException.DENIED, port, "policy",
                        "host port " + p.protocol().lower() + "/" + port
                                + " is refused by the node's port policy: it is on the deny list (kept for the node's own services)");
            }
        }
    }

    private static PortRefusedException conflict(PortMapping wanted, PortMapping held, String holder) {
        int port = firstShared(wanted, held);
        return new PortRefusedException(PortRefusedException.CONFLICT, port, holder,
                "host port " + wanted.protocol().lower() + "/" + port + " (" + wanted.describeHost() + ") is already mapped by "
                        + holder + " (" + held.describeHost() + ")");
    }

    private static int firstShared(PortMapping a, PortMapping b) {
        return Math.max(a.hostPort(), b.hostPort());
    }

    /** Resolves every hostPort 0; mappings differing only in protocol share one block. */
    private List<PortMapping> resolveRandom(String owner, List<PortMapping> requested, List<PortMapping> explicit, PortPolicy policy,
            HostPortProbe probe) {
        record Group(InetAddress hostIp, int containerPort, int range) {
        }
        Map<Group, Set<Protocol>> groups = new LinkedHashMap<>();
        for (PortMapping p : requested) {
            if (p.hostPort() == 0) {
                groups.computeIfAbsent(new Group(p.hostIp(), p.containerPort(), p.range()), g -> EnumSet.noneOf(Protocol.class))
                        .add(p.protocol());
            }
        }
        if (groups.isEmpty()) {
            return List.copyOf(requested);
        }
        List<PortMapping> taken = new ArrayList<>(explicit);
        byOwner.forEach((o, held) -> {
            if (!o.equals(owner)) {
                taken.addAll(held);
            }
        });
        List<PortMapping> previous = byOwner.getOrDefault(owner, List.of());
        Map<Group, Integer> picked = new HashMap<>();
        for (Map.Entry<Group, Set<Protocol>> e : groups.entrySet()) {
            Group g = e.getKey();
            int start = previouslyPicked(previous, g.hostIp(), g.containerPort(), g.range(), e.getValue(), taken, policy);
            if (start == 0) {
                start = pickBlock(g.hostIp(), g.range(), e.getValue(), taken, policy, probe);
            }
            picked.put(g, start);
            for (Protocol proto : e.getValue()) {
                taken.add(new PortMapping(g.hostIp(), start, g.containerPort(), proto, g.range()));
            }
        }
        List<PortMapping> out = new ArrayList<>(requested.size());
        for (PortMapping p : requested) {
            out.add(p.hostPort() != 0 ? p : p.withHostPort(picked.get(new Group(p.hostIp(), p.containerPort(), p.range()))));
        }
        return out;
    }

    /**
     * The host port this owner got for the same random mapping last time, when it is still
     * allowed and free; 0 otherwise. Keeps a re-reserve (every reconcile) from moving the port.
     */
    private static int previouslyPicked(List<PortMapping> previous, InetAddress hostIp, int containerPort, int range,
            Set<Protocol> protocols, List<PortMapping> taken, PortPolicy policy) {
        for (PortMapping p : previous) {
            if (Objects.equals(p.hostIp(), hostIp) && p.containerPort() == containerPort && p.range() == range
                    && protocols.contains(p.protocol())) {
                for (Protocol proto : protocols) {
                    PortMapping again = new PortMapping(hostIp, p.hostPort(), containerPort, proto, range);
                    try {
                        checkPolicy(again, policy);
                    } catch (PortRefusedException refused) {
                        return 0;
                    }
                    if (taken.stream().anyMatch(again::overlaps)) {
                        return 0;
                    }
                }
                return p.hostPort();
            }
        }
        return 0;
    }

    private int pickBlock(InetAddress hostIp, int range, Set<Protocol> protocols, List<PortMapping> taken, PortPolicy policy,
            HostPortProbe probe) {
        List<int[]> windows = randomWindows(range, policy);
        BitSet busy = new BitSet(65536);
        for (PortMapping held : taken) {
            if (protocols.contains(held.protocol()) && PortMapping.hostIpsOverlap(hostIp, held.hostIp())) {
                busy.set(held.hostPort(), held.lastHostPort() + 1);
            }
        }
        for (int p : policy.deniedPorts()) {
            busy.set(p);
        }
        BitSet starts = new BitSet(65536);
        for (int[] w : windows) {
            starts.set(w[0], w[1] - range + 2);
        }
        int span = starts.cardinality();
        int offset = span == 0 ? 0 : randomStart.applyAsInt(span);
        int start = starts.nextSetBit(0);
        for (int i = 0; i < offset; i++) {
            start = starts.nextSetBit(start + 1);
        }
        for (int i = 0; i < span; i++) {
            int clash = busy.nextSetBit(start);
            if ((clash < 0 || clash >= start + range) && !listening(hostIp, start, range, protocols, probe)) {
                return start;
            }
            start = starts.nextSetBit(start + 1);
            if (start < 0) {
                start = starts.nextSetBit(0);
            }
        }
        throw noFreePort(hostIp, range, protocols, windows);
    }

    /**
     * Where a random block of {@code range} ports may lie, as [low, high] windows above the
     * minimum: each granted range cut to the random range where it meets it, whole where it does not.
     */
    private List<int[]> randomWindows(int range, PortPolicy policy) {
        List<int[]> windows = new ArrayList<>();
        for (var r : policy.granted()) {
            boolean meets = r.low() <= randomHigh && randomLow <= r.high();
            int low = Math.max(meets ? Math.max(r.low(), randomLow) : r.low(), policy.minimumPort());
            int high = meets ? Math.min(r.high(), randomHigh) : r.high();
            if (high - low + 1 >= range) {
                windows.add(new int[] {low, high});
            }
        }
        return windows;
    }

    private static boolean listening(InetAddress hostIp, int start, int range, Set<Protocol> protocols, HostPortProbe probe) {
        for (Protocol proto : protocols) {
            for (int port = start; port < start + range; port++) {
                if (probe.inUse(hostIp, proto, port)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static PortRefusedException noFreePort(InetAddress hostIp, int range, Set<Protocol> protocols, List<int[]> windows) {
        String what = range > 1 ? range + " consecutive host ports" : "a host port";
        String where = windows.isEmpty() ? "the granted host ports " + "(none holds " + range + ")"
                : String.join(", ", windows.stream().map(w -> w[0] + "-" + w[1]).toList());
        return new PortRefusedException(PortRefusedException.NO_FREE_PORT, 0, null,
                "no free " + what + " for " + protocols.stream().map(Protocol::lower).toList()
                        + (hostIp == null ? "" : " on " + hostIp.getHostAddress()) + " in " + where);
    }
}
