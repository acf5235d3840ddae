package io.podnet.engine;

import java.nio.file.Path;

/** Where the pod's interfaces go. */
public record NetnsRequest(Kind kind, Path path, int pid) {
    public enum Kind {
        /** A namespace the engine creates and owns. */
        NEW,
        /** An existing namespace file. */
        PATH,
        /** The namespace of a running process. */
        PID
    }

    public static final NetnsRequest NEW = new NetnsRequest(Kind.NEW, null, 0);
}
