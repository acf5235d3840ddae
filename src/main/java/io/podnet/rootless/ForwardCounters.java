package io.podnet.rootless;

/**
 * What a {@link PortForwarder} has moved, since it started (or for one forward, since it was
 * started). Bytes count payload as it is read from one side, before it is written to the other
 * (a datagram that is then dropped is counted in {@code datagramsDropped} too).
 *
 * @param connectionsAccepted TCP connections accepted on host ports
 * @param connectionsActive   TCP connections open now
 * @param connectFailures     TCP connections whose pod side could not be connected
 * @param bytesToPod          TCP and UDP payload bytes from clients to pods
 * @param bytesFromPod        TCP and UDP payload bytes from pods to clients
 * @param udpFlowsCreated     UDP flows (one per client address and port) started
 * @param udpFlowsActive      UDP flows open now
 * @param udpFlowsExpired     UDP flows closed after being idle
 * @param datagramsDropped    datagrams dropped (a full socket buffer, too many flows, an
 *                            unreachable pod)
 */
public record ForwardCounters(long connectionsAccepted, long connectionsActive, long connectFailures, long bytesToPod,
        long bytesFromPod, long udpFlowsCreated, long udpFlowsActive, long udpFlowsExpired, long datagramsDropped) {

    ForwardCounters plus(ForwardCounters o) {
        return new ForwardCounters(connectionsAccepted + o.connectionsAccepted, connectionsActive + o.connectionsActive,
                connectFailures + o.connectFailures, bytesToPod + o.bytesToPod, bytesFromPod + o.bytesFromPod,
                udpFlowsCreated + o.udpFlowsCreated, udpFlowsActive + o.udpFlowsActive, udpFlowsExpired + o.udpFlowsExpired,
                datagramsDropped + o.datagramsDropped);
    }

    static final ForwardCounters ZERO = new ForwardCounters(0, 0, 0, 0, 0, 0, 0, 0, 0);
}
