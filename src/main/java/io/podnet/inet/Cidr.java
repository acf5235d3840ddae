package io.podnet.inet;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.Objects;

/**
 * An address with a prefix length, as in "10.89.0.5/24". The address may be a host inside the
 * network ({@link #address()}) or the network itself ({@link #network()}).
 */
public final class Cidr {
    private final InetAddress address;
    private final int prefixLength;

    private Cidr(InetAddress address, int prefixLength) {
        this.address = address;
        this.prefixLength = prefixLength;
    }

    public static Cidr of(InetAddress address, int prefixLength) {
        int bits = IpAddresses.bits(address);
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is out of range 0-" + bits);
        }
        return new Cidr(address, prefixLength);
    }

    /** Parses "address/prefix"; IllegalArgumentException says what is wrong. */
    public static Cidr parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("empty CIDR");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid CIDR \"" + text + "\": missing /prefix");
        }
        InetAddress a;
        try {
            a = IpAddresses.parse(text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid CIDR \"" + text + "\": " + e.getMessage());
        }
        String p = text.substring(slash + 1);
        if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
            throw new IllegalArgumentException("invalid CIDR \"" + text + "\": bad prefix length");
        }
        int prefix = Integer.parseInt(p);
        if (prefix > IpAddresses.bits(a)) {
            throw new IllegalArgumentException("invalid CIDR \"" + text + "\": prefix length over " + IpAddresses.bits(a));
        }
        return new Cidr(a, prefix);
    }

    public InetAddress address() {
        return address;
    }

    public int prefixLength() {
        return prefixLength;
    }

    public boolean isV4() {
        return IpAddresses.isV4(address);
    }

    private int bits() {
        return IpAddresses.bits(address);
    }

    private BigInteger hostMask() {
        return BigInteger.ONE.shiftLeft(bits() - prefixLength).subtract(BigInteger.ONE);
    }

    /** The network address (host bits cleared). */
    public InetAddress networkAddress() {
        BigInteger v = IpAddresses.toBigInteger(address).andNot(hostMask());
        return IpAddresses.fromBigInteger(v, address.getAddress().length);
    }

    /** The last address of the network (the IPv4 broadcast). */
    public InetAddress lastAddress() {
        BigInteger v = IpAddresses.toBigInteger(address).or(hostMask());
        return IpAddresses.fromBigInteger(v, address.getAddress().length);
    }

    public Cidr network() {
        return new Cidr(networkAddress(), prefixLength);
    }

    public boolean contains(InetAddress a) {
        if (a.getAddress().length != address.getAddress().length) {
            return false;
        }
        BigInteger mask = hostMask();
        return IpAddresses.toBigInteger(a).andNot(mask).equals(IpAddresses.toBigInteger(address).andNot(mask));
    }

    public boolean overlaps(Cidr other) {
        return other.address.getAddress().length == address.getAddress().length
                && (contains(other.networkAddress()) || other.contains(networkAddress()));
    }

    /** Number of addresses in the network (2^(bits-prefix)). */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(bits() - prefixLength);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefixLength == prefixLength && c.address.equals(address);
    }

    @Override
    public int hashCode() {
        return Objects.hash(address, prefixLength);
    }

    @Override
    public String toString() {
        return IpAddresses.format(address) + "/" + prefixLength;
    }
}
