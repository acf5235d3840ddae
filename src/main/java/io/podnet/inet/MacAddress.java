package io.podnet.inet;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/** A 48-bit Ethernet address. */
public final class MacAddress {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final byte[] bytes;

    private MacAddress(byte[] bytes) {
        this.bytes = bytes;
    }

    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        return new MacAddress(bytes.clone());
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff}; throws IllegalArgumentException with the reason. */
    public static MacAddress parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 6) {
            throw new IllegalArgumentException("invalid MAC address \"" + text + "\": expected six hex pairs separated by ':'");
        }
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            if (parts[i].length() != 2) {
                throw new IllegalArgumentException("invalid MAC address \"" + text + "\": expected six hex pairs separated by ':'");
            }
            int hi = Character.digit(parts[i].charAt(0), 16);
            int lo = Character.digit(parts[i].charAt(1), 16);
            if (hi < 0 || lo < 0) { // Integer.parseInt would take "+f" and "-1"
                throw new IllegalArgumentException("invalid MAC address \"" + text + "\": \"" + parts[i] + "\" is not hex");
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return new MacAddress(b);
    }

    /** A random unicast, locally administered address (as the kernel picks for veths). */
    public static MacAddress randomLocal() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        b[0] = (byte) ((b[0] & 0xfe) | 0x02);
        return new MacAddress(b);
    }

    public boolean isMulticast() {
        return (bytes[0] & 0x01) != 0;
    }

    public boolean isZero() {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MacAddress m && Arrays.equals(bytes, m.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes);
    }
}
