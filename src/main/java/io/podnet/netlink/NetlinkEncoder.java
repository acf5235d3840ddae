package io.podnet.netlink;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds one netlink message at a time into a reusable buffer: the 16-byte nlmsghdr, the
 * family's fixed header written field by field, then attributes (struct nlattr: u16 length
 * including the 4-byte header, u16 type, payload, zero padding to 4 bytes), which may nest.
 * Header fields and integer attributes are in native byte order, as the kernel reads them;
 * addresses are written as their network-order bytes.
 *
 * <p>Not thread safe; one encoder per client. The buffer is never reallocated: a message that
 * does not fit is refused with {@link IllegalArgumentException}.
 */
public final class NetlinkEncoder {
    private final ByteBuffer buf;
    private boolean open;

    public NetlinkEncoder(int capacity) {
        this.buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
    }

    /** Starts a new message; whatever was built before is discarded. */
    public NetlinkEncoder begin(int type, int flags, int seq) {
        buf.clear();
        buf.putInt(0); // nlmsg_len, patched by finish()
        buf.putShort((short) type);
        buf.putShort((short) flags);
        buf.putInt(seq);
        buf.putInt(0); // nlmsg_pid: 0 = to the kernel
        open = true;
        return this;
    }

    // raw fields of the family header (ifinfomsg, ifaddrmsg, rtmsg)

    public NetlinkEncoder u8(int value) {
        try {
            buf.put((byte) value);
        } catch (BufferOverflowException e) {
            throw tooLarge();
        }
        return this;
    }

    public NetlinkEncoder u16(int value) {
        try {
            buf.putShort((short) value);
        } catch (BufferOverflowException e) {
            throw tooLarge();
        }
        return this;
    }

    public NetlinkEncoder u32(int value) {
        try {
            buf.putInt(value);
        } catch (BufferOverflowException e) {
            throw tooLarge();
        }
        return this;
    }

    // attributes

    public NetlinkEncoder attrU8(int type, int value) {
        header(type, 1);
        buf.put((byte) value);
        return pad();
    }

    public NetlinkEncoder attrU16(int type, int value) {
        header(type, 2);
        buf.putShort((short) value);
        return pad();
    }

    public NetlinkEncoder attrU32(int type, int value) {
        header(type, 4);
        buf.putInt(value);
        return pad();
    }

    public NetlinkEncoder attrBytes(int type, byte[] value) {
        header(type, value.length);
        buf.put(value);
        return pad();
    }

    /** A NUL-terminated string attribute (NLA_STRING/NLA_NUL_STRING as the kernel expects for names and kinds). */
    public NetlinkEncoder attrString(int type, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        header(type, bytes.length + 1);
        buf.put(bytes);
        buf.put((byte) 0);
        return pad();
    }

    /**
     * A string attribute without the terminating NUL (NLA_STRING accepts both). iproute2 sends
     * IFLA_INFO_KIND this way; podnet does the same so its requests match {@code ip}'s byte for
     * byte.
     */
    public NetlinkEncoder attrStringUnterminated(int type, String value) {
        return attrBytes(type, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Opens a nested attribute; close it with {@link #endNested(int)} passing the returned
     * token. The NLA_F_NESTED flag is not set, as iproute2 does not set it for rtnetlink: the
     * kernel's rtnetlink parsers accept both.
     */
    public int beginNested(int type) {
        int at = buf.position();
        header(type, 0);
        return at;
    }

    public NetlinkEncoder endNested(int token) {
        buf.putShort(token, (short) (buf.position() - token));
        return this;
    }

    /**
     * Patches nlmsg_len and returns the buffer positioned at 0 with the message as its
     * remaining bytes, ready for {@code NetlinkSocket.send}.
     */
    public ByteBuffer finish() {
        if (!open) {
            throw new IllegalStateException("no message begun");
        }
        int length = buf.position();
        buf.putInt(0, length);
        buf.limit(length).position(0);
        open = false;
        return buf;
    }

    /** The message built last (after {@link #finish()}), positioned at 0. */
    public ByteBuffer message() {
        return buf.position(0);
    }

    /** Rewrites nlmsg_seq of the finished message (to resend a request under a new number). */
    public void patchSeq(int seq) {
        buf.putInt(8, seq);
    }

    /** A copy of the finished message's bytes (for tests and diagnostics). */
    public byte[] toByteArray() {
        ByteBuffer dup = buf.duplicate();
        dup.position(0);
        byte[] out = new byte[dup.remaining()];
        dup.get(out);
        return out;
    }

    private void header(int type, int payloadLength) {
        int total = RtnlConstants.NLA_HDRLEN + payloadLength;
        if (total > 0xffff) {
            throw new IllegalArgumentException("attribute " + type + " of " + payloadLength + " bytes is over the 64 KiB an nlattr can hold");
        }
        if (buf.remaining() < align(total)) {
            throw tooLarge();
        }
        buf.putShort((short) total);
        buf.putShort((short) type);
    }

    private NetlinkEncoder pad() {
        int p = buf.position();
        int padded = align(p);
        if (padded > buf.limit()) {
            throw tooLarge();
        }
        while (p < padded) {
            buf.put(p++, (byte) 0);
        }
        buf.position(padded);
        return this;
    }

    static int align(int n) {
        return (n + RtnlConstants.NLA_ALIGNTO - 1) & ~(RtnlConstants.NLA_ALIGNTO - 1);
    }

    private IllegalArgumentException tooLarge() {
        return new IllegalArgumentException("netlink request larger than the " + buf.capacity() + "-byte send buffer");
    }
}
