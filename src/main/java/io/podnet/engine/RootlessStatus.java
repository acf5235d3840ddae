package io.podnet.engine;

/**
 * The rootless side for metrics: whether its helper runs, how often it was restarted, and what
 * the userspace forwarder carried (totals since the agent started).
 */
public record RootlessStatus(boolean helperUp, long helperRestarts, long connections, long activeConnections, long bytesToPods,
        long bytesFromPods) {
}
