package io.podnet.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads netlink messages and their attributes in place, without copying the buffer: a
 * {@link Messages} cursor walks the messages of one received datagram, an {@link Attributes}
 * cursor walks a run of attributes (and nested runs). Both check every length against the
 * bytes actually there, so a truncated or malformed reply surfaces as a
 * {@link NetlinkException} (EMSGSIZE or EPROTO), never as garbage.
 *
 * <p>The buffer must be in native byte order (it is read with absolute gets).
 */
public final class NetlinkDecoder {
    static final int EPROTO = 71;
    static final int EMSGSIZE = 90;

    private NetlinkDecoder() {
    }

    /** A cursor over the messages in {@code buf} between its position and its limit. */
    public static Messages messages(ByteBuffer buf) {
        return new Messages(buf);
    }

    /** Wraps bytes (a captured datagram, say) in a native-order buffer. */
    public static ByteBuffer wrap(byte[] datagram) {
        return ByteBuffer.wrap(datagram).order(ByteOrder.nativeOrder());
    }

    /** Iterates nlmsghdr-framed messages. */
    public static final class Messages {
        private final ByteBuffer buf;
        private final int end;
        private int next;
        private int offset = -1;
        private int length;

        Messages(ByteBuffer buf) {
            if (buf.order() != ByteOrder.nativeOrder()) {
                throw new IllegalArgumentException("netlink buffers are in native byte order");
            }
            this.buf = buf;
            this.next = buf.position();
            this.end = buf.limit();
        }

        /** Moves to the next message; false when the datagram is exhausted. */
        public boolean next() {
            if (end - next < RtnlConstants.NLMSG_HDRLEN) {
                if (end != next) {
                    throw malformed(end - next + " stray bytes after the last message");
                }
                return false;
            }
            int len = buf.getInt(next);
            if (len < RtnlConstants.NLMSG_HDRLEN) {
                throw malformed("message length " + len + " at offset " + next);
            }
            if (len > end - next) {
                throw NetlinkException.local("reading a netlink reply", EMSGSIZE,
                        "message of " + len + " bytes at offset " + next + " but only " + (end - next)
                                + " received: the reply was truncated");
            }
            offset = next;
            length = len;
            next = Math.min(end, offset + NetlinkEncoder.align(len));
            return true;
        }

        public ByteBuffer buffer() {
            return buf;
        }

        /** Offset of this message's nlmsghdr in the buffer. */
        public int offset() {
            return offset;
        }

        /** nlmsg_len: header plus payload, unpadded. */
        public int length() {
            return length;
        }

        public int type() {
            return buf.getShort(offset + 4) & 0xffff;
        }

        public int flags() {
            return buf.getShort(offset + 6) & 0xffff;
        }

        public int seq() {
            return buf.getInt(offset + 8);
        }

        public int pid() {
            return buf.getInt(offset + 12);
        }

        public int payloadOffset() {
            return offset + RtnlConstants.NLMSG_HDRLEN;
        }

        public int payloadLength() {
            return length - RtnlConstants.NLMSG_HDRLEN;
        }

        /** Checks that the payload holds at least a fixed header of {@code size} bytes. */
        public void requirePayload(int size, String what) {
            if (payloadLength() < size) {
                throw malformed(RtnlConstants.messageTypeName(type()) + " with " + payloadLength()
                        + " payload bytes, too short for " + what + " (" + size + ")");
            }
        }

        public int u8(int payloadOffset) {
            return buf.get(payloadOffset() + payloadOffset) & 0xff;
        }

        public int u16(int payloadOffset) {
            return buf.getShort(payloadOffset() + payloadOffset) & 0xffff;
        }

        public int u32(int payloadOffset) {
            return buf.getInt(payloadOffset() + payloadOffset);
        }

        /** The attributes that follow a fixed header of {@code headerLength} bytes. */
        public Attributes attributes(int headerLength) {
            int start = payloadOffset() + NetlinkEncoder.align(headerLength);
            return new Attributes(buf, Math.min(start, offset + length), offset + length);
        }
    }

    /** Iterates struct nlattr records between two offsets. */
    public static final class Attributes {
        private final ByteBuffer buf;
        private final int end;
        private int next;
        private int offset = -1;
        private int length;

        Attributes(ByteBuffer buf, int start, int end) {
            this.buf = buf;
            this.next = start;
            this.end = end;
        }

        /** Moves to the next attribute; false at the end of the run. */
        public boolean next() {
            if (end - next < RtnlConstants.NLA_HDRLEN) {
                return false; // trailing padding
            }
            int len = buf.getShort(next) & 0xffff;
            if (len < RtnlConstants.NLA_HDRLEN || len > end - next) {
                throw malformed("attribute length " + len + " at offset " + next + " (run ends at " + end + ")");
            }
            offset = next;
            length = len;
            next = Math.min(end, offset + NetlinkEncoder.align(len));
            return true;
        }

        /** The attribute type without the NLA_F_NESTED and NLA_F_NET_BYTEORDER flags. */
        public int type() {
            return buf.getShort(offset + 2) & RtnlConstants.NLA_TYPE_MASK;
        }

        public int payloadOffset() {
            return offset + RtnlConstants.NLA_HDRLEN;
        }

        public int payloadLength() {
            return length - RtnlConstants.NLA_HDRLEN;
        }

        public int u8() {
            require(1);
            return buf.get(payloadOffset()) & 0xff;
        }

        public int u16() {
            require(2);
            return buf.getShort(payloadOffset()) & 0xffff;
        }

        public int u32() {
            require(4);
            return buf.getInt(payloadOffset());
        }

        public long u64() {
            require(8);
            return buf.getLong(payloadOffset());
        }

        /** A u64 at {@code index * 8} inside the payload (struct rtnl_link_stats64 fields). */
        public long u64At(int index) {
            return buf.getLong(payloadOffset() + index * 8);
        }

        public int s32At(int at) {
            return buf.getInt(payloadOffset() + at);
        }

        public byte[] bytes() {
            byte[] out = new byte[payloadLength()];
            buf.get(payloadOffset(), out);
            return out;
        }

        /** The payload as a string up to the first NUL (or the end). */
        public String string() {
            int start = payloadOffset();
            int stop = start + payloadLength();
            int n = start;
            while (n < stop && buf.get(n) != 0) {
                n++;
            }
            byte[] out = new byte[n - start];
            buf.get(start, out);
            return new String(out, StandardCharsets.UTF_8);
        }

        /** The attributes nested in this one. */
        public Attributes nested() {
            return new Attributes(buf, payloadOffset(), offset + length);
        }

        /** The attributes nested in this one after a fixed header of {@code headerLength} bytes. */
        public Attributes nested(int headerLength) {
            int start = payloadOffset() + NetlinkEncoder.align(headerLength);
            return new Attributes(buf, Math.min(start, offset + length), offset + length);
        }

        private void require(int n) {
            if (payloadLength() < n) {
                throw malformed("attribute " + type() + " has " + payloadLength() + " bytes, expected " + n);
            }
        }
    }

    static NetlinkException malformed(String detail) {
        return NetlinkException.local("reading a netlink reply", EPROTO, "malformed reply: " + detail);
    }
}
