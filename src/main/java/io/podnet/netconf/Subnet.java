package io.podnet.netconf;

import java.net.InetAddress;

import io.podnet.inet.Cidr;

/**
 * One subnet of a network definition.
 *
 * @param subnet the network, host bits zero
 * @param gateway the bridge's address in the subnet; null only when the definition has none
 * @param leaseStart first address handed out (null: the first usable one)
 * @param leaseEnd last address handed out (null: the last usable one)
 */
public record Subnet(Cidr subnet, InetAddress gateway, InetAddress leaseStart, InetAddress leaseEnd) {
}
