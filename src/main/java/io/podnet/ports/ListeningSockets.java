package io.podnet.ports;

import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.podnet.inet.IpAddresses;

/**
 * A snapshot of the sockets that listen in one network namespace, read from the kernel's tables
 * in {@code /proc/thread-self/net}: TCP sockets in LISTEN, unconnected UDP sockets, and SCTP
 * endpoints (when the kernel has SCTP). {@code thread-self} because network namespaces are per
 * thread: {@link #read()} must run on a thread inside the namespace to look at (the host's), e.g.
 * through {@code Netns.run} or {@code NftFirewall.listeningPorts()}. The snapshot is then a plain
 * value, cheap to ask many times while a random port is picked.
 *
 * <p>A listener conflicts with a host port when the protocol and port match and the addresses
 * overlap: a wildcard (0.0.0.0, ::) listener overlaps every address (an IPv6 wildcard socket may
 * accept IPv4 too, so it is counted for both), an IPv4-mapped IPv6 address counts as IPv4, and a
 * host port for any address overlaps every listener.
 */
public final class ListeningSockets implements HostPortProbe {
    private static final Path PROC_NET = Path.of("/proc/thread-self/net");
    private static final int TCP_LISTEN = 0x0A;
    private static final int UDP_UNCONNECTED = 0x07;

    /** One listening socket. */
    public record Listener(Protocol protocol, InetAddress address, int port) {
    }

    private final List<Listener> listeners;

    public ListeningSockets(List<Listener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    /** Reads the calling thread's namespace. */
    public static ListeningSockets read() {
        List<Listener> all = new ArrayList<>();
        all.addAll(parse(Protocol.TCP, readIfPresent(PROC_NET.resolve("tcp"))));
        all.addAll(parse(Protocol.TCP, readIfPresent(PROC_NET.resolve("tcp6"))));
        all.addAll(parse(Protocol.UDP, readIfPresent(PROC_NET.resolve("udp"))));
        all.addAll(parse(Protocol.UDP, readIfPresent(PROC_NET.resolve("udp6"))));
        all.addAll(parseSctp(readIfPresent(PROC_NET.resolve("sctp").resolve("eps"))));
        return new ListeningSockets(all);
    }

    public List<Listener> listeners() {
        return listeners;
    }

    @Override
    public boolean inUse(InetAddress hostIp, Protocol protocol, int port) {
        for (Listener l : listeners) {
            if (l.protocol() == protocol && l.port() == port && overlaps(hostIp, l.address())) {
                return true;
            }
        }
        return false;
    }

    private static boolean overlaps(InetAddress hostIp, InetAddress listening) {
        if (hostIp == null || listening.isAnyLocalAddress()) {
            return true;
        }
        return PortMapping.hostIpsOverlap(hostIp, listening);
    }

    private static String readIfPresent(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses a {@code /proc/net/{tcp,tcp6,udp,udp6}} table: a header line, then one socket per
     * line with {@code local_address} as hex words in host byte order, a hex port, and the state.
     */
    static List<Listener> parse(Protocol protocol, String table) {
        List<Listener> out = new ArrayList<>();
        String[] lines = table.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            int state = Integer.parseInt(f[3], 16);
            boolean listening = protocol == Protocol.TCP ? state == TCP_LISTEN : state == UDP_UNCONNECTED;
            if (!listening) {
                continue;
            }
            int colon = f[1].indexOf(':');
            out.add(new Listener(protocol, procAddress(f[1].substring(0, colon)), Integer.parseInt(f[1].substring(colon + 1), 16)));
        }
        return out;
    }

    /**
     * Parses {@code /proc/net/sctp/eps}: a header line, then per endpoint ENDPT SOCK STY SST
     * HBKT LPORT UID INODE and the bound addresses.
     */
    static List<Listener> parseSctp(String table) {
        List<Listener> out = new ArrayList<>();
        String[] lines = table.split("\n");
        for (int i = 1; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length < 9) {
                continue;
            }
            int port = Integer.parseInt(f[5]);
            for (int j = 8; j < f.length; j++) {
                try {
                    out.add(new Listener(Protocol.SCTP, IpAddresses.parse(f[j]), port));
                } catch (IllegalArgumentException notAnAddress) {
                    // a column we do not know; skip it
                }
            }
        }
        return out;
    }

    /** 8 hex digits (IPv4) or 32 (IPv6), each 32-bit word printed in host byte order. */
    static InetAddress procAddress(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int b = 0; b < 4; b++) {
                int src = word * 8 + (little ? (3 - b) : b) * 2;
                bytes[word * 4 + b] = (byte) Integer.parseInt(hex.substring(src, src + 2), 16);
            }
        }
        if (bytes.length == 16 && isV4Mapped(bytes)) {
            return IpAddresses.of(new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]});
        }
        return IpAddresses.of(bytes);
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
