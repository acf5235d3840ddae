package io.podnet.testing;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

import io.podnet.netns.Netns;

/**
 * An upstream resolver a test runs itself, inside one of its sandbox namespaces, so that
 * forwarding is checked without the real internet: it answers the A records it is given
 * (name with final dot -> address), NXDOMAIN for everything else, over UDP and TCP on port 53 of
 * its address, and records every name it was asked.
 */
public final class UpstreamDns implements AutoCloseable {
    private final DatagramChannel udp;
    private final ServerSocketChannel tcp;
    private final Map<String, InetAddress> answers;
    private final List<String> asked = new CopyOnWriteArrayList<>();
    private final Thread udpThread;
    private final Thread tcpThread;

    /** Binds on {@code address}:53 inside {@code netns} (the address must be there) and starts answering. */
    public UpstreamDns(Netns netns, InetAddress address, Map<String, InetAddress> answers) {
        this.answers = Map.copyOf(answers);
        InetSocketAddress at = new InetSocketAddress(address, 53);
        this.udp = netns.run(() -> DatagramChannel.open().bind(at));
        this.tcp = netns.run(() -> ServerSocketChannel.open().bind(at));
        udpThread = new Thread(this::serveUdp, "test-upstream-udp");
        tcpThread = new Thread(this::serveTcp, "test-upstream-tcp");
        udpThread.setDaemon(true);
        tcpThread.setDaemon(true);
        udpThread.start();
        tcpThread.start();
    }

    /** The names asked so far (lower case, final dot), in order. */
    public List<String> asked() {
        return List.copyOf(asked);
    }

    private byte[] answer(byte[] query) throws IOException {
        Message q = new Message(query);
        String name = q.getQuestion().getName().toString().toLowerCase();
        asked.add(name);
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.RA);
        r.addRecord(q.getQuestion(), Section.QUESTION);
        InetAddress a = answers.get(name);
        if (a == null) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        } else {
            r.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 300, a), Section.ANSWER);
        }
        return r.toWire();
    }

    private void serveUdp() {
        ByteBuffer buf = ByteBuffer.allocate(65535);
        while (udp.isOpen()) {
            try {
                buf.clear();
                SocketAddress from = udp.receive(buf);
                udp.send(ByteBuffer.wrap(answer(Arrays.copyOf(buf.array(), buf.position()))), from);
            } catch (IOException e) {
                // closed, or a query that does not parse
            }
        }
    }

    private void serveTcp() {
        while (tcp.isOpen()) {
            try (SocketChannel c = tcp.accept()) {
                DataInputStream in = new DataInputStream(c.socket().getInputStream());
                byte[] q = new byte[in.readUnsignedShort()];
                in.readFully(q);
                byte[] a = answer(q);
                DataOutputStream out = new DataOutputStream(c.socket().getOutputStream());
                out.writeShort(a.length);
                out.write(a);
                out.flush();
            } catch (IOException e) {
                // closed, or a client that went away
            }
        }
    }

    @Override
    public void close() {
        try {
            udp.close();
            tcp.close();
            udpThread.join(5000);
            tcpThread.join(5000);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
