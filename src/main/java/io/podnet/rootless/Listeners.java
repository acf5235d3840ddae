package io.podnet.rootless;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

import io.podnet.inet.Protocol;

/** Opens a forward's listening sockets; call it on a thread in the host namespace, where they then stay. */
final class Listeners {
    private Listeners() {
    }

    /** One bound socket per host port of the spec, in port order; none is left open on failure. */
    static List<NetworkChannel> bind(ForwardSpec spec, int tcpBacklog) throws IOException {
        List<NetworkChannel> out = new ArrayList<>();
        StandardProtocolFamily family = spec.podIsV6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        InetAddress address = spec.hostIp() != null ? spec.hostIp()
                : InetAddress.getByName(spec.podIsV6() ? "::" : "0.0.0.0");
        try {
            for (int i = 0; i < spec.range(); i++) {
                InetSocketAddress at = new InetSocketAddress(address, spec.hostPort() == 0 ? 0 : spec.hostPort() + i);
                if (spec.protocol() == Protocol.TCP) {
                    ServerSocketChannel s = ServerSocketChannel.open(family);
                    out.add(s);
                    // connections left in TIME_WAIT must not make a restarted forwarder fail to bind
                    s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    s.bind(at, tcpBacklog);
                } else {
                    DatagramChannel d = DatagramChannel.open(family);
                    out.add(d);
                    d.bind(at);
                }
            }
            return out;
        } catch (IOException | RuntimeException e) {
            out.forEach(Channels::closeQuietly);
            throw e;
        }
    }
}
