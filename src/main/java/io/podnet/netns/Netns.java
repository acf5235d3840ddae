package io.podnet.netns;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.podnet.sys.FileDescriptor;

/**
 * An open network namespace: its path (a bind-mounted nsfs file, or /proc/PID/ns/net) and a
 * file descriptor that keeps it alive while open.
 */
public final class Netns implements AutoCloseable {
    private final Path path;
    private final FileDescriptor fd;
    private final boolean owned;

    Netns(Path path, FileDescriptor fd, boolean owned) {
        this.path = path;
        this.fd = fd;
        this.owned = owned;
    }

    public Path path() {
        return path;
    }

    public FileDescriptor fd() {
        return fd;
    }

    /** True when podnet created this namespace (and may delete it). */
    public boolean owned() {
        return owned;
    }

    /** Runs {@code work} on a platform thread switched into this namespace. */
    public <T> T run(Callable<T> work) {
        return NetnsThreads.inside(fd, work);
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
