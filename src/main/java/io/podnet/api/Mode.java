package io.podnet.api;

/** Rootful: host bridge, veth and nftables. Rootless: the shared rootless netns behind a user-mode helper. */
public enum Mode {
    Rootful,
    Rootless
}
