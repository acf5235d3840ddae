package io.podnet.packaging;

import io.podnet.sys.NetlinkSocket;
import io.podnet.sys.Sys;
import io.podnet.sys.SyscallException;

/**
 * Run in a JVM of its own with -Djnr.ffi.asm.enabled=false: binds libc the way a native image
 * must (jnr-ffi's reflection loader: a java.lang.reflect.Proxy over io.podnet.sys.LibC) and
 * makes calls with each kind of parameter LibC has (plain ints, strings, ByteBuffers marked @In
 * and @Out, an int[] in and out). Prints the loader class so the test can see which one ran.
 */
public final class ReflectionModeProbe {
    public static void main(String[] args) throws Exception {
        int pid = Sys.getpid();
        if (pid != ProcessHandle.current().pid()) {
            throw new AssertionError("getpid() = " + pid);
        }
        try (NetlinkSocket socket = NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE)) {
            if (socket.portId() == 0) {
                throw new AssertionError("no netlink port id");
            }
        }
        try {
            Sys.open("/nonexistent/podnet-probe", Sys.O_RDONLY, 0);
            throw new AssertionError("open of a missing file succeeded");
        } catch (SyscallException e) {
            if (!"ENOENT".equals(e.errnoName())) {
                throw new AssertionError("errno " + e.errnoName());
            }
        }
        java.lang.reflect.Field libc = Sys.class.getDeclaredField("LIBC");
        libc.setAccessible(true);
        Object impl = libc.get(null);
        System.out.println("libc bound by " + (java.lang.reflect.Proxy.isProxyClass(impl.getClass()) ? "proxy" : impl.getClass().getName()));
    }
}
