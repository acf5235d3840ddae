package io.podnet.ipam;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.netconf.Subnet;

/**
 * Per-network address allocation, persisted crash-safely under the state directory before any
 * call returns. One address per subnet and owner; dynamic addresses are the lowest free ones,
 * never the network, gateway or (IPv4) broadcast address. Thread-safe, one lock per network.
 */
public final class Ipam {
    private final IpamStore store;
    private final ConcurrentHashMap<String, AddressPool> pools = new ConcurrentHashMap<>();

    public Ipam(Path stateDir) {
        this.store = new IpamStore(stateDir);
    }

    private AddressPool pool(String network) {
        return pools.computeIfAbsent(network, store::load);
    }

    /**
     * The owner's addresses on the network: the ones it already has, or new ones (the static
     * addresses asked for, the lowest free address in the other subnets).
     */
    public Allocation allocate(String network, List<Subnet> subnets, String owner, List<InetAddress> staticIps) {
        AddressPool pool = pool(network);
        synchronized (pool) {
            List<Cidr> existing = pool.of(owner);
            if (existing != null) {
                return new Allocation(network, owner, existing);
            }
            Map<Subnet, InetAddress> chosen = new LinkedHashMap<>();
            for (InetAddress ip : staticIps) {
                Subnet s = subnets.stream().filter(x -> x.subnet().contains(ip)).findFirst().orElseThrow(() ->
                        new IpamException(IpamException.Reason.OutsideSubnet, "static IP " + IpAddresses.format(ip)
                                + " is in none of the subnets " + subnets.stream().map(x -> x.subnet().toString()).toList()));
                if (ip.equals(s.subnet().networkAddress()) || ip.equals(s.gateway())
                        || (s.subnet().isV4() && ip.equals(s.subnet().lastAddress()))) {
                    throw new IpamException(IpamException.Reason.Reserved, "static IP " + IpAddresses.format(ip)
                            + " is the network, gateway or broadcast address of " + s.subnet());
                }
                String holder = pool.ownerOf(ip);
                if (holder != null) {
                    throw new IpamException(IpamException.Reason.Taken, "static IP " + IpAddresses.format(ip) + " is already used by " + holder);
                }
                if (chosen.putIfAbsent(s, ip) != null) {
                    throw new IpamException(IpamException.Reason.Reserved, "two static IPs in subnet " + s.subnet());
                }
            }
            List<Cidr> addresses = new ArrayList<>();
            for (Subnet s : subnets) {
                InetAddress ip = chosen.get(s);
                if (ip == null) {
                    ip = pool.lowestFree(s);
                    if (ip == null) {
                        throw new IpamException(IpamException.Reason.Exhausted, "subnet " + s.subnet() + " of network \""
                                + network + "\" has no free address left");
                    }
                }
                addresses.add(Cidr.of(ip, s.subnet().prefixLength()));
            }
            commit(network, pool, p -> p.put(owner, addresses));
            return new Allocation(network, owner, addresses);
        }
    }

    /**
     * Registers addresses an owner is known to hold (from a pod's own state, after an IPAM file
     * was lost). Idempotent; refused when another owner holds one of them.
     */
    public void reserve(String network, String owner, List<Cidr> addresses) {
        AddressPool pool = pool(network);
        synchronized (pool) {
            if (addresses.equals(pool.of(owner))) {
                return;
            }
            for (Cidr c : addresses) {
                String holder = pool.ownerOf(c.address());
                if (holder != null && !holder.equals(owner)) {
                    throw new IpamException(IpamException.Reason.Taken, IpAddresses.format(c.address()) + " is already used by " + holder);
                }
            }
            commit(network, pool, p -> p.put(owner, addresses));
        }
    }

    public void release(String network, String owner) {
        AddressPool pool = pool(network);
        synchronized (pool) {
            if (pool.of(owner) != null) {
                commit(network, pool, p -> p.remove(owner));
            }
        }
    }

    public void releaseOwnerEverywhere(String owner) {
        Set<String> networks = new HashSet<>(store.networks());
        networks.addAll(pools.keySet());
        networks.forEach(n -> release(n, owner));
    }

    public Optional<Allocation> find(String network, String owner) {
        AddressPool pool = pool(network);
        synchronized (pool) {
            return Optional.ofNullable(pool.of(owner)).map(a -> new Allocation(network, owner, a));
        }
    }

    public Map<String, Allocation> allocations(String network) {
        AddressPool pool = pool(network);
        synchronized (pool) {
            Map<String, Allocation> out = new LinkedHashMap<>();
            pool.all().forEach((owner, a) -> out.put(owner, new Allocation(network, owner, a)));
            return out;
        }
    }

    private void commit(String network, AddressPool pool, java.util.function.Consumer<AddressPool> change) {
        Map<String, List<Cidr>> before = pool.snapshot();
        change.accept(pool);
        try {
            store.save(network, pool);
        } catch (IOException e) {
            pool.restore(before);
            throw new IpamException(IpamException.Reason.Corrupt, "cannot persist IPAM state of network \"" + network + "\": " + e.getMessage(), e);
        }
    }
}
