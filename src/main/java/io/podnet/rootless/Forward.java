package io.podnet.rootless;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

/** One active spec: its listeners, connections and flows, all on one selector loop. */
final class Forward implements SelectorLoop.Resident {
    final ForwardSpec spec;
    final SelectorLoop loop;
    final LiveCounters counters = new LiveCounters();
    private final List<NetworkChannel> listeners = new ArrayList<>();
    private final List<UdpRelay.Port> udpPorts = new ArrayList<>();
    private volatile List<InetSocketAddress> bound = List.of();
    /** Set before its connections are closed, so a connection handed to another loop meanwhile closes at once. */
    volatile boolean closed;

    Forward(ForwardSpec spec, SelectorLoop loop) {
        this.spec = spec;
        this.loop = loop;
    }

    /** The host addresses it listens on, random ports resolved. */
    List<InetSocketAddress> bound() {
        return bound;
    }

    @Override
    public Forward forward() {
        return this;
    }

    /** On the loop thread: serves the bound listeners, the i-th to pod port {@code podPort + i}. */
    void register(List<NetworkChannel> channels, TcpRelay tcp, UdpRelay udp) throws IOException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        try {
            for (int i = 0; i < channels.size(); i++) {
                NetworkChannel c = channels.get(i);
                listeners.add(c);
                InetSocketAddress to = new InetSocketAddress(spec.podIp(), spec.podPort() + i);
                addresses.add((InetSocketAddress) c.getLocalAddress());
                if (c instanceof ServerSocketChannel s) {
                    s.configureBlocking(false);
                    s.register(loop.selector, SelectionKey.OP_ACCEPT, tcp.listener(this, s, to));
                } else {
                    DatagramChannel d = (DatagramChannel) c;
                    d.configureBlocking(false);
                    UdpRelay.Port port = udp.port(this, d, to);
                    udpPorts.add(port);
                    d.register(loop.selector, SelectionKey.OP_READ, port);
                }
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
        bound = List.copyOf(addresses);
        loop.addOwner(this);
    }

    /** Idle UDP flows end. */
    @Override
    public void sweep(long now) {
        for (UdpRelay.Port u : udpPorts) {
            u.expire(now);
        }
    }

    /**
     * On the forward's loop: closes the listeners, the UDP flows and the connections on this
     * loop, and makes the closes take effect now.
     */
    @Override
    public void close() {
        closed = true;
        listeners.forEach(Channels::closeQuietly);
        listeners.clear();
        loop.closeConnectionsOf(this);
        for (UdpRelay.Port u : udpPorts) {
            u.closeAll();
        }
        udpPorts.clear();
        loop.removeOwner(this);
        loop.flushCancelled();
    }
}
