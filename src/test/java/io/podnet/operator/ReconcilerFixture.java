package io.podnet.operator;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.podnet.api.PodNetwork;
import io.podnet.metrics.PodnetMeters;
import io.podnet.metrics.TrafficMeters;
import io.podnet.testing.FakeEngine;

/**
 * A {@link PodNetworkReconciler} as Quarkus would wire it, but to fakes: the {@link FakeEngine},
 * and events and meters that are recorded instead of sent. No Quarkus, no API server, no root.
 */
final class ReconcilerFixture {
    final FakeEngine engine = new FakeEngine();
    /** "Type Reason: message", in the order the reconciler sent them. */
    final List<String> events = new CopyOnWriteArrayList<>();
    /** "stage reason" of each failure counted. */
    final List<String> failures = new CopyOnWriteArrayList<>();
    /** PodNetwork uid -> the phase the gauges count it in. */
    final Map<String, String> phases = new ConcurrentHashMap<>();
    /** PodNetwork uid -> the interfaces whose traffic is metered. */
    final Map<String, Set<String>> metered = new ConcurrentHashMap<>();
    final InFlightReconciles inFlight = new InFlightReconciles();
    final PodNetworkReconciler reconciler = new PodNetworkReconciler();

    ReconcilerFixture(String node) {
        reconciler.engine = engine;
        reconciler.config = config(node);
        reconciler.watchdog = inFlight;
        reconciler.namespaces = new NamespaceLabels();
        reconciler.namespaces.policy = io.podnet.policy.NodePolicy.defaults(); // selects by no label: reads no namespace
        reconciler.events = new EventRecorder() {
            @Override
            public void normal(PodNetwork pn, String reason, String message) {
                events.add("Normal " + reason + ": " + message);
            }

            @Override
            public void warning(PodNetwork pn, String reason, String message) {
                events.add("Warning " + reason + ": " + message);
            }
        };
        reconciler.meters = new PodnetMeters() {
            @Override
            public void phase(String uid, String phase) {
                phases.put(uid, phase);
            }

            @Override
            public void failure(String stage, String reason) {
                failures.add(stage + " " + reason);
            }

            @Override
            public void unaddressable() {
                failures.add("unaddressable");
            }
        };
        reconciler.traffic = new TrafficMeters() {
            @Override
            public synchronized void track(String uid, String namespace, String name, Set<String> interfaces) {
                metered.put(uid, interfaces);
            }
        };
    }

    /** The node config: only the node name is read by the reconciler's reconcile and cleanup. */
    private static PodnetConfig config(String node) {
        return FakeConfig.of(PodnetConfig.class, Map.of("nodeName", node));
    }

    /** The reconciler does not use JOSDK's context: one that refuses every call says so, and fails if that changes. */
    @SuppressWarnings("unchecked")
    static Context<PodNetwork> unusedContext() {
        return (Context<PodNetwork>) Proxy.newProxyInstance(Context.class.getClassLoader(), new Class<?>[] {Context.class},
                (proxy, method, args) -> {
                    throw new UnsupportedOperationException("Context." + method.getName() + " is not faked");
                });
    }
}
