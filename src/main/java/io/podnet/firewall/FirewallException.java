package io.podnet.firewall;

/** The firewall could not be brought to the wanted state; the message says which step and why. */
public class FirewallException extends RuntimeException {
    public FirewallException(String message) {
        super(message);
    }

    public FirewallException(String message, Throwable cause) {
        super(message, cause);
    }
}
