package io.podnet.operator;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

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

    /** What was last announced; null before the first call. */
    private Set<String> announced;

    /** Announces what changed since the last call. */
    public synchronized void announce() {
        List<String> problems = engine.networkDefinitionProblems();
        List<String> pending = engine.pendingNetworkDefinitions();
        Set<String> now = new LinkedHashSet<>();
        problems.forEach(p -> now.add(UNUSABLE + " " + p));
        pending.forEach(p -> now.add(WAITING + " " + p));
        Set<String> before = announced == null ? Set.of() : announced;
        for (String p : problems) {
            if (!before.contains(UNUSABLE + " " + p)) {
                events.onNode("Warning", UNUSABLE, p + "; its network is unavailable, every other network works");
            }
        }
        for (String p : pending) {
            if (!before.contains(WAITING + " " + p)) {
                events.onNode("Normal", WAITING, p);
            }
        }
        if (now.isEmpty() && !before.isEmpty()) {
            events.onNode("Normal", IN_EFFECT, "every network definition file is in effect");
        }
        announced = now;
    }
}
