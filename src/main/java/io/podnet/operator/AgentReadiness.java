package io.podnet.operator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import io.javaoperatorsdk.operator.Operator;
import io.podnet.engine.PodNetworkEngine;

/**
 * Readiness: the informer has synced and its watch is up (JOSDK's own check, which QOSDK
 * reports too, only looks at "synced", so a lost API server would go unnoticed), netlink
 * answers in the host namespace, and the state directory takes writes. Bad network definition
 * files, and changes that wait until no pod uses their network, are listed under
 * "networkDefinitions" but do not make the agent unready: only their networks are unavailable,
 * every other one works.
 */
@Readiness
@ApplicationScoped
public class AgentReadiness implements HealthCheck {
    @Inject
    PodNetworkEngine engine;

    @Inject
    PodnetConfig config;

    @Inject
    Operator operator;

    @Override
    public HealthCheckResponse call() {
        String informer = informerProblem();
        boolean netlink = engine.netlinkAnswers();
        boolean writable = stateDirWritable(config.stateDir());
        return HealthCheckResponse.named("podnet agent").status(informer == null && netlink && writable)
                .withData("informer", informer == null ? "ok" : informer)
                .withData("netlink", netlink ? "ok" : "no answer from the host namespace")
                .withData("stateDir", writable ? "ok" : config.stateDir() + " is not writable")
                .withData("networkDefinitions", definitions(engine.networkDefinitionProblems(), engine.pendingNetworkDefinitions()))
                .build();
    }

    /** "ok", or how many files are unusable and each one's "file: problem", and the changes that wait for a network's pods to go. */
    static String definitions(java.util.List<String> problems, java.util.List<String> pending) {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (!problems.isEmpty()) {
            parts.add(problems.size() + " unusable, their networks unavailable: " + String.join("; ", problems));
        }
        if (!pending.isEmpty()) {
            parts.add(pending.size() + " change(s) waiting: " + String.join("; ", pending));
        }
        return parts.isEmpty() ? "ok" : String.join("; ", parts);
    }

    /** Null when every informer has synced and is watching, else what is wrong. */
    private String informerProblem() {
        if (!operator.getRuntimeInfo().isStarted()) {
            return "operator not started";
        }
        for (Informers.Source source : Informers.of(operator)) {
            if (source.informers().stream().anyMatch(i -> !i.hasSynced())) {
                return source.name() + " has not synced";
            }
            if (source.informers().stream().anyMatch(i -> !i.isWatching())) {
                return source.name() + " is not watching (API server unreachable?)";
            }
        }
        return null;
    }

    static boolean stateDirWritable(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".ready-", ".probe");
            Files.delete(probe);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
