package io.podnet.engine;

/** Traffic of one pod interface, as the pod sees it (received = into the pod). */
public record InterfaceCounters(long rxBytes, long txBytes, long rxPackets, long txPackets) {
}
