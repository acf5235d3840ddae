package io.podnet.netconf;

/**
 * A bridge network's {@code isolate} option, as netavark reads it: {@code true} keeps its pods
 * from other isolated networks, {@code strict} from every other podnet network, isolated or not.
 * Traffic to the outside is not affected.
 */
public enum Isolation {
    /** {@code isolate} absent or {@code false}. */
    NONE,
    /** {@code isolate: true}. */
    ISOLATED,
    /** {@code isolate: strict}. */
    STRICT;

    public boolean isolated() {
        return this != NONE;
    }
}
