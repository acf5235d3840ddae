package io.podnet.engine;

/**
 * The request cannot be built as asked (unknown network, address outside its subnet, ...).
 * Thrown before any kernel change: nothing was applied. Retrying the same request fails again.
 */
public class RejectedRequestException extends PodNetworkException {
    /** @param reason a CamelCase word for the status condition, e.g. UnknownNetwork */
    public RejectedRequestException(Stage stage, String reason, String message) {
        super(stage, reason, message, null);
    }
}
