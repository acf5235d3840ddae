package io.podnet.engine.core;

import io.podnet.engine.EngineObserver;
import io.podnet.engine.PodMode;

/** Times the consecutive steps of one engine operation and reports each to the observer. */
final class StepClock {
    private final EngineObserver observer;
    private final EngineObserver.Operation operation;
    private final PodMode mode;
    private final long start;
    private long last;

    StepClock(EngineObserver observer, EngineObserver.Operation operation, PodMode mode) {
        this.observer = observer;
        this.operation = operation;
        this.mode = mode;
        this.start = System.nanoTime();
        this.last = start;
    }

    /** The step that ends now. */
    void lap(String step) {
        long now = System.nanoTime();
        observer.step(operation, mode, step, now - last);
        last = now;
    }

    void finish(String outcome) {
        observer.finished(operation, mode, outcome, System.nanoTime() - start);
    }
}
