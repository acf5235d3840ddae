package io.podnet.engine;

import io.podnet.sys.ReasonedException;

/** A pod's networking could not be (fully) built: which stage, and a CamelCase reason for the condition. */
public abstract class PodNetworkException extends ReasonedException {
    private final Stage stage;

    protected PodNetworkException(Stage stage, String reason, String message, Throwable cause) {
        super(reason, message, cause);
        this.stage = stage;
    }

    public Stage stage() {
        return stage;
    }

    /** Declared here too, so that the operator reads it from the engine's API and never from sys. */
    @Override
    public String reason() {
        return super.reason();
    }
}
