package io.podnet.netconf;

/** A network definition file that cannot be used; the message names the file and the problem. */
public class NetworkDefinitionException extends RuntimeException {
    public NetworkDefinitionException(String message) {
        super(message);
    }

    public NetworkDefinitionException(String message, Throwable cause) {
        super(message, cause);
    }
}
