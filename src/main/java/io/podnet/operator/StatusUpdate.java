package io.podnet.operator;

import java.util.Objects;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.podnet.api.PodNetworkStatus;
import io.podnet.engine.Stage;

/**
 * A status the {@link StatusAggregator} decided, next to the one the PodNetwork had: enough for
 * the reconciler to know whether to patch and what to announce, without reading conditions itself.
 *
 * @param previous the status before this reconcile, null for a new PodNetwork
 * @param failedStage the stage that was refused or failed; null when the pod was built
 */
record StatusUpdate(PodNetworkStatus previous, PodNetworkStatus next, Stage failedStage) {

    /** False when the status is the same as before, so that it is not patched again. */
    boolean changed() {
        return !same(previous, next);
    }

    /** The new Ready condition when its status, reason or message changed (each change is one event); else null. */
    Condition readyTransition() {
        Condition before = ready(previous);
        Condition after = ready(next);
        if (after == null || (before != null && Objects.equals(before.getStatus(), after.getStatus())
                && Objects.equals(before.getReason(), after.getReason())
                && Objects.equals(before.getMessage(), after.getMessage()))) {
            return null;
        }
        return after;
    }

    /** Whether a condition is True (the reconciler announces those as Normal events). */
    static boolean isTrue(Condition condition) {
        return Conditions.TRUE.equals(condition.getStatus());
    }

    /** The reload annotation value this update handles for the first time; null when there is none. */
    String newlyObservedReload() {
        String done = previous == null ? null : previous.getObservedReload();
        String now = next.getObservedReload();
        return now != null && !now.equals(done) ? now : null;
    }

    private static Condition ready(PodNetworkStatus status) {
        if (status == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> ConditionType.Ready.name().equals(c.getType())).findFirst().orElse(null);
    }

    /** Equal as the API would store them: compared as JSON, so list and map implementations do not matter. */
    static boolean same(PodNetworkStatus a, PodNetworkStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Serialization.jsonMapper().valueToTree(a).equals(Serialization.jsonMapper().valueToTree(b));
    }
}
