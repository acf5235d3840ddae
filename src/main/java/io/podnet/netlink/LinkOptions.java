package io.podnet.netlink;

import io.podnet.inet.MacAddress;

/**
 * What to set on a link when it is created. Null fields are left to the kernel (MTU 1500, a
 * random MAC, no master).
 *
 * @param mtu    the MTU, or null
 * @param mac    the MAC address, or null for a random one
 * @param master the ifindex of the bridge to enslave the link to, or null
 * @param up     bring the link up in the same request
 */
public record LinkOptions(Integer mtu, MacAddress mac, Integer master, boolean up) {
    private static final LinkOptions DEFAULTS = new LinkOptions(null, null, null, false);

    public LinkOptions {
        if (mtu != null && (mtu < 68 || mtu > 65535)) {
            // 68 is the IPv4 minimum; the kernel refuses smaller MTUs for the links podnet makes
            throw new IllegalArgumentException("MTU " + mtu + " is out of range 68-65535");
        }
        if (mac != null && mac.isMulticast()) {
            throw new IllegalArgumentException("MAC address " + mac + " is a multicast address");
        }
        if (master != null && master <= 0) {
            throw new IllegalArgumentException("invalid master ifindex " + master);
        }
    }

    /** No MTU, no MAC, no master, down. */
    public static LinkOptions defaults() {
        return DEFAULTS;
    }

    public LinkOptions withMtu(Integer mtu) {
        return new LinkOptions(mtu, mac, master, up);
    }

    public LinkOptions withMac(MacAddress mac) {
        return new LinkOptions(mtu, mac, master, up);
    }

    public LinkOptions withMaster(Integer master) {
        return new LinkOptions(mtu, mac, master, up);
    }

    public LinkOptions withUp(boolean up) {
        return new LinkOptions(mtu, mac, master, up);
    }
}
