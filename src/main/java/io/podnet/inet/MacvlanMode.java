package io.podnet.inet;

import java.util.Arrays;
import java.util.Locale;

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
        return name().toLowerCase(Locale.ROOT);
    }

    /** bridge, private, vepa or passthru; IllegalArgumentException names the bad value and the choices. */
    public static MacvlanMode parse(String text) {
        return Arrays.stream(values()).filter(m -> m.text().equals(text)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                "macvlan mode \"" + text + "\" is not one of " + Arrays.stream(values()).map(MacvlanMode::text).toList()));
    }
}
