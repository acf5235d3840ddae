package io.podnet.operator;

import java.util.Objects;

import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.podnet.api.PodNetwork;

/**
 * Which updates of a PodNetwork trigger a reconcile: a spec change (generation), a new value of
 * the {@value #RELOAD} annotation, a deletion, or a finalizer change. Status-only updates (our
 * own patches) do not: the periodic resync re-checks the kernel anyway.
 */
final class ReloadAwareUpdates {
    /** Setting a new value re-applies networks and ports, keeping names, MACs and addresses. */
    static final String RELOAD = "podnet.io/reload";

    private ReloadAwareUpdates() {
    }

    static OnUpdateFilter<PodNetwork> filter() {
        return (next, old) -> !Objects.equals(next.getMetadata().getGeneration(), old.getMetadata().getGeneration())
                || !Objects.equals(reloadOf(next), reloadOf(old))
                || (next.isMarkedForDeletion() && !old.isMarkedForDeletion())
                || !Objects.equals(next.getMetadata().getFinalizers(), old.getMetadata().getFinalizers());
    }

    static String reloadOf(PodNetwork pn) {
        return pn.getMetadata().getAnnotations() == null ? null : pn.getMetadata().getAnnotations().get(RELOAD);
    }
}
