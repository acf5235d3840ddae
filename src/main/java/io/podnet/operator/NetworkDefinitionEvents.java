package io.podnet.operator;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.podnet.engine.PodNetworkEngine;

/**
 * Events on the Node for its network definition files: one Warning per bad file and one Normal
 * per change that waits for its network's pods, each when first seen (at start, or when the engine
 * reads the networks dir again), and a Normal once all are in effect again. An admin who broke a
 * file sees it in {@code kubectl get events}, without a PodNetwork having to ask for that network.
 */
@ApplicationScoped
public class NetworkDefinitionEvents {
    public static final String UNUSABLE = "NetworkDefinitionUnusable";
    public static final String WAITING = "NetworkDefinitionChangeWaiting";
    public static final String IN_EFFECT = "NetworkDefinitionsInEffect";

    @Inject
    PodNetworkEngine engine;

    @Inject
    EventRecorder events;

    /** The bad files' problems and the waiting changes last announced. */
    private List<String> problemsSent = List.of();
    private List<String> pendingSent = List.of();

    /** Announces what changed since the last call. */
    public synchronized void announce() {
        List<String> problems = engine.networkDefinitionProblems();
        List<String> pending = engine.pendingNetworkDefinitions();
        problems.stream().filter(p -> !problemsSent.contains(p))
                .forEach(p -> events.onNode("Warning", UNUSABLE, p + "; its network is unavailable, every other network works"));
        pending.stream().filter(p -> !pendingSent.contains(p)).forEach(p -> events.onNode("Normal", WAITING, p));
        boolean wasClear = problemsSent.isEmpty() && pendingSent.isEmpty();
        if (problems.isEmpty() && pending.isEmpty() && !wasClear) {
            events.onNode("Normal", IN_EFFECT, "every network definition file is in effect");
        }
        problemsSent = problems;
        pendingSent = pending;
    }
}
