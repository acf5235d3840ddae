package io.podnet.netconf;

import java.net.InetAddress;
import java.util.Objects;

import io.podnet.inet.Cidr;

/**
 * One subnet of a network definition, as validated by {@link NetworkDefinitions}.
 *
 * @param subnet     the network in CIDR form, host bits zero (e.g. {@code 10.89.0.0/24})
 * @param gateway    the gateway address on the bridge, or {@code null} when the network has none
 *                   (an internal network without DNS and without an explicit gateway)
 * @param leaseStart first address handed out dynamically, or {@code null} for the start of the subnet
 * @param leaseEnd   last address handed out dynamically, or {@code null} for the end of the subnet
 */
public record Subnet(Cidr subnet, InetAddress gateway, InetAddress leaseStart, InetAddress leaseEnd) {
    public Subnet {
        Objects.requireNonNull(subnet, "subnet");
    }

    /** A subnet with a gateway and no lease range. */
    public static Subnet of(Cidr subnet, InetAddress gateway) {
        return new Subnet(subnet, gateway, null, null);
    }

    public boolean isV4() {
        return subnet.isV4();
    }
}
