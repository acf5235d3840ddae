package io.podnet.netlink;

import static io.podnet.netlink.RtnlConstants.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import io.podnet.sys.Errno;
import io.podnet.sys.SyscallException;

/**
 * One request, its replies and its ack over a {@link NetlinkChannel}: numbers requests,
 * ignores replies that are not for the current one (another sequence number or port id: the
 * leftovers of a request that was abandoned by an exception), collects the data messages of a
 * reply or multipart dump until the ack (NLMSG_ERROR with error 0) or NLMSG_DONE, turns a
 * negative error into a {@link NetlinkException} carrying the extended-ack message, and repeats
 * a dump once when the kernel flags it NLM_F_DUMP_INTR (the table changed while it was dumped).
 *
 * <p>The send and receive buffers are allocated once. A received datagram that fills the whole
 * receive buffer may have been cut short by the kernel (recv without MSG_TRUNC reports only
 * what fit), so it is refused rather than read; the kernel sends dump datagrams of at most
 * 32 KiB, and the receive buffer is twice that.
 *
 * <p>Not thread safe: {@link RtnlClient} serialises callers.
 */
final class NetlinkRequester implements AutoCloseable {
    static final int SEND_BUFFER = 8 * 1024;
    static final int RECEIVE_BUFFER = 64 * 1024;
    static final int NONE = -1;
    private static final int EINTR = Errno.EINTR;
    private static final int ENOBUFS = 105;

    /** Decodes one data message, or returns null to leave it out. */
    @FunctionalInterface
    interface Parser<T> {
        T parse(NetlinkDecoder.Messages message);
    }

    private final NetlinkChannel channel;
    private final NetlinkEncoder encoder;
    private final ByteBuffer rx;
    private final int portId;
    private int seq;
    private boolean interrupted;

    NetlinkRequester(NetlinkChannel channel, int firstSeq) {
        this.channel = channel;
        this.portId = channel.portId();
        this.encoder = new NetlinkEncoder(SEND_BUFFER);
        this.rx = ByteBuffer.allocateDirect(RECEIVE_BUFFER).order(ByteOrder.nativeOrder());
        this.seq = firstSeq;
    }

    /** The encoder to build the next request in; pass {@link #nextSeq()} to its begin. */
    NetlinkEncoder encoder() {
        return encoder;
    }

    int nextSeq() {
        seq++;
        if (seq == 0) {
            seq = 1;
        }
        return seq;
    }

    int portId() {
        return portId;
    }

    /**
     * Sends the request built in the encoder and waits for its ack.
     *
     * @return 0, or the errno when it is {@code tolerated} (e.g. ENODEV for "already gone")
     * @throws NetlinkException for any other error
     */
    int ack(String what, int tolerated, int alsoTolerated) {
        encoder.finish();
        return roundTrip(what, false, null, null, tolerated, alsoTolerated);
    }

    /** Sends a GET for one object and returns its decoded reply, or null when the kernel answered {@code tolerated}. */
    <T> T single(String what, Parser<T> parser, int tolerated) {
        encoder.finish();
        List<T> out = new ArrayList<>(1);
        int errno = roundTrip(what, false, parser, out, tolerated, NONE);
        if (errno != 0 || out.isEmpty()) {
            if (errno == 0) {
                throw NetlinkException.local(what, NetlinkDecoder.EPROTO, "the kernel acknowledged but sent no reply");
            }
            return null;
        }
        return out.get(0);
    }

    /** Sends a dump request and collects every decoded message, retrying once when interrupted. */
    <T> List<T> dump(String what, Parser<T> parser, int tolerated) {
        encoder.finish();
        List<T> out = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            roundTrip(what, true, parser, out, tolerated, NONE);
            if (!interrupted) {
                return out;
            }
            if (attempt == 2) {
                throw NetlinkException.local(what, EINTR,
                        "the dump was interrupted twice (NLM_F_DUMP_INTR): the kernel's table kept changing while it was read");
            }
            out.clear();
            encoder.patchSeq(nextSeq());
        }
    }

    private <T> int roundTrip(String what, boolean dump, Parser<T> parser, List<T> out, int tolA, int tolB) {
        ByteBuffer request = encoder.message();
        int expected = request.getInt(8);
        try {
            channel.send(request);
        } catch (SyscallException e) {
            throw NetlinkException.wrapping(what, e.errno(), e);
        }
        interrupted = false;
        while (true) {
            receive(what);
            NetlinkDecoder.Messages m = NetlinkDecoder.messages(rx);
            while (m.next()) {
                if (m.seq() != expected || m.pid() != portId) {
                    continue; // a late reply to an abandoned request, or not for this socket
                }
                if ((m.flags() & NLM_F_DUMP_INTR) != 0) {
                    interrupted = true;
                }
                switch (m.type()) {
                    case NLMSG_NOOP:
                        break;
                    case NLMSG_OVERRUN:
                        throw NetlinkException.local(what, ENOBUFS, "the kernel reported NLMSG_OVERRUN: replies were lost");
                    case NLMSG_ERROR: {
                        m.requirePayload(4, "struct nlmsgerr");
                        int errno = -m.u32(0);
                        if (errno == 0) {
                            return 0;
                        }
                        if (errno == tolA || errno == tolB) {
                            return errno;
                        }
                        throw kernelError(what, m, errno, errorTlvOffset(m));
                    }
                    case NLMSG_DONE: {
                        // the payload of NLMSG_DONE is an int: 0, or the negative errno of a dump
                        // that failed, followed by extended-ack attributes
                        int errno = m.payloadLength() >= 4 ? -m.u32(0) : 0;
                        if (errno == 0) {
                            if (dump) {
                                return 0;
                            }
                            break;
                        }
                        if (errno == tolA || errno == tolB) {
                            return errno;
                        }
                        throw kernelError(what, m, errno, 4);
                    }
                    default:
                        if (parser != null) {
                            T value = parser.parse(m);
                            if (value != null) {
                                out.add(value);
                            }
                        }
                }
            }
        }
    }

    private void receive(String what) {
        try {
            channel.receive(rx);
        } catch (SyscallException e) {
            throw NetlinkException.wrapping(what, e.errno(), e);
        }
        if (rx.limit() >= rx.capacity()) {
            throw NetlinkException.local(what, NetlinkDecoder.EMSGSIZE, "a reply filled the whole " + rx.capacity()
                    + "-byte receive buffer and may have been truncated");
        }
    }

    /**
     * Where the extended-ack attributes of an NLMSG_ERROR start in its payload: after the int
     * error and the echoed request, which is only its 16-byte header when the kernel capped it
     * (NETLINK_CAP_ACK), else the whole request.
     */
    private static int errorTlvOffset(NetlinkDecoder.Messages m) {
        if ((m.flags() & NLM_F_CAPPED) != 0 || m.payloadLength() < 4 + NLMSG_HDRLEN) {
            return 4 + NLMSG_HDRLEN;
        }
        return 4 + NetlinkEncoder.align(m.u32(4));
    }

    private static NetlinkException kernelError(String what, NetlinkDecoder.Messages m, int errno, int tlvOffset) {
        String message = null;
        int offset = -1;
        if ((m.flags() & NLM_F_ACK_TLVS) != 0 && tlvOffset < m.payloadLength()) {
            NetlinkDecoder.Attributes a = m.attributes(tlvOffset);
            while (a.next()) {
                if (a.type() == NLMSGERR_ATTR_MSG) {
                    message = a.string();
                } else if (a.type() == NLMSGERR_ATTR_OFFS) {
                    offset = a.u32();
                }
            }
        }
        return new NetlinkException(what, errno, message, offset);
    }

    @Override
    public void close() {
        channel.close();
    }
}
