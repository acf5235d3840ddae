package io.podnet.ipam;

import java.util.List;
import java.util.Objects;

import io.podnet.inet.Cidr;

/**
 * The addresses one owner holds on one network, in the order of the subnets given to
 * {@link Ipam#allocate} (a subnet's several static IPs in the order asked), each with its
 * subnet's prefix length (e.g. {@code 10.89.0.2/24}).
 */
public record Allocation(String network, String owner, List<Cidr> addresses) {
    public Allocation {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(owner, "owner");
        addresses = List.copyOf(addresses);
    }
}
