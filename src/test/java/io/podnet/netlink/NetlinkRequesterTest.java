package io.podnet.netlink;

import static io.podnet.netlink.FakeChannel.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.podnet.sys.SyscallException;

/** The request/reply conversation: acks, errors, dumps, sequence numbers, truncation. No root. */
class NetlinkRequesterTest {
    private final FakeChannel channel = new FakeChannel();
    private final RtnlClient client = new RtnlClient(channel);

    /** NLMSG_ERROR as the kernel sends it with NETLINK_CAP_ACK: error, echoed header, optional TLVs. */
    static byte[] error(int errno, String extack) {
        NetlinkEncoder e = new NetlinkEncoder(512);
        e.begin(RtnlConstants.NLMSG_ERROR,
                RtnlConstants.NLM_F_CAPPED | (extack != null ? RtnlConstants.NLM_F_ACK_TLVS : 0), 0);
        e.u32(-errno);
        e.u32(40).u16(16).u16(5).u32(0).u32(0); // the echoed request header
        if (extack != null) {
            e.attrString(RtnlConstants.NLMSGERR_ATTR_MSG, extack);
            e.attrU32(RtnlConstants.NLMSGERR_ATTR_OFFS, 36);
        }
        e.finish();
        return e.toByteArray();
    }

    static byte[] ack() {
        return error(0, null);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer b = ByteBuffer.allocate(java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    /** The pn1 message of the link dump fixture (second datagram). */
    private static byte[] pn1Message() {
        return fixture("getlink-dump.hex").get(1);
    }

    private static byte[] withFlags(byte[] message, int extraFlags) {
        byte[] copy = message.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder());
        b.putShort(6, (short) (b.getShort(6) | extraFlags));
        return copy;
    }

    private static byte[] withSeqAndPid(byte[] message, int seq, int pid) {
        byte[] copy = message.clone();
        ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.nativeOrder());
        b.putInt(8, seq).putInt(12, pid);
        return copy;
    }

    @Test
    void getLinkReadsTheReplyThenTheAck() {
        channel.reply(pn1Message(), ack());
        assertThat(client.link("pn1")).get().extracting(Link::index).isEqualTo(3);
        assertThat(channel.remaining()).isZero();
    }

    @Test
    void missingLinkIsEmptyAndDeletingItIsFalse() {
        channel.reply(error(19, null), error(19, null), error(19, null));
        assertThat(client.link("nosuch")).isEmpty();
        assertThat(client.link(99)).isEmpty();
        assertThat(client.deleteLink("nosuch")).isFalse();
    }

    @Test
    void otherErrorsThrowWithTheirExtendedAck() {
        channel.reply(error(22, "Invalid MTU"));
        assertThatThrownBy(() -> client.setMtu(3, 9000)).isInstanceOfSatisfying(NetlinkException.class, e -> {
            assertThat(e.errnoName()).isEqualTo("EINVAL");
            assertThat(e.kernelMessage()).isEqualTo("Invalid MTU");
            assertThat(e.attributeOffset()).isEqualTo(36);
            assertThat(e.getMessage()).isEqualTo("RTM_NEWLINK ifindex 3 mtu 9000 failed: EINVAL (Invalid argument): "
                    + "kernel says \"Invalid MTU\" (about the attribute at byte 36 of the request)");
        });
    }

    @Test
    void extendedAckAfterAFullEchoedRequest() {
        // without NETLINK_CAP_ACK the kernel echoes the whole request before the TLVs
        NetlinkEncoder e = new NetlinkEncoder(512);
        e.begin(RtnlConstants.NLMSG_ERROR, RtnlConstants.NLM_F_ACK_TLVS, 0);
        e.u32(-17);
        e.u32(38).u16(20).u16(0x605).u32(0).u32(0); // echoed header of a 38-byte request...
        for (int i = 0; i < 22; i++) {
            e.u8(0xee); // ...and its 22 payload bytes, padded to 24
        }
        e.u16(0);
        e.attrString(RtnlConstants.NLMSGERR_ATTR_MSG, "exists");
        e.finish();
        channel.reply(e.toByteArray());
        assertThatThrownBy(() -> client.addAddress(3, io.podnet.inet.Cidr.parse("10.0.0.1/24")))
                .isInstanceOfSatisfying(NetlinkException.class, x -> {
                    assertThat(x.errnoName()).isEqualTo("EEXIST");
                    assertThat(x.kernelMessage()).isEqualTo("exists");
                });
    }

    @Test
    void repliesToOtherRequestsOrPortsAreSkipped() {
        // a stale ack of an abandoned request and a message for another port come first
        channel.replyAsIs(withSeqAndPid(error(17, null), 12345, FakeChannel.PORT_ID));
        channel.replyAsIs(withSeqAndPid(error(17, null), 0, 999));
        channel.reply(pn1Message(), ack());
        // were either EEXIST taken for setUp's answer, setUp would throw; it reads past both,
        // ignores the data message, and stops at its own ack
        client.setUp(3);
        assertThat(channel.remaining()).isZero();
    }

    @Test
    void anInterruptedDumpIsRetriedOnceUnderANewSequenceNumber() {
        List<byte[]> dump = fixture("getlink-dump.hex");
        channel.reply(withFlags(dump.get(0), RtnlConstants.NLM_F_DUMP_INTR), dump.get(1), dump.get(2));
        channel.reply(dump);
        List<Link> links = client.links();
        assertThat(links).extracting(Link::name).containsExactly("lo", "br0", "pn1"); // not six
        assertThat(channel.sent).hasSize(2);
        int first = ByteBuffer.wrap(channel.sent.get(0)).order(ByteOrder.nativeOrder()).getInt(8);
        assertThat(channel.lastSeq()).isNotEqualTo(first);
    }

    @Test
    void aDumpInterruptedTwiceFails() {
        List<byte[]> dump = fixture("getlink-dump.hex");
        for (int i = 0; i < 2; i++) {
            channel.reply(dump.get(0), dump.get(1), withFlags(dump.get(2), RtnlConstants.NLM_F_DUMP_INTR));
        }
        assertThatThrownBy(client::links).isInstanceOfSatisfying(NetlinkException.class,
                e -> assertThat(e.errnoName()).isEqualTo("EINTR"));
    }

    @Test
    void aTruncatedMessageIsAnErrorNotGarbage() {
        byte[] whole = pn1Message();
        channel.reply(java.util.Arrays.copyOf(whole, 600));
        assertThatThrownBy(() -> client.link("pn1")).isInstanceOfSatisfying(NetlinkException.class, e -> {
            assertThat(e.errnoName()).isEqualTo("EMSGSIZE");
            assertThat(e.getMessage()).contains("message of 1856 bytes at offset 0 but only 600 received");
        });
    }

    @Test
    void aDatagramFillingTheReceiveBufferIsRefused() {
        // a recv without MSG_TRUNC returns at most the buffer's size: a full buffer may be cut
        byte[] huge = new byte[NetlinkRequester.RECEIVE_BUFFER + 100];
        channel.reply(huge);
        assertThatThrownBy(client::links).isInstanceOfSatisfying(NetlinkException.class, e -> {
            assertThat(e.errnoName()).isEqualTo("EMSGSIZE");
            assertThat(e.getMessage()).contains("may have been truncated");
        });
    }

    @Test
    void malformedAttributesAreReported() {
        byte[] bad = pn1Message();
        ByteBuffer.wrap(bad).order(ByteOrder.nativeOrder()).putShort(32, (short) 4000); // first attribute runs past the end
        channel.reply(bad, ack());
        assertThatThrownBy(() -> client.link("pn1")).isInstanceOfSatisfying(NetlinkException.class,
                e -> assertThat(e.errnoName()).isEqualTo("EPROTO"));
    }

    @Test
    void anAckWithoutTheRequestedObjectIsAProtocolError() {
        channel.reply(ack());
        assertThatThrownBy(() -> client.link(3)).isInstanceOfSatisfying(NetlinkException.class,
                e -> assertThat(e.getMessage()).contains("acknowledged but sent no reply"));
    }

    @Test
    void socketErrorsBecomeNetlinkExceptions() {
        NetlinkChannel failing = new NetlinkChannel() {
            @Override
            public int portId() {
                return 1;
            }

            @Override
            public void send(ByteBuffer message) {
                throw new SyscallException("send(fd=5, 32 bytes)", 105);
            }

            @Override
            public void receive(ByteBuffer buffer) {
                throw new AssertionError();
            }

            @Override
            public void close() {
            }
        };
        assertThatThrownBy(() -> new RtnlClient(failing).setUp(3)).isInstanceOfSatisfying(NetlinkException.class, e -> {
            assertThat(e.errnoName()).isEqualTo("ENOBUFS");
            assertThat(e.getMessage()).startsWith("RTM_NEWLINK ifindex 3 up failed: ENOBUFS");
            assertThat(e.getCause()).isInstanceOf(SyscallException.class);
        });
    }

    @Test
    void closedClientsRefuseWork() {
        client.close();
        client.close();
        assertThat(channel.closed).isTrue();
        assertThatThrownBy(client::links).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void vethPeerInheritsTheHostMtu() {
        channel.reply(ack(), pn1Message(), ack());
        client.createVeth("pn1", LinkOptions.defaults().withMtu(1400), "eth0", LinkOptions.defaults(), null);
        // the peer's attributes hold IFLA_MTU 1400 too
        String sent = java.util.HexFormat.of().formatHex(channel.sent.get(0));
        assertThat(sent.split("0800040078050000", -1)).hasSize(3);
        assertThat(channel.sent).hasSize(2); // create, read back
    }

    @Test
    void concatenatedDatagramsAreWalked() {
        channel.reply(concat(pn1Message(), ack()));
        assertThat(client.link("pn1")).isPresent();
    }
}
