package io.podnet.operator;

import jakarta.inject.Inject;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.fabric8.kubernetes.api.model.Condition;
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

    @Inject
    NamespaceLabels namespaces;

    /** The operator owns the phases; the metrics keep a gauge for each. */
    @jakarta.annotation.PostConstruct
    void declarePhases() {
        meters.declarePhases(PodNetworkStatus.PHASES);
    }

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
            StatusUpdate update;
            try {
                PodResult result = engine.setup(PodRequestMapper.toRequest(pn, namespaces.tenantOf(pn.getMetadata().getNamespace())));
                update = StatusAggregator.built(pn, result);
                noteReload(pn, update);
                traffic.track(pn.getMetadata().getUid(), pn.getMetadata().getNamespace(), pn.getMetadata().getName(), interfacesOf(result));
            } catch (RejectedRequestException e) {
                update = StatusAggregator.refused(pn, e);
            }
            return publish(pn, update) ? UpdateControl.patchStatus(pn) : UpdateControl.noUpdate();
        } finally {
            watchdog.finished(key);
            MDC.remove(LOG_KEY);
        }
    }

    /** A failed kernel step: the status says why, and JOSDK retries with back-off. */
    @Override
    public ErrorStatusUpdateControl<PodNetwork> updateErrorStatus(PodNetwork pn, Context<PodNetwork> context, Exception e) {
        LOG.errorf(e, "%s: setting up failed", key(pn));
        return publish(pn, StatusAggregator.failed(pn, e)) ? ErrorStatusUpdateControl.patchStatus(pn)
                : ErrorStatusUpdateControl.defaultErrorProcessing();
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
            meters.phase(uid, PodNetworkStatus.TERMINATING);
            engine.teardown(uid); // the meters forget the pod when the engine reports it removed
            events.normal(pn, "TornDown", "pod network removed from node " + config.nodeName());
            return DeleteControl.defaultDelete();
        } finally {
            watchdog.finished(key);
            MDC.remove(LOG_KEY);
        }
    }

    /** A new value of the reload annotation counts once, with an event. */
    private void noteReload(PodNetwork pn, StatusUpdate update) {
        String reload = update.newlyObservedReload();
        if (reload != null) {
            events.normal(pn, "Reloaded", "networks re-applied for " + ReloadAwareUpdates.RELOAD + "=" + reload
                    + "; interface names, MACs and addresses kept");
        }
    }

    private static String key(PodNetwork pn) {
        return pn.getMetadata().getNamespace() + "/" + pn.getMetadata().getName();
    }

    private static java.util.Set<String> interfacesOf(PodResult result) {
        java.util.Set<String> names = new java.util.TreeSet<>();
        result.networks().values().forEach(n -> names.addAll(n.interfaces().keySet()));
        return names;
    }

    /** Counts the phase and, when the status changed, announces it and sets it on {@code pn}; false when there is nothing to patch. */
    private boolean publish(PodNetwork pn, StatusUpdate update) {
        meters.phase(pn.getMetadata().getUid(), update.next().getPhase());
        if (!update.changed()) {
            return false;
        }
        announce(pn, update);
        pn.setStatus(update.next());
        return true;
    }

    /**
     * An event whenever Ready changes status, reason or message; a change to False is also one
     * failure of its stage, whether refused or failed in the kernel (its retries count once).
     */
    private void announce(PodNetwork pn, StatusUpdate update) {
        Condition ready = update.readyTransition();
        if (ready == null) {
            return;
        }
        if (StatusUpdate.isTrue(ready)) {
            events.normal(pn, ready.getReason(), ready.getMessage());
        } else {
            Stage stage = update.failedStage();
            events.warning(pn, ready.getReason(), ready.getMessage());
            meters.failure(stage == null ? "unknown" : stage.name().toLowerCase(), ready.getReason());
        }
    }
}
