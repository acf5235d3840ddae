package io.podnet.api;

public enum NetnsType {
    /** The agent creates and owns a namespace for the pod. */
    New,
    /** Join an existing namespace file, e.g. a CRI sandbox. */
    Path,
    /** Bind-mount the namespace of a running process. */
    Pid
}
