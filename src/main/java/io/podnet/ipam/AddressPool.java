package io.podnet.ipam;

import java.math.BigInteger;
import java.net.InetAddress;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.netconf.Subnet;

/**
 * The addresses taken on one network, indexed both ways, with a per-subnet hint of the lowest
 * address that may be free so that allocation does not rescan what is known to be taken.
 * Not thread-safe: {@link Ipam} holds its lock.
 */
final class AddressPool {
    private final Map<String, List<Cidr>> byOwner = new LinkedHashMap<>();
    private final Map<InetAddress, String> owners = new HashMap<>();
    private final Map<Cidr, BigInteger> lowestMaybeFree = new HashMap<>();

    List<Cidr> of(String owner) {
        return byOwner.get(owner);
    }

    Map<String, List<Cidr>> all() {
        return byOwner;
    }

    String ownerOf(InetAddress address) {
        return owners.get(address);
    }

    void put(String owner, List<Cidr> addresses) {
        remove(owner);
        byOwner.put(owner, List.copyOf(addresses));
        addresses.forEach(c -> owners.put(c.address(), owner));
    }

    List<Cidr> remove(String owner) {
        List<Cidr> gone = byOwner.remove(owner);
        if (gone != null) {
            for (Cidr c : gone) {
                owners.remove(c.address());
                BigInteger value = IpAddresses.toBigInteger(c.address());
                lowestMaybeFree.replaceAll((subnet, hint) -> subnet.contains(c.address()) && value.compareTo(hint) < 0 ? value : hint);
            }
        }
        return gone;
    }

    /** The lowest free address of the subnet's range, or null when the subnet is full. */
    InetAddress lowestFree(Subnet s) {
        Cidr net = s.subnet();
        int length = net.networkAddress().getAddress().length;
        BigInteger first = IpAddresses.toBigInteger(s.leaseStart() != null ? s.leaseStart() : IpAddresses.add(net.networkAddress(), 1));
        BigInteger last = IpAddresses.toBigInteger(s.leaseEnd() != null ? s.leaseEnd()
                : net.isV4() ? IpAddresses.add(net.lastAddress(), -1) : net.lastAddress());
        BigInteger gateway = s.gateway() == null ? null : IpAddresses.toBigInteger(s.gateway());
        BigInteger candidate = first.max(lowestMaybeFree.getOrDefault(net, first));
        while (candidate.compareTo(last) <= 0) {
            InetAddress a = IpAddresses.fromBigInteger(candidate, length);
            if (!candidate.equals(gateway) && !owners.containsKey(a)) {
                lowestMaybeFree.put(net, candidate.add(BigInteger.ONE));
                return a;
            }
            candidate = candidate.add(BigInteger.ONE);
        }
        lowestMaybeFree.put(net, candidate);
        return null;
    }

    /** A copy to roll back to when persisting fails. */
    Map<String, List<Cidr>> snapshot() {
        return new LinkedHashMap<>(byOwner);
    }

    void restore(Map<String, List<Cidr>> snapshot) {
        byOwner.clear();
        owners.clear();
        lowestMaybeFree.clear();
        snapshot.forEach(this::put);
    }

}
