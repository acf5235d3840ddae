package io.podnet.inet;

/**
 * Where an ipvlan interface switches its packets (the netavark and iproute2 names): {@code l2}
 * like a switch, {@code l3} like a router (no broadcast or ARP), {@code l3s} as l3 with the
 * host's netfilter seeing the traffic.
 */
public enum IpvlanMode {
    L2,
    L3,
    L3S;

    /** The mode netavark and {@code ip link} take when none is given. */
    public static final IpvlanMode DEFAULT = L2;

    public String text() {
        return LowerCaseNames.of(this);
    }

    /** l2, l3 or l3s; IllegalArgumentException names the bad value and the choices. */
    public static IpvlanMode parse(String text) {
        return LowerCaseNames.parse(values(), text, "ipvlan mode");
    }
}
