package io.podnet.sys;

import java.nio.ByteBuffer;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The libc calls podnet needs, bound through jnr-ffi. Nothing outside this package calls it:
 * {@link Sys} wraps each call and turns a failure into a {@link SyscallException}.
 */
public interface LibC {
    int unshare(int flags);

    int setns(int fd, int nstype);

    int mount(String source, String target, String fstype, long flags, String data);

    int umount2(String target, int flags);

    int open(String path, int flags, int mode);

    int close(int fd);

    int socket(int domain, int type, int protocol);

    int bind(int fd, @In ByteBuffer addr, int addrlen);

    int getsockname(int fd, @Out ByteBuffer addr, @In @Out int[] addrlen);

    int setsockopt(int fd, int level, int optname, @In int[] optval, int optlen);

    long send(int fd, @In ByteBuffer buf, long len, int flags);

    long recv(int fd, @Out ByteBuffer buf, long len, int flags);

    int kill(int pid, int sig);

    int waitpid(int pid, @Out int[] status, int options);

    int getpid();

    int statfs(String path, @Out ByteBuffer buf);

    int pipe2(@Out int[] fds, int flags);

    /**
     * The offsets are pointers, always null here (sockets and pipes have none). Declared as
     * Pointer, not long: jnr-ffi's invoker for six primitive arguments passed garbage as the
     * flags (seen with strace), the pointer one passes them right.
     */
    long splice(int fdIn, jnr.ffi.Pointer offIn, int fdOut, jnr.ffi.Pointer offOut, long len, int flags);

    int fcntl(int fd, int cmd, int arg);

}
