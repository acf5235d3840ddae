package io.podnet.operator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/**
 * Kubernetes-style conditions: setting one keeps its lastTransitionTime unless its status
 * changes, so an unchanged status compares equal and is not patched again.
 */
final class Conditions {
    static final String TRUE = "True";
    static final String FALSE = "False";
    static final String UNKNOWN = "Unknown";

    private final List<Condition> conditions;
    private final long generation;

    Conditions(List<Condition> previous, long generation) {
        this.conditions = new ArrayList<>();
        for (Condition c : previous == null ? List.<Condition>of() : previous) {
            conditions.add(new ConditionBuilder(c).build());
        }
        this.generation = generation;
    }

    void set(ConditionType type, String status, String reason, String message) {
        Condition existing = find(type);
        String lastTransition = existing != null && Objects.equals(existing.getStatus(), status)
                ? existing.getLastTransitionTime()
                : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Condition updated = new ConditionBuilder()
                .withType(type.name())
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(lastTransition)
                .build();
        if (existing == null) {
            conditions.add(updated);
        } else {
            conditions.set(conditions.indexOf(existing), updated);
        }
    }

    Condition find(ConditionType type) {
        for (Condition c : conditions) {
            if (type.name().equals(c.getType())) {
                return c;
            }
        }
        return null;
    }

    /** In a fixed order: Ready first, then the stages. */
    List<Condition> list() {
        List<Condition> ordered = new ArrayList<>();
        for (ConditionType t : ConditionType.values()) {
            Condition c = find(t);
            if (c != null) {
                ordered.add(c);
            }
        }
        return ordered;
    }
}
