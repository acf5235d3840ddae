package io.podnet.ipam;

/** An address cannot be given; nothing was changed. */
public class IpamException extends RuntimeException {
    public enum Reason {
        /** A static address is in none of the network's subnets. */
        OutsideSubnet,
        /** A static address is the network, gateway or broadcast address. */
        Reserved,
        /** A static address is held by another owner. */
        Taken,
        /** No free address is left in a subnet. */
        Exhausted,
        /** The state could not be written. */
        Corrupt
    }

    private final Reason reason;

    public IpamException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public IpamException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
