package io.podnet.rootless;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;

/**
 * What a rootless netns is made of. One rootless netns exists per distinct configuration: its
 * directory is named from a hash of these five values ({@link #id()}).
 *
 * <p>Both helpers get the same addressing, taken from {@code cidr} as slirp4netns does by
 * default: the rootless netns has {@code cidr+100} on its {@code tap0}, the helper's gateway is
 * {@code cidr+2} (with {@code allowHostLoopback}, connections to it reach the host's
 * 127.0.0.1), and its DNS forwarder is {@code cidr+3}. For 10.0.2.0/24: 10.0.2.100, 10.0.2.2,
 * 10.0.2.3.
 *
 * @param helper            pasta (default) or slirp4netns
 * @param cidr              an IPv4 network of at least 128 addresses (prefix up to /25)
 * @param mtu               of tap0 in the rootless netns, 68-65520 (default 65520)
 * @param ipv6              also IPv6 through the helper (slirp4netns --enable-ipv6; pasta
 *                          copies the host's IPv6 addresses), and IPv6 nameservers are kept
 * @param allowHostLoopback connections to the gateway address reach the host namespace's
 *                          loopback (off by default, as in Podman)
 * @param helperBinary      the helper's program, or null to look it up on the PATH; not part of
 *                          {@link #id()}: the same netns whichever copy of the program runs it
 */
public record RootlessConfig(Helper helper, Cidr cidr, int mtu, boolean ipv6, boolean allowHostLoopback, Path helperBinary) {
    public static final Cidr DEFAULT_CIDR = Cidr.parse("10.0.2.0/24");
    public static final int DEFAULT_MTU = 65520;
    /** The name of the helper's interface inside the rootless netns. */
    public static final String TAP = "tap0";

    public RootlessConfig {
        Objects.requireNonNull(helper, "helper");
        Objects.requireNonNull(cidr, "cidr");
        if (!cidr.isV4()) {
            throw new IllegalArgumentException("rootless cidr " + cidr + " must be IPv4");
        }
        if (cidr.prefixLength() > 25 || cidr.prefixLength() < 8) {
            throw new IllegalArgumentException("rootless cidr " + cidr
                    + " must have a prefix length between /8 and /25 (the netns takes the network's address .100)");
        }
        cidr = cidr.network();
        if (mtu < 68 || mtu > 65520) {
            throw new IllegalArgumentException("rootless MTU " + mtu + " is out of range 68-65520");
        }
    }

    public RootlessConfig(Helper helper, Cidr cidr, int mtu, boolean ipv6, boolean allowHostLoopback) {
        this(helper, cidr, mtu, ipv6, allowHostLoopback, null);
    }

    /** pasta, 10.0.2.0/24, MTU 65520, no IPv6, no host loopback. */
    public static RootlessConfig defaults() {
        return new RootlessConfig(Helper.PASTA, DEFAULT_CIDR, DEFAULT_MTU, false, false);
    }

    public RootlessConfig withHelper(Helper helper) {
        return new RootlessConfig(helper, cidr, mtu, ipv6, allowHostLoopback, helperBinary);
    }

    public RootlessConfig withCidr(Cidr cidr) {
        return new RootlessConfig(helper, cidr, mtu, ipv6, allowHostLoopback, helperBinary);
    }

    public RootlessConfig withMtu(int mtu) {
        return new RootlessConfig(helper, cidr, mtu, ipv6, allowHostLoopback, helperBinary);
    }

    public RootlessConfig withIpv6(boolean ipv6) {
        return new RootlessConfig(helper, cidr, mtu, ipv6, allowHostLoopback, helperBinary);
    }

    public RootlessConfig withHelperBinary(Path helperBinary) {
        return new RootlessConfig(helper, cidr, mtu, ipv6, allowHostLoopback, helperBinary);
    }

    public RootlessConfig withHostLoopback(boolean allowHostLoopback) {
        return new RootlessConfig(helper, cidr, mtu, ipv6, allowHostLoopback, helperBinary);
    }

    /** The address of the rootless netns on tap0: cidr+100. */
    public InetAddress address() {
        return IpAddresses.add(cidr.networkAddress(), 100);
    }

    /** The helper's gateway, the rootless netns' default route: cidr+2. */
    public InetAddress gateway() {
        return IpAddresses.add(cidr.networkAddress(), 2);
    }

    /** The helper's DNS forwarder: cidr+3. */
    public InetAddress dns() {
        return IpAddresses.add(cidr.networkAddress(), 3);
    }

    /** The canonical text the id is a hash of; also written into the rootless dir for people. */
    public String canonical() {
        return "helper=" + helper.binary() + "\ncidr=" + cidr + "\nmtu=" + mtu + "\nipv6=" + ipv6 + "\nhostLoopback="
                + allowHostLoopback + "\n";
    }

    /** 12 hex digits of the SHA-256 of {@link #canonical()}: the rootless dir is {@code rootless-<id>}. */
    public String id() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
