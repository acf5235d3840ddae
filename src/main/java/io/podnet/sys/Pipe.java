package io.podnet.sys;

/**
 * A non-blocking, close-on-exec pipe: the kernel-side buffer {@link Sys#splice} moves socket
 * data through, page references instead of copies. Used by one thread; closed once.
 */
public final class Pipe implements AutoCloseable {
    private final int readFd;
    private final int writeFd;
    private final int capacity;
    private boolean closed;

    private Pipe(int readFd, int writeFd, int capacity) {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.capacity = capacity;
    }

    /**
     * Opens a pipe and asks for {@code size} bytes of capacity (F_SETPIPE_SZ); a kernel that
     * grants less (pipe-max-size, the user's pipe page quota) leaves the pipe at what it has.
     */
    public static Pipe open(int size) {
        int[] fds = Sys.pipe2(Sys.O_NONBLOCK | Sys.O_CLOEXEC);
        int capacity;
        try {
            capacity = Sys.fcntl(fds[1], Sys.F_SETPIPE_SZ, size);
        } catch (SyscallException e) {
            try {
                capacity = Sys.fcntl(fds[1], Sys.F_GETPIPE_SZ, 0);
            } catch (SyscallException again) {
                Sys.close(fds[0]);
                Sys.close(fds[1]);
                throw again;
            }
        }
        return new Pipe(fds[0], fds[1], capacity);
    }

    public int readFd() {
        return readFd;
    }

    public int writeFd() {
        return writeFd;
    }

    /** The most bytes it holds. */
    public int capacity() {
        return capacity;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Sys.close(readFd);
            Sys.close(writeFd);
        }
    }
}
