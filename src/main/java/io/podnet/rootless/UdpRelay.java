package io.podnet.rootless;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * UDP forwarding: one flow per client address and port, with its own socket connected to the pod
 * from inside the rootless netns, so replies go back to the right client; idle flows end.
 */
final class UdpRelay {
    private final SocketSource source;
    private final long idleTimeoutNanos;
    private final int flowsPerPort;

    UdpRelay(SocketSource source, Duration idleTimeout, int flowsPerPort) {
        this.source = source;
        this.idleTimeoutNanos = idleTimeout.toNanos();
        this.flowsPerPort = flowsPerPort;
    }

    /** The handler of a forward's listening socket that goes to {@code to}. */
    Port port(Forward forward, DatagramChannel listener, InetSocketAddress to) {
        return new Port(forward, listener, to);
    }

    /** A UDP host port: its listening socket and the flows of its clients. */
    final class Port implements SelectorHandler {
        final Forward forward;
        final DatagramChannel listener;
        final InetSocketAddress to;
        final Map<SocketAddress, Flow> flows = new HashMap<>();

        private Port(Forward forward, DatagramChannel listener, InetSocketAddress to) {
            this.forward = forward;
            this.listener = listener;
            this.to = to;
        }

        @Override
        public void ready(SelectionKey key) {
            ByteBuffer buf = forward.loop.buffers.scratch();
            for (int i = 0; i < 64; i++) {
                buf.clear();
                SocketAddress from;
                try {
                    from = listener.receive(buf);
                } catch (IOException e) {
                    return;
                }
                if (from == null) {
                    return;
                }
                buf.flip();
                Flow flow = flows.get(from);
                if (flow == null) {
                    flow = open(from);
                    if (flow == null) {
                        forward.counters.dropped.increment();
                        continue;
                    }
                }
                flow.lastActive = System.nanoTime();
                forward.counters.bytesToPod.add(buf.remaining());
                try {
                    if (flow.channel.write(buf) == 0) {
                        forward.counters.dropped.increment();
                    }
                } catch (IOException e) {
                    // ECONNREFUSED from an earlier ICMP port unreachable: the pod is not listening
                    forward.counters.dropped.increment();
                }
            }
        }

        private Flow open(SocketAddress client) {
            if (flows.size() >= flowsPerPort) {
                return null;
            }
            DatagramChannel c = null;
            try {
                c = source.udp(forward.spec.podIsV6());
                c.connect(to);
                Flow f = new Flow(this, client, c);
                c.register(forward.loop.selector, SelectionKey.OP_READ, f);
                flows.put(client, f);
                forward.counters.flowsCreated.increment();
                forward.counters.flowsActive.increment();
                return f;
            } catch (IOException | RuntimeException e) {
                Channels.closeQuietly(c);
                return null;
            }
        }

        /** Closes the flows idle longer than the idle timeout. */
        void expire(long now) {
            for (Iterator<Flow> it = flows.values().iterator(); it.hasNext();) {
                Flow f = it.next();
                if (now - f.lastActive > idleTimeoutNanos) {
                    it.remove();
                    f.close();
                    forward.counters.flowsExpired.increment();
                }
            }
        }

        void closeAll() {
            Channels.closeQuietly(listener);
            for (Flow f : flows.values()) {
                f.close();
            }
            flows.clear();
        }
    }

    /** One UDP client's flow: its socket connected to the pod. */
    private static final class Flow implements SelectorHandler {
        final Port port;
        final SocketAddress client;
        final DatagramChannel channel;
        long lastActive = System.nanoTime();

        Flow(Port port, SocketAddress client, DatagramChannel channel) {
            this.port = port;
            this.client = client;
            this.channel = channel;
        }

        /** Replies from the pod leave through the listening socket, to the flow's client. */
        @Override
        public void ready(SelectionKey key) {
            LiveCounters counters = port.forward.counters;
            ByteBuffer buf = port.forward.loop.buffers.scratch();
            for (int i = 0; i < 64; i++) {
                buf.clear();
                int n;
                try {
                    n = channel.read(buf);
                } catch (PortUnreachableException e) {
                    counters.dropped.increment();
                    continue;
                } catch (IOException e) {
                    return;
                }
                if (n <= 0) {
                    return;
                }
                lastActive = System.nanoTime();
                buf.flip();
                counters.bytesFromPod.add(n);
                try {
                    if (port.listener.send(buf, client) == 0) {
                        counters.dropped.increment();
                    }
                } catch (IOException e) {
                    counters.dropped.increment();
                }
            }
        }

        void close() {
            Channels.closeQuietly(channel);
            port.forward.counters.flowsActive.decrement();
        }
    }
}
