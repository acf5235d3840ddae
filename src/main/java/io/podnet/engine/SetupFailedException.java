package io.podnet.engine;

/**
 * A kernel step failed. What this attempt created has been rolled back; a pod that was already
 * built keeps what it had. Retrying may succeed.
 */
public class SetupFailedException extends PodNetworkException {
    public SetupFailedException(Stage stage, String reason, String message, Throwable cause) {
        super(stage, reason, message, cause);
    }
}
