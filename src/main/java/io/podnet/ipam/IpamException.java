package io.podnet.ipam;

/** An address could not be allocated or reserved; {@link #reason()} says why in a form a caller can branch on. */
public class IpamException extends RuntimeException {
    public enum Reason {
        /** A requested static IP lies in none of the network's subnets. */
        OutsideSubnet,
        /** A requested static IP is the network, gateway or (IPv4) broadcast address of its subnet. */
        Reserved,
        /** A requested address is held by another owner; the message names that owner. */
        Taken,
        /** A subnet (or its lease range) has no free address left. */
        Exhausted,
        /** A state file cannot be used and could not be set aside, or was written by a newer podnet. */
        Corrupt
    }

    private final Reason reason;

    public IpamException(Reason reason, String message) {
        this(reason, message, null);
    }

    public IpamException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
