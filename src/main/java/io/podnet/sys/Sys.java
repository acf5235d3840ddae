package io.podnet.sys;

import java.nio.ByteBuffer;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * Checked access to libc: every call that fails throws a {@link SyscallException} naming the
 * call, its arguments and the errno. The only entry point to native code in podnet besides
 * libnftables.
 */
public final class Sys {
    public static final int CLONE_NEWNS = 0x00020000;
    public static final int CLONE_NEWNET = 0x40000000;
    public static final int CLONE_FS = 0x00000200;

    public static final long MS_RDONLY = 1;
    public static final long MS_NOSUID = 2;
    public static final long MS_NODEV = 4;
    public static final long MS_NOEXEC = 8;
    public static final long MS_REMOUNT = 32;
    public static final long MS_BIND = 4096;
    public static final long MS_REC = 16384;
    public static final long MS_PRIVATE = 1 << 18;
    public static final long MS_SLAVE = 1 << 19;
    public static final long MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;

    public static final int O_RDONLY = 0;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_CLOEXEC = 02000000;

    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int SOCK_CLOEXEC = 02000000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_RCVTIMEO_OLD = 20;

    public static final int SIGTERM = 15;
    public static final int SIGKILL = 9;

    public static final int WNOHANG = 1;

    public static final int O_NONBLOCK = 04000;
    public static final int F_SETPIPE_SZ = 1031;
    public static final int F_GETPIPE_SZ = 1032;
    public static final int SPLICE_F_MOVE = 1;
    public static final int SPLICE_F_NONBLOCK = 2;
    /** What {@link #splice} returns when it would block. */
    public static final long WOULD_BLOCK = -1;

    private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
    private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);

    private Sys() {
    }

    private static int errno() {
        return RUNTIME.getLastError();
    }

    private static int check(int rc, String call) {
        if (rc < 0) {
            throw new SyscallException(call, errno());
        }
        return rc;
    }

    public static void unshare(int flags) {
        check(LIBC.unshare(flags), "unshare(" + cloneFlags(flags) + ")");
    }

    public static void setns(int fd, int nstype) {
        check(LIBC.setns(fd, nstype), "setns(fd=" + fd + ", " + cloneFlags(nstype) + ")");
    }

    public static void mount(String source, String target, String fstype, long flags, String data) {
        check(LIBC.mount(source, target, fstype, flags, data),
                "mount(" + source + ", " + target + ", " + fstype + ", flags=0x" + Long.toHexString(flags) + ")");
    }

    public static void umount(String target, int flags) {
        check(LIBC.umount2(target, flags), "umount2(" + target + ", flags=" + flags + ")");
    }

    public static int open(String path, int flags, int mode) {
        return check(LIBC.open(path, flags, mode), "open(" + path + ", flags=0" + Integer.toOctalString(flags) + ")");
    }

    public static void close(int fd) {
        check(LIBC.close(fd), "close(fd=" + fd + ")");
    }

    public static int socket(int domain, int type, int protocol) {
        return check(LIBC.socket(domain, type, protocol),
                "socket(domain=" + domain + ", type=" + type + ", protocol=" + protocol + ")");
    }

    public static void bind(int fd, ByteBuffer addr) {
        check(LIBC.bind(fd, addr, addr.remaining()), "bind(fd=" + fd + ")");
    }

    /** Writes the socket's address into {@code addr} and returns its length. */
    public static int getsockname(int fd, ByteBuffer addr) {
        int[] len = {addr.remaining()};
        check(LIBC.getsockname(fd, addr, len), "getsockname(fd=" + fd + ")");
        return len[0];
    }

    public static void setsockopt(int fd, int level, int option, int value) {
        check(LIBC.setsockopt(fd, level, option, new int[] {value}, 4),
                "setsockopt(fd=" + fd + ", level=" + level + ", option=" + option + ")");
    }

    /** Sends the buffer's remaining bytes in one datagram. */
    public static void send(int fd, ByteBuffer buf) {
        long n = LIBC.send(fd, buf, buf.remaining(), 0);
        if (n < 0) {
            throw new SyscallException("send(fd=" + fd + ", " + buf.remaining() + " bytes)", errno());
        }
    }

    /** Receives one datagram into the buffer from its position; returns its length. */
    public static int recv(int fd, ByteBuffer buf) {
        while (true) {
            long n = LIBC.recv(fd, buf, buf.remaining(), 0);
            if (n >= 0) {
                return (int) n;
            }
            int errno = errno();
            if (errno != Errno.EINTR) {
                throw new SyscallException("recv(fd=" + fd + ")", errno);
            }
        }
    }

    /** A pipe's two ends, [read, write]. */
    public static int[] pipe2(int flags) {
        int[] fds = new int[2];
        check(LIBC.pipe2(fds, flags), "pipe2(flags=0" + Integer.toOctalString(flags) + ")");
        return fds;
    }

    /** fcntl with an int argument; returns its result. */
    public static int fcntl(int fd, int cmd, int arg) {
        return check(LIBC.fcntl(fd, cmd, arg), "fcntl(fd=" + fd + ", cmd=" + cmd + ", " + arg + ")");
    }

    /**
     * Moves up to {@code len} bytes from {@code in} to {@code out} without copying them through
     * userspace (one of the two must be a pipe), non-blocking.
     *
     * @return the bytes moved, 0 at end of input, or {@link #WOULD_BLOCK}
     * @throws SyscallException on any other failure (ECONNRESET, EPIPE...)
     */
    public static long splice(int in, int out, long len) {
        while (true) {
            long n = LIBC.splice(in, null, out, null, len, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n >= 0) {
                return n;
            }
            int errno = errno();
            if (errno == Errno.EAGAIN) {
                return WOULD_BLOCK;
            }
            if (errno != Errno.EINTR) {
                throw new SyscallException("splice(" + in + " -> " + out + ")", errno);
            }
        }
    }

    /** Sends a signal; returns false when the process does not exist. */
    public static boolean kill(int pid, int signal) {
        if (LIBC.kill(pid, signal) == 0) {
            return true;
        }
        int errno = errno();
        if (errno == Errno.ESRCH) {
            return false;
        }
        throw new SyscallException("kill(pid=" + pid + ", sig=" + signal + ")", errno);
    }

    /**
     * Reaps the process if it is a child of this JVM that has exited (waitpid with WNOHANG).
     * Helpers that daemonize are reparented to init, or to this JVM when it is a subreaper or
     * PID 1 (a container without an init); then only an explicit wait removes the zombie.
     *
     * @return true when it was reaped now, false when it still runs or is not a child of this
     *         process (ECHILD: someone else reaps it)
     */
    public static boolean reapIfChild(int pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("invalid pid " + pid);
        }
        int[] status = new int[1];
        while (true) {
            int rc = LIBC.waitpid(pid, status, WNOHANG);
            if (rc >= 0) {
                return rc == pid;
            }
            int errno = errno();
            if (errno == Errno.ECHILD) {
                return false;
            }
            if (errno != Errno.EINTR) {
                throw new SyscallException("waitpid(pid=" + pid + ", WNOHANG)", errno);
            }
        }
    }

    /** The filesystem magic of the filesystem holding {@code path} (statfs f_type). */
    public static long statfsType(String path) {
        ByteBuffer buf = ByteBuffer.allocateDirect(128).order(java.nio.ByteOrder.nativeOrder());
        check(LIBC.statfs(path, buf), "statfs(" + path + ")");
        return buf.getLong(0);
    }

    public static final long NSFS_MAGIC = 0x6e736673L;
    public static final long PROC_SUPER_MAGIC = 0x9fa0L;

    public static int getpid() {
        return LIBC.getpid();
    }

    private static String cloneFlags(int flags) {
        StringBuilder sb = new StringBuilder();
        if ((flags & CLONE_NEWNET) != 0) {
            sb.append("CLONE_NEWNET|");
        }
        if ((flags & CLONE_NEWNS) != 0) {
            sb.append("CLONE_NEWNS|");
        }
        if ((flags & CLONE_FS) != 0) {
            sb.append("CLONE_FS|");
        }
        int rest = flags & ~(CLONE_NEWNET | CLONE_NEWNS | CLONE_FS);
        if (rest != 0) {
            sb.append("0x").append(Integer.toHexString(rest)).append('|');
        }
        return sb.length() == 0 ? "0" : sb.substring(0, sb.length() - 1);
    }
}
