package io.podnet.sys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** splice(2) between two loopback TCP connections through a pipe, as the forwarder uses it. */
class SpliceTest {
    private ServerSocketChannel server;
    /** a -> aPeer and b -> bPeer: bytes written to a arrive on aPeer, which is spliced into b. */
    private SocketChannel a;
    private SocketChannel aPeer;
    private SocketChannel b;
    private SocketChannel bPeer;

    @BeforeEach
    void connect() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        a = SocketChannel.open(server.getLocalAddress());
        aPeer = server.accept();
        b = SocketChannel.open(server.getLocalAddress());
        bPeer = server.accept();
        aPeer.configureBlocking(false);
        b.configureBlocking(false);
    }

    @AfterEach
    void close() throws IOException {
        for (var c : new java.nio.channels.Channel[] {a, aPeer, b, bPeer, server}) {
            c.close();
        }
    }

    @Test
    void theDescriptorOfAChannelIsItsSocket() throws IOException {
        assertThat(ChannelDescriptors.available()).as("the forwarder splices only where descriptors are known").isTrue();
        int fd = ChannelDescriptors.of(a);
        ByteBuffer addr = ByteBuffer.allocateDirect(128).order(ByteOrder.BIG_ENDIAN);
        Sys.getsockname(fd, addr);
        int port = ((addr.get(2) & 0xff) << 8) | (addr.get(3) & 0xff);
        assertThat(port).isEqualTo(((InetSocketAddress) a.getLocalAddress()).getPort());
        SocketChannel closed = SocketChannel.open();
        closed.close();
        assertThat(ChannelDescriptors.of(closed)).isEqualTo(-1);
    }

    @Test
    void bytesMoveThroughThePipeExactlyAndTheEndIsSeen() throws IOException {
        byte[] payload = new byte[4 << 20];
        ThreadLocalRandom.current().nextBytes(payload);
        try (Pipe pipe = Pipe.open(1 << 20)) {
            assertThat(pipe.capacity()).isGreaterThanOrEqualTo(64 << 10);
            int in = ChannelDescriptors.of(aPeer);
            int out = ChannelDescriptors.of(b);
            assertThat(Sys.splice(in, pipe.writeFd(), pipe.capacity())).as("nothing to read yet").isEqualTo(Sys.WOULD_BLOCK);

            Thread writer = new Thread(() -> {
                try {
                    a.write(ByteBuffer.wrap(payload));
                    a.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            ByteBuffer got = ByteBuffer.allocate(payload.length + 1);
            long inPipe = 0;
            boolean eof = false;
            long deadline = System.nanoTime() + 20_000_000_000L;
            bPeer.configureBlocking(false);
            while (!(eof && inPipe == 0) && System.nanoTime() < deadline) {
                if (!eof && inPipe == 0) {
                    long n = Sys.splice(in, pipe.writeFd(), pipe.capacity());
                    if (n == 0) {
                        eof = true;
                    } else if (n > 0) {
                        inPipe = n;
                    }
                }
                if (inPipe > 0) {
                    long n = Sys.splice(pipe.readFd(), out, inPipe);
                    if (n > 0) {
                        inPipe -= n;
                    }
                }
                bPeer.read(got);
            }
            bPeer.configureBlocking(true);
            b.shutdownOutput();
            while (bPeer.read(got) >= 0 && got.hasRemaining()) {
                // the rest that is still on its way
            }
            assertThat(eof).isTrue();
            assertThat(got.position()).isEqualTo(payload.length);
            assertThat(Arrays.equals(Arrays.copyOf(got.array(), payload.length), payload)).isTrue();
        }
    }

    @Test
    void aResetIsAFailureNotAnEnd() throws IOException {
        a.setOption(StandardSocketOptions.SO_LINGER, 0);
        a.close();
        int in = ChannelDescriptors.of(aPeer);
        try (Pipe pipe = Pipe.open(64 << 10)) {
            long deadline = System.nanoTime() + 5_000_000_000L;
            assertThatThrownBy(() -> {
                while (System.nanoTime() < deadline) {
                    Sys.splice(in, pipe.writeFd(), pipe.capacity());
                }
            }).isInstanceOfSatisfying(SyscallException.class, e -> assertThat(e.errnoName()).isEqualTo("ECONNRESET"));
        }
    }
}
