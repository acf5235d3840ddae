package io.podnet.engine.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import io.podnet.inet.MacAddress;

/**
 * Names of the kernel objects podnet creates. They derive from the pod id and network name
 * through a hash, never from user strings, so nothing a user writes ends up in a path or a link
 * name, and every object is recognisable as podnet's.
 */
public final class KernelNames {
    static final String NETNS_PREFIX = "podnet-";
    public static final String VETH_PREFIX = "pn";

    private KernelNames() {
    }

    public static String netns(String podId) {
        return NETNS_PREFIX + podId;
    }

    /** "pn" + 12 hex digits: 14 characters, within IFNAMSIZ. */
    public static String hostVeth(String podId, String network) {
        return VETH_PREFIX + HexFormat.of().formatHex(sha256(podId + "/" + network), 0, 6);
    }

    /** A stable, locally administered unicast MAC for a bridge, derived from its name. */
    public static MacAddress bridgeMac(String bridge) {
        byte[] b = java.util.Arrays.copyOf(sha256("bridge/" + bridge), 6);
        b[0] = (byte) ((b[0] & 0xfe) | 0x02);
        return MacAddress.of(b);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
