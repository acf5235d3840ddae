package io.podnet.operator;

import java.util.Objects;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkStatus;
import io.podnet.engine.PodNetworkEngine;
import io.podnet.engine.PodResult;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.metrics.PodnetMeters;
import io.podnet.metrics.TrafficMeters;
import io.quarkiverse.operatorsdk.runtime.api.ConfigurableReconciler;

/**
 * Reconciles the PodNetworks of this agent's node into kernel networking through the engine, and
 * writes what was built (or why not) into the status. The finalizer keeps a PodNetwork until its
 * networking is gone.
 */
@ControllerConfiguration(name = PodNetworkReconciler.NAME, finalizerName = PodNetworkReconciler.FINALIZER,
        generationAwareEventProcessing = false) // ReloadAwareUpdates decides which updates count
public class PodNetworkReconciler implements ConfigurableReconciler<PodNetwork>, Cleaner<PodNetwork> {
    public static final String NAME = "podnetwork";
    public static final String FINALIZER = "podnet.io/finalizer";
    private static final Logger LOG = Logger.getLogger(PodNetworkReconciler.class);
    /** Log lines of a reconcile start with "namespace/name: " (see quarkus.log.console.format). */
    static final String LOG_KEY = "podnetwork";

    @Inject
    PodNetworkEngine engine;

    @Inject
    PodnetConfig config;

    @Inject
    EventRecorder events;

    @Inject
    PodnetMeters meters;

    @Inject
    TrafficMeters traffic;

    @Inject
    InFlightReconciles watchdog;

    @Override
    public void updateConfigurationFrom(ControllerConfigurationOverrider<PodNetwork> overrider) {
        // the field selector on spec.nodeName does the scoping where the API server enforces it;
        // this filter makes sure a resource of another node is never touched, not even its finalizer
        String node = config.nodeName();
        NodeFieldSelector.apply(overrider, node);
        overrider.withGenericFilter(pn -> {
            noteUnaddressable(pn);
            return isForNode(pn, node);
        });
        overrider.withOnUpdateFilter(ReloadAwareUpdates.filter());
        overrider.withReconciliationMaxInterval(config.resyncInterval());
    }

    /** A spec that does not fit the model and whose node cannot be read has no status to go to: a log line and a counter. */
    private void noteUnaddressable(PodNetwork pn) {
        if (pn.getSpec() != null && pn.getSpec().getMappingProblem() != null && pn.getSpec().getNodeName() == null) {
            LOG.warnf("%s: ignored, its spec does not fit the PodNetwork model and names no node: %s", key(pn),
                    pn.getSpec().getMappingProblem());
            meters.unaddressable();
        }
    }

    static boolean isForNode(PodNetwork pn, String node) {
        return pn.getSpec() != null && node.equals(pn.getSpec().getNodeName());
    }

    @Override
    public UpdateControl<PodNetwork> reconcile(PodNetwork pn, Context<PodNetwork> context) {
        if (!isForNode(pn, config.nodeName())) {
            return UpdateControl.noUpdate();
        }
        String key = key(pn);
        MDC.put(LOG_KEY, key + ": ");
        watchdog.started(key);
        try {
            PodNetworkStatus next;
            Stage refused = null;
            try {
                PodResult result = engine.setup(PodRequestMapper.toRequest(pn));
                next = PodNetworkStatuses.ready(pn, result);
                next.setObservedReload(observedReload(pn));
                traffic.track(pn.getMetadata().getUid(), pn.getMetadata().getNamespace(), pn.getMetadata().getName(), interfacesOf(result));
            } catch (RejectedRequestException e) {
                refused = e.stage();
                next = PodNetworkStatuses.problem(pn, e.stage(), e.reason(), e.getMessage(), true);
            }
            meters.phase(pn.getMetadata().getUid(), next.getPhase());
            return patchIfChanged(pn, next, refused);
        } finally {
            watchdog.finished(key);
            MDC.remove(LOG_KEY);
        }
    }

    /** A failed kernel step: the status says why, and JOSDK retries with back-off. */
    @Override
    public ErrorStatusUpdateControl<PodNetwork> updateErrorStatus(PodNetwork pn, Context<PodNetwork> context, Exception e) {
        SetupFailedException failed = setupFailure(e);
        Stage stage = failed != null ? failed.stage() : Stage.NETWORKS;
        String reason = failed != null ? failed.reason() : "InternalError";
        String message = String.valueOf((failed != null ? failed : e).getMessage());
        LOG.errorf(e, "%s: setting up failed", key(pn));
        PodNetworkStatus next = PodNetworkStatuses.problem(pn, stage, reason, message, false);
        meters.phase(pn.getMetadata().getUid(), next.getPhase());
        if (sameStatus(pn.getStatus(), next)) {
            return ErrorStatusUpdateControl.defaultErrorProcessing();
        }
        announce(pn, next, stage);
        pn.setStatus(next);
        return ErrorStatusUpdateControl.patchStatus(pn);
    }

    /** The engine's failure, which JOSDK hands over wrapped in its OperatorException. */
    private static SetupFailedException setupFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SetupFailedException f) {
                return f;
            }
        }
        return null;
    }

    @Override
    public DeleteControl cleanup(PodNetwork pn, Context<PodNetwork> context) {
        if (!isForNode(pn, config.nodeName())) {
            return DeleteControl.noFinalizerRemoval();
        }
        String uid = pn.getMetadata().getUid();
        String key = key(pn);
        MDC.put(LOG_KEY, key + ": ");
        watchdog.started(key);
        try {
            meters.phase(uid, PodnetMeters.TERMINATING);
            engine.teardown(uid); // the meters forget the pod when the engine reports it removed
            events.normal(pn, "TornDown", "pod network removed from node " + config.nodeName());
            return DeleteControl.defaultDelete();
        } finally {
            watchdog.finished(key);
            MDC.remove(LOG_KEY);
        }
    }

    /** The reload value now handled: a new annotation value counts once, with an event. */
    private String observedReload(PodNetwork pn) {
        String wanted = ReloadAwareUpdates.reloadOf(pn);
        String done = pn.getStatus() == null ? null : pn.getStatus().getObservedReload();
        if (wanted != null && !wanted.equals(done)) {
            events.normal(pn, "Reloaded", "networks re-applied for " + ReloadAwareUpdates.RELOAD + "=" + wanted
                    + "; interface names, MACs and addresses kept");
        }
        return wanted;
    }

    private static String key(PodNetwork pn) {
        return pn.getMetadata().getNamespace() + "/" + pn.getMetadata().getName();
    }

    private static java.util.Set<String> interfacesOf(PodResult result) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        result.networks().values().forEach(n -> names.addAll(n.interfaces().keySet()));
        return names;
    }

    private UpdateControl<PodNetwork> patchIfChanged(PodNetwork pn, PodNetworkStatus next, Stage refused) {
        if (sameStatus(pn.getStatus(), next)) {
            return UpdateControl.noUpdate();
        }
        announce(pn, next, refused);
        pn.setStatus(next);
        return UpdateControl.patchStatus(pn);
    }

    /**
     * An event whenever Ready changes status, reason or message; a change to False is also one
     * failure of {@code stage}, whether refused or failed in the kernel (its retries count once).
     */
    private void announce(PodNetwork pn, PodNetworkStatus next, Stage stage) {
        Condition before = readyOf(pn.getStatus());
        Condition after = readyOf(next);
        if (after == null || (before != null && Objects.equals(before.getStatus(), after.getStatus())
                && Objects.equals(before.getReason(), after.getReason())
                && Objects.equals(before.getMessage(), after.getMessage()))) {
            return;
        }
        if (Conditions.TRUE.equals(after.getStatus())) {
            events.normal(pn, after.getReason(), after.getMessage());
        } else {
            events.warning(pn, after.getReason(), after.getMessage());
            meters.failure(stage == null ? "unknown" : stage.name().toLowerCase(), after.getReason());
        }
    }

    private static Condition readyOf(PodNetworkStatus status) {
        if (status == null) {
            return null;
        }
        return status.getConditions().stream().filter(c -> ConditionType.Ready.name().equals(c.getType())).findFirst().orElse(null);
    }

    static boolean sameStatus(PodNetworkStatus a, PodNetworkStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Serialization.jsonMapper().valueToTree(a).equals(Serialization.jsonMapper().valueToTree(b));
    }
}
