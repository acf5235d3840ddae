package io.podnet.engine;

import java.net.InetAddress;
import java.util.Set;

import io.podnet.inet.Protocol;

/**
 * A port mapping: {@code range} consecutive host ports from {@code hostPort} (0 = pick a free
 * one) to container ports from {@code containerPort}, for each protocol.
 *
 * @param hostIp null for every address
 */
public record PortRequest(InetAddress hostIp, int hostPort, int containerPort, Set<Protocol> protocols, int range) {
    public PortRequest {
        protocols = Set.copyOf(protocols);
    }
}
