package io.podnet.engine;

/**
 * A kernel step failed. What this attempt created has been rolled back; a pod that was already
 * built keeps what it had. Retrying may succeed.
 */
public class SetupFailedException extends RuntimeException {
    private final Stage stage;
    private final String reason;

    public SetupFailedException(Stage stage, String reason, String message, Throwable cause) {
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
