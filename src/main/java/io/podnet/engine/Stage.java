package io.podnet.engine;

/** The part of a pod's setup a failure belongs to; each maps to one status condition. */
public enum Stage {
    NETNS,
    NETWORKS,
    PORTS
}
