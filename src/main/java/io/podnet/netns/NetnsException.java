package io.podnet.netns;

/** A namespace could not be created, opened, entered or removed. */
public class NetnsException extends RuntimeException {
    public NetnsException(String message) {
        super(message);
    }

    public NetnsException(String message, Throwable cause) {
        super(message, cause);
    }
}
