package io.podnet.netconf;

import java.net.InetAddress;
import java.util.Objects;

import io.podnet.inet.Cidr;

/**
 * One entry of a network definition's {@code routes}: added in every pod on the network.
 *
 * @param destination the destination network, host bits zero
 * @param gateway     the next hop, inside one of the network's subnets
 * @param metric      the route's metric; 100 when the file gives none, as netavark adds it
 */
public record StaticRoute(Cidr destination, InetAddress gateway, int metric) {
    /** netavark's metric for routes that do not name one. */
    public static final int DEFAULT_METRIC = 100;

    public StaticRoute {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(gateway, "gateway");
    }
}
