package io.podnet.sys;

/** An owned file descriptor, closed once. */
public final class FileDescriptor implements AutoCloseable {
    private final int fd;
    private boolean closed;

    private FileDescriptor(int fd) {
        this.fd = fd;
    }

    public static FileDescriptor adopt(int fd) {
        return new FileDescriptor(fd);
    }

    /** Opens a path read-only with O_CLOEXEC (namespace files, for setns). */
    public static FileDescriptor openReadOnly(String path) {
        return new FileDescriptor(Sys.open(path, Sys.O_RDONLY | Sys.O_CLOEXEC, 0));
    }

    public int fd() {
        if (closed) {
            throw new IllegalStateException("fd " + fd + " is closed");
        }
        return fd;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            Sys.close(fd);
        }
    }
}
