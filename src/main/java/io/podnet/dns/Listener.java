package io.podnet.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * A name server's sockets on one gateway address and port: UDP, read by one thread, and TCP,
 * whose connections go to a bounded pool (a connection the pool has no room for is closed; an
 * idle one ends after the idle timeout, and one serves at most {@link #QUERIES_PER_CONNECTION}).
 * Every query is decided against the table current when it arrives.
 */
final class Listener implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Listener.class);
    static final int QUERIES_PER_CONNECTION = 100;

    /** Where a listener is: the network whose gateway it is on, the address and the port. */
    record Endpoint(String network, InetAddress address, int port) {
        @Override
        public String toString() {
            return network + " " + new InetSocketAddress(address, port);
        }
    }

    /** What the listeners of one server share. */
    record Shared(Supplier<DnsRecords> records, QueryCounts counts, UdpForwarder udp, TcpForwarding tcp,
            ThreadPoolExecutor connections, int idleMillis) {
    }

    private final Endpoint endpoint;
    private final Shared shared;
    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;
    private final Thread udpThread;
    private final Thread tcpThread;
    private volatile boolean closed;

    /** Binds both sockets; call it on a thread in the server's namespace. Nothing stays open on failure. */
    Listener(Endpoint endpoint, Shared shared, ThreadFactory threads) throws IOException {
        this.endpoint = endpoint;
        this.shared = shared;
        StandardProtocolFamily family = endpoint.address() instanceof Inet4Address ? StandardProtocolFamily.INET
                : StandardProtocolFamily.INET6;
        InetSocketAddress at = new InetSocketAddress(endpoint.address(), endpoint.port());
        DatagramChannel u = DatagramChannel.open(family);
        ServerSocketChannel t = null;
        try {
            u.bind(at);
            t = ServerSocketChannel.open(family);
            // connections left in TIME_WAIT must not keep a new server from listening
            t.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            t.bind(at, 128);
        } catch (IOException | RuntimeException e) {
            u.close();
            if (t != null) {
                t.close();
            }
            throw e;
        }
        this.udp = u;
        this.tcp = t;
        this.udpThread = threads.newThread(this::serveUdp);
        this.tcpThread = threads.newThread(this::accept);
        udpThread.start();
        tcpThread.start();
    }

    Endpoint endpoint() {
        return endpoint;
    }

    private void serveUdp() {
        ByteBuffer buf = ByteBuffer.allocate(Answerer.TCP_MAX);
        while (!closed) {
            SocketAddress from;
            try {
                buf.clear();
                from = udp.receive(buf);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                continue; // an ICMP error of an earlier answer: the socket goes on
            }
            if (!(from instanceof InetSocketAddress client)) {
                continue;
            }
            byte[] wire = Arrays.copyOf(buf.array(), buf.position());
            try {
                answerUdp(wire, client);
            } catch (RuntimeException e) {
                // one bad query must not stop the listener
                LOG.debugf(e, "%s: a query from %s failed", endpoint, client);
            }
        }
    }

    private void answerUdp(byte[] wire, InetSocketAddress client) {
        Answerer.Outcome o = Answerer.decide(wire, client.getAddress(), endpoint.network(), shared.records().get(), false);
        if (o instanceof Answerer.Reply r) {
            shared.counts().count(r.result());
            send(r.wire(), client);
        } else if (o instanceof Answerer.Forward f) {
            if (!shared.udp().submit(f, answer -> send(answer, client), shared.counts()::count)) {
                shared.counts().count(QueryResult.OVERLOADED);
                send(f.failure(), client);
            }
        } else {
            shared.counts().count(QueryResult.MALFORMED);
        }
    }

    private void send(byte[] wire, InetSocketAddress to) {
        try {
            udp.send(ByteBuffer.wrap(wire), to);
        } catch (IOException e) {
            // the client is gone, or the socket closed: a UDP answer may be lost
        }
    }

    private void accept() {
        while (!closed) {
            SocketChannel c;
            try {
                c = tcp.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            try {
                shared.connections().execute(() -> serveTcp(c));
            } catch (RejectedExecutionException e) {
                closeQuietly(c); // as many connections as the pool takes are open already
            }
        }
    }

    private void serveTcp(SocketChannel c) {
        try (c) {
            InetAddress client = ((InetSocketAddress) c.getRemoteAddress()).getAddress();
            c.socket().setSoTimeout(shared.idleMillis());
            DataInputStream in = new DataInputStream(c.socket().getInputStream());
            DataOutputStream out = new DataOutputStream(c.socket().getOutputStream());
            for (int i = 0; i < QUERIES_PER_CONNECTION && !closed; i++) {
                int length;
                try {
                    length = in.readUnsignedShort();
                } catch (EOFException e) {
                    return;
                }
                byte[] wire = new byte[length];
                in.readFully(wire);
                byte[] answer = answerTcp(wire, client);
                if (answer == null) {
                    return;
                }
                out.writeShort(answer.length);
                out.write(answer);
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // idle past the timeout, cut off, or closed with the listener
        }
    }

    private byte[] answerTcp(byte[] wire, InetAddress client) {
        Answerer.Outcome o = Answerer.decide(wire, client, endpoint.network(), shared.records().get(), true);
        if (o instanceof Answerer.Reply r) {
            shared.counts().count(r.result());
            return r.wire();
        }
        if (o instanceof Answerer.Forward f) {
            TcpForwarding.Result r = shared.tcp().forward(f);
            shared.counts().count(r.result());
            return r.wire();
        }
        shared.counts().count(QueryResult.MALFORMED);
        return null;
    }

    static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }

    /** Closes both sockets and waits (up to 5 s) for their threads, so that the address is free again. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(udp);
        closeQuietly(tcp);
        try {
            udpThread.join(5000);
            tcpThread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
