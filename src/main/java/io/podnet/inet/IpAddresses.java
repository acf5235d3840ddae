package io.podnet.inet;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Parsing and arithmetic on IP addresses without DNS lookups. */
public final class IpAddresses {
    private IpAddresses() {
    }

    /**
     * Parses a literal IPv4 or IPv6 address. Never resolves names: anything that is not a
     * literal is refused with IllegalArgumentException.
     */
    public static InetAddress parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty IP address");
        }
        byte[] bytes = text.indexOf(':') >= 0 ? parseV6(text) : parseV4(text);
        if (bytes == null) {
            throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
        }
        return of(bytes);
    }

    /**
     * As {@link #parse}, but as the Kubernetes API's {@code isIP} reads an address: an
     * IPv4-mapped IPv6 address (::ffff:a.b.c.d) is refused, since it names an IPv4 host in the
     * wrong family. For addresses users give in a PodNetwork, so that the agent refuses exactly
     * what the CRD's rules refuse.
     */
    public static InetAddress parseApiAddress(String text) {
        InetAddress a = parse(text);
        if (isV4Mapped(a)) {
            throw new IllegalArgumentException("\"" + text + "\" is an IPv4-mapped IPv6 address: give the IPv4 address itself");
        }
        return a;
    }

    /** Whether it is in ::ffff:0:0/96. */
    public static boolean isV4Mapped(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /**
     * The address of 4 or 16 bytes. Unlike InetAddress.getByAddress, an IPv4-mapped IPv6
     * address (::ffff:a.b.c.d) stays IPv6: its family is what the bytes say.
     */
    public static InetAddress of(byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length);
        }
    }

    private static byte[] parseV4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b;
    }

    private static byte[] parseV6(String s) {
        if (!s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
            return null; // no zone ids, no brackets, no names
        }
        try {
            InetAddress a = InetAddress.getByName(s); // a literal by now: no lookup happens
            if (a instanceof Inet6Address) {
                return a.getAddress();
            }
            // "::ffff:1.2.3.4" comes back as IPv4; keep the caller's IPv6 form
            byte[] v6 = new byte[16];
            v6[10] = (byte) 0xff;
            v6[11] = (byte) 0xff;
            System.arraycopy(a.getAddress(), 0, v6, 12, 4);
            return v6;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    public static boolean isV4(InetAddress a) {
        return a instanceof Inet4Address;
    }

    public static int bits(InetAddress a) {
        return a.getAddress().length * 8;
    }

    public static BigInteger toBigInteger(InetAddress a) {
        return new BigInteger(1, a.getAddress());
    }

    public static InetAddress fromBigInteger(BigInteger value, int byteLength) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[byteLength];
        int copy = Math.min(raw.length, byteLength);
        System.arraycopy(raw, raw.length - copy, out, byteLength - copy, copy);
        return of(out);
    }

    public static InetAddress add(InetAddress a, long delta) {
        return fromBigInteger(toBigInteger(a).add(BigInteger.valueOf(delta)), a.getAddress().length);
    }

    /** The canonical text form: dotted quad, or RFC 5952 compressed IPv6. */
    public static String format(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen && j - i >= 2) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(words[i]));
        }
        return sb.toString();
    }
}
