package io.podnet.engine;

/**
 * What the engine reports about its own work, for metrics and benchmarks; the engine knows
 * nothing of Micrometer. Called on the engine's thread: implementations must be quick.
 */
public interface EngineObserver {
    EngineObserver NONE = new EngineObserver() {
    };

    /** One step of a setup or teardown took {@code nanos}. */
    default void step(Operation operation, PodMode mode, String step, long nanos) {
    }

    /** A whole setup or teardown took {@code nanos}; {@code outcome} is "ok", "rejected" or "failed". */
    default void finished(Operation operation, PodMode mode, String outcome, long nanos) {
    }

    /** Something found missing or wrong in the kernel was restored; {@code kind} says what. */
    default void repaired(String kind) {
    }

    /** Everything of the pod is gone (a teardown, an orphan collected, a failed first setup rolled back). */
    default void removed(String podId) {
    }

    enum Operation {
        SETUP,
        TEARDOWN;

        public String lower() {
            return name().toLowerCase();
        }
    }
}
