package io.podnet.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A raw AF_NETLINK socket. It stays bound to the network namespace of the thread that opened
 * it, so it can be opened inside a namespace once and then used from any thread.
 */
public final class NetlinkSocket implements AutoCloseable {
    public static final int NETLINK_ROUTE = 0;
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_CAP_ACK = 10;
    private static final int NETLINK_EXT_ACK = 11;
    private static final int NETLINK_GET_STRICT_CHK = 12;

    private final FileDescriptor fd;
    private final int portId;

    private NetlinkSocket(FileDescriptor fd, int portId) {
        this.fd = fd;
        this.portId = portId;
    }

    /** Opens and binds a socket in the calling thread's network namespace. */
    public static NetlinkSocket open(int protocol) {
        FileDescriptor fd = FileDescriptor.adopt(Sys.socket(Sys.AF_NETLINK, Sys.SOCK_RAW | Sys.SOCK_CLOEXEC, protocol));
        try {
            Sys.setsockopt(fd.fd(), Sys.SOL_SOCKET, Sys.SO_SNDBUF, 1 << 20);
            Sys.setsockopt(fd.fd(), Sys.SOL_SOCKET, Sys.SO_RCVBUF, 1 << 20);
            // acks without the request echoed back; extended error messages when the kernel has them
            Sys.setsockopt(fd.fd(), SOL_NETLINK, NETLINK_CAP_ACK, 1);
            Sys.setsockopt(fd.fd(), SOL_NETLINK, NETLINK_EXT_ACK, 1);
            Sys.setsockopt(fd.fd(), SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1);
            ByteBuffer addr = sockaddr(0);
            Sys.bind(fd.fd(), addr);
            ByteBuffer bound = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
            Sys.getsockname(fd.fd(), bound);
            return new NetlinkSocket(fd, bound.getInt(4));
        } catch (RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    private static ByteBuffer sockaddr(int pid) {
        ByteBuffer addr = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
        addr.putShort(0, (short) Sys.AF_NETLINK);
        addr.putInt(4, pid);
        addr.putInt(8, 0);
        return addr;
    }

    /** The port id the kernel assigned at bind. */
    public int portId() {
        return portId;
    }

    public void send(ByteBuffer message) {
        Sys.send(fd.fd(), message);
    }

    /** Receives one datagram into {@code buf} (cleared first); the buffer is flipped for reading. */
    public void receive(ByteBuffer buf) {
        buf.clear();
        int n = Sys.recv(fd.fd(), buf);
        buf.position(0).limit(n);
    }

    @Override
    public void close() {
        fd.close();
    }
}
