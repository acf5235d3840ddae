package io.podnet.engine;

public enum PodMode {
    ROOTFUL,
    ROOTLESS
}
