package io.podnet.rootless;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.podnet.sys.ChannelDescriptors;
import io.podnet.sys.Pipe;
import io.podnet.sys.Sys;
import io.podnet.sys.SyscallException;

/**
 * TCP forwarding: accepts on host ports, connects to the pod from inside the rootless netns, and
 * copies both directions of each connection pair, non-blocking, with back-pressure and
 * half-close (see {@link PortForwarder} for the behaviour).
 */
final class TcpRelay {
    private final SocketSource source;
    private final long connectTimeoutNanos;
    private final boolean splice;
    private final SelectorLoop[] loops;
    private final AtomicInteger nextPairLoop = new AtomicInteger();

    TcpRelay(SocketSource source, Duration connectTimeout, boolean splice, SelectorLoop[] loops) {
        this.source = source;
        this.connectTimeoutNanos = connectTimeout.toNanos();
        this.splice = splice;
        this.loops = loops;
    }

    /** The handler of a forward's listening socket that goes to {@code to}. */
    SelectorHandler listener(Forward forward, ServerSocketChannel server, InetSocketAddress to) {
        return new Listener(forward, server, to);
    }

    /**
     * Where a new connection goes: the accepting loop, unless another has at least two fewer
     * connections. Handing a connection over costs a wake-up of the other thread, which short
     * connections do not repay; long ones (bulk streams) still spread over the threads.
     */
    private SelectorLoop chooseLoop(SelectorLoop accepting) {
        SelectorLoop best = accepting;
        int bestLoad = accepting.load.get() - 1;
        int start = Math.floorMod(nextPairLoop.getAndIncrement(), loops.length);
        for (int i = 0; i < loops.length; i++) {
            SelectorLoop l = loops[(start + i) % loops.length];
            if (l != accepting && l.load.get() < bestLoad) {
                best = l;
                bestLoad = l.load.get();
            }
        }
        return best;
    }

    private final class Listener implements SelectorHandler {
        final Forward forward;
        final ServerSocketChannel server;
        final InetSocketAddress to;

        Listener(Forward forward, ServerSocketChannel server, InetSocketAddress to) {
            this.forward = forward;
            this.server = server;
            this.to = to;
        }

        @Override
        public void ready(SelectionKey key) {
            for (int i = 0; i < 64; i++) {
                SocketChannel client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return; // EMFILE and the like: the connection waits in the backlog
                }
                if (client == null) {
                    return;
                }
                forward.counters.accepted.increment();
                SelectorLoop target = chooseLoop(forward.loop);
                target.load.incrementAndGet();
                if (target == forward.loop) {
                    new Pair(forward, client, to, target).begin();
                } else {
                    target.execute(() -> new Pair(forward, client, to, target).begin());
                }
            }
        }
    }

    /**
     * One direction of a TCP connection: from one socket to the other, spliced through a pipe
     * when both descriptors are known, else copied through the loop's scratch buffer. Copied
     * reads start at {@link BufferPool#MIN_READ} bytes and double with each read its
     * destination takes whole, up to the buffer size: bulk streams move large chunks (fewer
     * system calls and wake-ups per byte), while a direction whose destination is slow reads
     * small chunks again, so what it must keep stays small.
     */
    private static final class Direction {
        final LongAdder bytes;
        SocketChannel from;
        SocketChannel to;
        int fromFd = -1;
        int toFd = -1;
        int readLimit = BufferPool.MIN_READ;
        /** Copied data the destination did not take. */
        ByteBuffer pending;
        /** Spliced data the destination did not take: the pipe, held only while it holds some. */
        Pipe pipe;
        long inPipe;
        boolean eof;
        boolean shut;

        Direction(LongAdder bytes) {
            this.bytes = bytes;
        }

        void connect(SocketChannel from, SocketChannel to, boolean splice) {
            this.from = from;
            this.to = to;
            if (!splice) {
                return;
            }
            int in = ChannelDescriptors.of(from);
            int out = ChannelDescriptors.of(to);
            if (in >= 0 && out >= 0) {
                fromFd = in;
                toFd = out;
            }
        }

        boolean spliced() {
            return fromFd >= 0;
        }

        boolean hasPending() {
            return pending != null || inPipe > 0;
        }

        boolean done() {
            return eof && !hasPending() && shut;
        }
    }

    /** splice(2), its failures (ECONNRESET, EPIPE) as the channels' own would be. */
    private static long splice(int in, int out, long len) throws IOException {
        try {
            return Sys.splice(in, out, len);
        } catch (SyscallException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** A client connection and its connection to the pod, on one loop. */
    private final class Pair implements SelectorLoop.Resident {
        final Forward forward;
        final SelectorLoop loop;
        final SocketChannel client;
        final InetSocketAddress to;
        SocketChannel pod;
        SelectionKey clientKey;
        SelectionKey podKey;
        final Direction toPod;
        final Direction toClient;
        boolean connected;
        boolean closed;
        int clientOps = -1;
        int podOps = -1;
        long started = System.nanoTime();

        final SelectorHandler clientSide = new Side(true);
        final SelectorHandler podSide = new Side(false);

        /** One socket of the pair; a failure on either closes both. */
        private final class Side implements SelectorHandler {
            private final boolean client;

            Side(boolean client) {
                this.client = client;
            }

            @Override
            public void ready(SelectionKey key) {
                if (client) {
                    onClient(key);
                } else {
                    onPod(key);
                }
            }

            @Override
            public void failed(SelectionKey key) {
                close(true);
            }
        }

        Pair(Forward forward, SocketChannel client, InetSocketAddress to, SelectorLoop loop) {
            this.forward = forward;
            this.loop = loop;
            this.client = client;
            this.to = to;
            this.toPod = new Direction(forward.counters.bytesToPod);
            this.toClient = new Direction(forward.counters.bytesFromPod);
        }

        @Override
        public Forward forward() {
            return forward;
        }

        /** On the pair's loop thread. */
        void begin() {
            loop.addConnection(this);
            forward.counters.active.increment();
            if (forward.closed) {
                close(true);
                return;
            }
            try {
                client.configureBlocking(false);
                client.setOption(StandardSocketOptions.TCP_NODELAY, true);
                clientKey = client.register(loop.selector, 0, clientSide);
                pod = source.tcp(forward.spec.podIsV6());
                // on loopback and bridges the handshake is usually done before connect returns
                connected = pod.connect(to) || pod.finishConnect();
                podKey = pod.register(loop.selector, 0, podSide);
                toPod.connect(client, pod, splice);
                toClient.connect(pod, client, splice);
                if (connected) {
                    // a client that speaks first has usually spoken by now: save a select round
                    transfer(toPod);
                }
                update();
            } catch (IOException | RuntimeException e) {
                forward.counters.connectFailures.increment();
                close(true);
            }
        }

        /** The pod side must connect within the connect timeout. */
        @Override
        public void sweep(long now) {
            if (!connected && !closed && now - started > connectTimeoutNanos) {
                forward.counters.connectFailures.increment();
                close(true);
            }
        }

        private void onPod(SelectionKey key) {
            try {
                if (!connected) {
                    if (key.isConnectable()) {
                        pod.finishConnect();
                        connected = true;
                    }
                    update();
                    return;
                }
                if (key.isWritable() && flush(toPod)) {
                    // room again: move on what the client has sent meanwhile, before the
                    // interests are switched back (no select round, no epoll_ctl while the pod is the bottleneck)
                    transfer(toPod);
                }
                if (key.isReadable()) {
                    transfer(toClient);
                }
                update();
            } catch (IOException e) {
                if (!connected) {
                    forward.counters.connectFailures.increment();
                }
                close(true);
            }
        }

        private void onClient(SelectionKey key) {
            try {
                if (key.isWritable() && flush(toClient)) {
                    transfer(toClient);
                }
                if (key.isReadable()) {
                    transfer(toPod);
                }
                update();
            } catch (IOException e) {
                close(true);
            }
        }

        /** Moves what {@code d}'s source has to its destination until there is nothing to read or the destination is full. */
        private void transfer(Direction d) throws IOException {
            if (d.spliced()) {
                if (d.pipe == null) {
                    d.pipe = loop.buffers.takePipe();
                }
                if (d.pipe != null) {
                    try {
                        splice(d);
                    } finally {
                        if (d.inPipe == 0 && d.pipe != null) {
                            loop.buffers.givePipe(d.pipe);
                            d.pipe = null;
                        }
                    }
                    return;
                }
            }
            copy(d);
        }

        /**
         * Splices from the source into the direction's (empty) pipe and on into the
         * destination, in chunks of up to the pipe's size, without copying the bytes.
         */
        private void splice(Direction d) throws IOException {
            for (int round = 0; round < 8 && !d.hasPending() && !d.eof; round++) {
                long n = TcpRelay.splice(d.fromFd, d.pipe.writeFd(), d.pipe.capacity());
                if (n == Sys.WOULD_BLOCK) {
                    return;
                }
                if (n == 0) {
                    d.eof = true;
                    shutOutput(d);
                    return;
                }
                d.bytes.add(n);
                d.inPipe = n;
                drainPipe(d);
                // while the destination takes everything, read on until EAGAIN: an EOF right behind the data is seen now
            }
        }

        /** Splices what is in the pipe into the destination, as much as it takes. */
        private void drainPipe(Direction d) throws IOException {
            while (d.inPipe > 0) {
                long n = TcpRelay.splice(d.pipe.readFd(), d.toFd, d.inPipe);
                if (n == Sys.WOULD_BLOCK || n == 0) {
                    return; // the destination is full: the rest stays in the pipe, the source is not read meanwhile
                }
                d.inPipe -= n;
            }
        }

        /** Reads through the scratch buffer and writes on; keeps what the destination does not take. */
        private void copy(Direction d) throws IOException {
            ByteBuffer buf = loop.buffers.scratch();
            for (int round = 0; round < 8 && !d.hasPending() && !d.eof; round++) {
                buf.clear().limit(Math.min(d.readLimit, buf.capacity()));
                int n = d.from.read(buf);
                if (n < 0) {
                    d.eof = true;
                    shutOutput(d);
                    return;
                }
                if (n == 0) {
                    return;
                }
                d.bytes.add(n);
                buf.flip();
                d.to.write(buf);
                if (buf.hasRemaining()) {
                    // the other side is full: keep the rest, stop reading this side until it is written
                    ByteBuffer keep = loop.buffers.take(buf.remaining());
                    keep.put(buf).flip();
                    d.pending = keep;
                    d.readLimit = BufferPool.MIN_READ;
                    return;
                }
                if (n == buf.limit() && d.readLimit < buf.capacity()) {
                    d.readLimit = Math.min(d.readLimit * 2, buf.capacity());
                }
                // read on until EAGAIN: an EOF right behind the data is seen now, not a select later
            }
        }

        /** Writes what is kept for {@code d}; true when all of it is written and its source may be read again. */
        private boolean flush(Direction d) throws IOException {
            if (d.inPipe > 0) {
                drainPipe(d);
                if (d.inPipe > 0) {
                    return false;
                }
                loop.buffers.givePipe(d.pipe);
                d.pipe = null;
            } else if (d.pending != null) {
                d.to.write(d.pending);
                if (d.pending.hasRemaining()) {
                    return false;
                }
                loop.buffers.give(d.pending);
                d.pending = null;
            } else {
                return false;
            }
            if (d.eof) {
                shutOutput(d);
                return false;
            }
            return true;
        }

        private void shutOutput(Direction d) throws IOException {
            if (!d.hasPending() && !d.shut) {
                d.shut = true;
                Direction other = d == toPod ? toClient : toPod;
                if (!other.done()) {
                    d.to.shutdownOutput();
                }
                // else both directions are done and the close that follows sends the FIN
            }
        }

        private void update() {
            if (closed) {
                return;
            }
            if (toPod.done() && toClient.done()) {
                close(false);
                return;
            }
            int c = 0;
            int p;
            if (!connected) {
                p = SelectionKey.OP_CONNECT;
            } else {
                if (!toPod.eof && !toPod.hasPending()) {
                    c |= SelectionKey.OP_READ;
                }
                p = 0;
                if (!toClient.eof && !toClient.hasPending()) {
                    p |= SelectionKey.OP_READ;
                }
                if (toPod.hasPending()) {
                    p |= SelectionKey.OP_WRITE;
                }
            }
            if (toClient.hasPending()) {
                c |= SelectionKey.OP_WRITE;
            }
            if (c != clientOps) {
                clientKey.interestOps(c);
                clientOps = c;
            }
            if (p != podOps) {
                podKey.interestOps(p);
                podOps = p;
            }
        }

        /** Closes both sides normally: the forward is stopped, or the loop ends. */
        @Override
        public void close() {
            close(false);
        }

        /** Closes both sides; {@code abort} resets them (SO_LINGER 0) instead of a normal close. */
        void close(boolean abort) {
            if (closed) {
                return;
            }
            closed = true;
            loop.removeConnection(this);
            loop.load.decrementAndGet();
            forward.counters.active.decrement();
            for (SocketChannel c : new SocketChannel[] {client, pod}) {
                if (c == null) {
                    continue;
                }
                if (abort && c.isOpen()) {
                    try {
                        c.setOption(StandardSocketOptions.SO_LINGER, 0);
                    } catch (IOException | RuntimeException e) {
                        // a plain close then
                    }
                }
                Channels.closeQuietly(c);
            }
            for (Direction d : new Direction[] {toPod, toClient}) {
                if (d.pending != null) {
                    loop.buffers.give(d.pending);
                    d.pending = null;
                }
                if (d.pipe != null) {
                    // it holds data that is not going anywhere now
                    BufferPool.closeQuietly(d.pipe);
                    d.pipe = null;
                    d.inPipe = 0;
                }
                d.fromFd = -1;
                d.toFd = -1;
            }
        }
    }
}
