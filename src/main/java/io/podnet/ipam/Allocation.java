package io.podnet.ipam;

import java.util.List;

import io.podnet.inet.Cidr;

/** The addresses an owner holds on a network, one per subnet, with the subnet's prefix length. */
public record Allocation(String network, String owner, List<Cidr> addresses) {
    public Allocation {
        addresses = List.copyOf(addresses);
    }
}
