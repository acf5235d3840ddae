package io.podnet.engine;

/** A pod's networking could not be (fully) built: which stage, and a CamelCase reason for the condition. */
public abstract class PodNetworkException extends RuntimeException {
    private final Stage stage;
    private final String reason;

    protected PodNetworkException(Stage stage, String reason, String message, Throwable cause) {
        super(message, cause);
        this.stage = stage;
        this.reason = reason;
    }

    public Stage stage() {
        return stage;
    }

    public String reason() {
        return reason;
    }
}
