package io.podnet.ipam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.jboss.logging.Logger;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.ipam.IpamException.Reason;
import io.podnet.netconf.Subnet;
import io.podnet.sys.AtomicFile;

/**
 * The allocations of one network: loaded from its state file on first use, indexed in memory,
 * and written back before every change becomes visible. All methods hold this object's monitor,
 * which is the per-network lock.
 */
final class NetworkState {
    private static final Logger LOG = Logger.getLogger(Ipam.class);

    private final String network;
    private final Path dir;
    private final Path file;
    private final boolean durable;
    private boolean loaded;

    private final Map<String, Allocation> byOwner = new TreeMap<>();
    private final Map<InetAddress, String> ownerOf = new HashMap<>();
    /**
     * Owner -> its line of the state file, in file order: the whole file is written at every
     * change, so each line is formatted once and the file is these lines joined.
     */
    private final TreeMap<String, String> entryOf = new TreeMap<>();
    private int lastFileLength;
    private final TakenAddresses takenV4 = new TakenAddresses();
    private final TakenAddresses takenV6 = new TakenAddresses();

    NetworkState(String network, Path dir, boolean durable) {
        this.network = network;
        this.dir = dir;
        this.durable = durable;
        this.file = StateFile.file(dir, network);
    }

    // ---- queries ----

    synchronized Optional<Allocation> find(String owner) {
        ensureLoaded();
        return Optional.ofNullable(byOwner.get(owner));
    }

    synchronized Map<String, Allocation> allocations() {
        ensureLoaded();
        return Collections.unmodifiableMap(new TreeMap<>(byOwner));
    }

    // ---- changes ----

    synchronized Allocation allocate(List<Subnet> subnets, String owner, List<InetAddress> staticIps) {
        ensureLoaded();
        List<Range> ranges = new ArrayList<>(subnets.size());
        for (Subnet s : subnets) {
            Range r = new Range(s);
            for (Range earlier : ranges) {
                if (earlier.subnet.subnet().overlaps(s.subnet())) {
                    throw new IllegalArgumentException("subnets " + earlier.cidr() + " and " + r.cidr() + " of network " + network + " overlap");
                }
            }
            ranges.add(r);
        }

        // static IPs first, so that a refusal happens before anything is picked
        List<List<InetAddress>> chosen = new ArrayList<>(ranges.size());
        ranges.forEach(r -> chosen.add(new ArrayList<>()));
        Set<InetAddress> seen = new HashSet<>();
        for (InetAddress ip : staticIps) {
            int i = indexOf(ranges, ip);
            if (i < 0) {
                throw new IpamException(Reason.OutsideSubnet, "static IP " + IpAddresses.format(ip) + " is in no subnet of network "
                        + network + " " + ranges.stream().map(Range::cidr).toList());
            }
            if (!seen.add(ip)) {
                throw new IllegalArgumentException("static IP " + IpAddresses.format(ip) + " of network " + network + " is given twice");
            }
            Range r = ranges.get(i);
            String role = r.reservedRole(IpAddresses.toBigInteger(ip));
            if (role != null) {
                throw new IpamException(Reason.Reserved, "static IP " + IpAddresses.format(ip) + " is the " + role
                        + " address of subnet " + r.cidr() + " of network " + network);
            }
            String holder = ownerOf.get(ip);
            if (holder != null && !holder.equals(owner)) {
                throw new IpamException(Reason.Taken, "static IP " + IpAddresses.format(ip) + " on network " + network
                        + " is already held by " + holder);
            }
            chosen.get(i).add(ip);
        }

        // a subnet without static IPs: keep what the owner already has in it, else the lowest free address
        Allocation existing = byOwner.get(owner);
        for (int i = 0; i < ranges.size(); i++) {
            if (!chosen.get(i).isEmpty()) {
                continue;
            }
            Range r = ranges.get(i);
            InetAddress kept = null;
            if (existing != null) {
                for (Cidr held : existing.addresses()) {
                    InetAddress a = held.address();
                    if (r.subnet.subnet().contains(a) && r.reservedRole(IpAddresses.toBigInteger(a)) == null) {
                        kept = a;
                        break;
                    }
                }
            }
            chosen.get(i).add(kept != null ? kept : lowestFree(r));
        }

        List<Cidr> addresses = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            int prefix = ranges.get(i).subnet.subnet().prefixLength();
            chosen.get(i).forEach(a -> addresses.add(Cidr.of(a, prefix)));
        }
        Allocation result = new Allocation(network, owner, addresses);
        if (result.equals(existing)) {
            return existing;
        }
        commit(owner, result);
        return result;
    }

    synchronized void reserve(String owner, List<Cidr> addresses) {
        ensureLoaded();
        Set<InetAddress> seen = new HashSet<>();
        for (Cidr c : addresses) {
            if (!seen.add(c.address())) {
                throw new IllegalArgumentException("address " + IpAddresses.format(c.address()) + " is given twice");
            }
            String holder = ownerOf.get(c.address());
            if (holder != null && !holder.equals(owner)) {
                throw new IpamException(Reason.Taken, "address " + IpAddresses.format(c.address()) + " on network " + network
                        + " is already held by " + holder);
            }
        }
        Allocation wanted = new Allocation(network, owner, addresses);
        if (!wanted.equals(byOwner.get(owner))) {
            commit(owner, wanted);
        }
    }

    synchronized void release(String owner) {
        ensureLoaded();
        if (byOwner.containsKey(owner)) {
            commit(owner, null);
        }
    }

    // ---- internals ----

    private static int indexOf(List<Range> ranges, InetAddress ip) {
        for (int i = 0; i < ranges.size(); i++) {
            if (ranges.get(i).subnet.subnet().contains(ip)) {
                return i;
            }
        }
        return -1;
    }

    private TakenAddresses taken(InetAddress a) {
        return IpAddresses.isV4(a) ? takenV4 : takenV6;
    }

    private InetAddress lowestFree(Range r) {
        TakenAddresses taken = r.v4 ? takenV4 : takenV6;
        BigInteger c = r.start;
        while (c.compareTo(r.end) <= 0) {
            c = taken.firstFreeAtOrAfter(c);
            if (c.compareTo(r.end) > 0) {
                break;
            }
            if (r.reservedRole(c) == null) {
                return IpAddresses.fromBigInteger(c, r.bytes);
            }
            c = c.add(BigInteger.ONE);
        }
        throw new IpamException(Reason.Exhausted, "no free address in subnet " + r.cidr() + " of network " + network
                + " (range " + IpAddresses.format(IpAddresses.fromBigInteger(r.start, r.bytes)) + " - "
                + IpAddresses.format(IpAddresses.fromBigInteger(r.end, r.bytes)) + ")");
    }

    /** Writes the state with {@code owner} set to {@code allocation} (null: removed), then applies it in memory. */
    private void commit(String owner, Allocation allocation) {
        String entry = allocation == null ? null : StateFile.Encoder.entry(owner, allocation.addresses());
        String previous = entry == null ? entryOf.remove(owner) : entryOf.put(owner, entry);
        try {
            StateFile.Encoder out = new StateFile.Encoder(network, lastFileLength + 256);
            entryOf.values().forEach(out::addEntry);
            byte[] content = out.finish();
            if (durable) {
                AtomicFile.write(file, content);
            } else {
                AtomicFile.writeVolatile(file, content);
            }
            lastFileLength = content.length;
        } catch (IOException | RuntimeException e) {
            // memory stays what the file still says
            if (previous == null) {
                entryOf.remove(owner);
            } else {
                entryOf.put(owner, previous);
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot write IPAM state " + file + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
        Allocation old = allocation == null ? byOwner.remove(owner) : byOwner.put(owner, allocation);
        if (old != null) {
            unindex(old);
        }
        if (allocation != null) {
            index(allocation);
        }
    }

    private void index(Allocation a) {
        for (Cidr c : a.addresses()) {
            ownerOf.put(c.address(), a.owner());
            taken(c.address()).add(IpAddresses.toBigInteger(c.address()));
        }
    }

    private void unindex(Allocation a) {
        for (Cidr c : a.addresses()) {
            ownerOf.remove(c.address(), a.owner());
            taken(c.address()).remove(IpAddresses.toBigInteger(c.address()));
        }
    }

    private void clear() {
        byOwner.clear();
        ownerOf.clear();
        entryOf.clear();
        takenV4.clear();
        takenV6.clear();
    }

    private void ensureLoaded() {
        if (loaded) {
            return;
        }
        removeStaleTempFiles();
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            loaded = true;
            return;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read IPAM state " + file + ": " + e.getMessage(), e);
        }
        try {
            Map<String, List<Cidr>> stored = StateFile.decode(network, content);
            for (Map.Entry<String, List<Cidr>> e : stored.entrySet()) {
                Allocation a = new Allocation(network, e.getKey(), e.getValue());
                for (Cidr c : a.addresses()) {
                    String other = ownerOf.get(c.address());
                    if (other != null) {
                        throw new StateFile.Unreadable("address " + c + " is held by both \"" + other + "\" and \"" + a.owner() + "\"", false);
                    }
                    ownerOf.put(c.address(), a.owner());
                }
                byOwner.put(a.owner(), a);
                entryOf.put(a.owner(), StateFile.Encoder.entry(a.owner(), a.addresses()));
                for (Cidr c : a.addresses()) {
                    taken(c.address()).add(IpAddresses.toBigInteger(c.address()));
                }
            }
        } catch (StateFile.Unreadable e) {
            clear();
            if (e.newer) {
                throw new IpamException(Reason.Corrupt, "IPAM state " + file + " cannot be used: " + e.getMessage());
            }
            Path aside;
            try {
                aside = StateFile.setAside(file);
            } catch (IOException io) {
                throw new IpamException(Reason.Corrupt, "IPAM state " + file + " is corrupt (" + e.getMessage()
                        + ") and could not be set aside: " + io.getMessage(), io);
            }
            LOG.warnf("IPAM state %s is corrupt (%s): moved it to %s and started network %s with no allocations;"
                    + " known pods re-register their addresses with reserve()", file, e.getMessage(), aside, network);
        }
        loaded = true;
    }

    private void removeStaleTempFiles() {
        try {
            AtomicFile.removeTemporaries(file); // left by a crash between write and rename: never the real state
        } catch (IOException e) {
            LOG.warnf("cannot remove stale IPAM temp files of network %s in %s: %s", network, dir, e.getMessage());
        }
    }

    /** A subnet as numbers: where dynamic allocation starts and ends, and which addresses are never handed out. */
    private static final class Range {
        final Subnet subnet;
        final boolean v4;
        final int bytes;
        final BigInteger networkAddress;
        final BigInteger last;
        final BigInteger gateway;
        final BigInteger start;
        final BigInteger end;

        Range(Subnet s) {
            this.subnet = s;
            Cidr c = s.subnet();
            for (InetAddress a : new InetAddress[] {s.gateway(), s.leaseStart(), s.leaseEnd()}) {
                if (a != null && !c.contains(a)) {
                    throw new IllegalArgumentException("address " + IpAddresses.format(a) + " of subnet " + c.network() + " is outside it");
                }
            }
            this.v4 = c.isV4();
            this.bytes = c.address().getAddress().length;
            this.networkAddress = IpAddresses.toBigInteger(c.networkAddress());
            this.last = IpAddresses.toBigInteger(c.lastAddress());
            this.gateway = s.gateway() == null ? null : IpAddresses.toBigInteger(s.gateway());
            this.start = s.leaseStart() == null ? networkAddress : IpAddresses.toBigInteger(s.leaseStart()).max(networkAddress);
            this.end = s.leaseEnd() == null ? last : IpAddresses.toBigInteger(s.leaseEnd()).min(last);
        }

        Cidr cidr() {
            return subnet.subnet().network();
        }

        /** "network", "gateway", "broadcast" or null for an address that may be handed out. */
        String reservedRole(BigInteger a) {
            if (a.equals(networkAddress)) {
                return "network";
            }
            if (a.equals(gateway)) {
                return "gateway";
            }
            if (v4 && a.equals(last)) {
                return "broadcast";
            }
            return null;
        }
    }
}
