package io.podnet.inet;

/**
 * How a macvlan interface shares its parent with its siblings (the netavark and iproute2 names):
 * {@code bridge} lets siblings talk to each other directly, {@code private} forbids it,
 * {@code vepa} sends everything out to the switch, {@code passthru} gives the parent to a single
 * interface.
 */
public enum MacvlanMode {
    BRIDGE,
    PRIVATE,
    VEPA,
    PASSTHRU;

    /** The mode netavark and the kernel's {@code ip link} take when none is given. */
    public static final MacvlanMode DEFAULT = BRIDGE;

    public String text() {
        return LowerCaseNames.of(this);
    }

    /** bridge, private, vepa or passthru; IllegalArgumentException names the bad value and the choices. */
    public static MacvlanMode parse(String text) {
        return LowerCaseNames.parse(values(), text, "macvlan mode");
    }
}
