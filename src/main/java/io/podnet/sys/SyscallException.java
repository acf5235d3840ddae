package io.podnet.sys;

/**
 * A failed native call. The message names the call, the arguments that matter and the errno
 * name, e.g. {@code setns(fd=12, CLONE_NEWNET) failed: EPERM (Operation not permitted)}.
 */
public class SyscallException extends RuntimeException {
    private final String call;
    private final int errno;

    public SyscallException(String call, int errno) {
        super(call + " failed: " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    public boolean is(int expected) {
        return errno == expected;
    }
}
