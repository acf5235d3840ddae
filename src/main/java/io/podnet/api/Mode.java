package io.podnet.api;

/** Rootful: host bridge, veth and nftables. Rootless: the shared rootless netns behind a user-mode helper. */
public enum Mode {
    Rootful,
    Rootless;

    /** Exactly as written, as the CRD's enum says: "Rootful " or "rootful" is refused, not read as Rootful. */
    @com.fasterxml.jackson.annotation.JsonCreator
    public static Mode of(String text) {
        for (Mode m : values()) {
            if (m.name().equals(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("mode \"" + text + "\" is not Rootful or Rootless");
    }
}
