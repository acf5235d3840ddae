package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkSpec;
import io.podnet.engine.InterfaceCounters;
import io.podnet.engine.PodNetworkEngine;
import io.podnet.engine.PodRequest;
import io.podnet.engine.PodResult;
import io.podnet.engine.RootlessStatus;

/**
 * The reconciler's own node filter, where it decides: a PodNetwork of another node (one that an
 * API server without field-selector support would still deliver) is neither built, nor given a
 * status, nor finalized, nor torn down. The field selector in front of it is tested against the
 * real API server (TwoNodesIT, CrdOnApiServerTest).
 */
class NodeScopingTest {
    private final List<String> engineCalls = new ArrayList<>();

    private PodNetworkReconciler reconciler(String node) {
        PodNetworkReconciler r = new PodNetworkReconciler();
        r.config = (PodnetConfig) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {PodnetConfig.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("nodeName")) {
                        return node;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        r.engine = new PodNetworkEngine() {
            @Override
            public PodResult setup(PodRequest request) {
                engineCalls.add("setup " + request.id());
                throw new AssertionError("setup of another node's PodNetwork");
            }

            @Override
            public void teardown(String podId) {
                engineCalls.add("teardown " + podId);
            }

            @Override
            public void repairNode() {
            }

            @Override
            public Set<String> knownPods() {
                return Set.of();
            }

            @Override
            public Map<String, Map<String, InterfaceCounters>> interfaceCounters() {
                return Map.of();
            }

            @Override
            public RootlessStatus rootlessStatus() {
                return null;
            }
        };
        return r;
    }

    private static PodNetwork on(String node) {
        PodNetwork pn = new PodNetwork();
        pn.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("default").withUid("0b7d0e56-8a3e-4c3b-9a53-3f1f5c8d2a10")
                .withGeneration(1L).build());
        PodNetworkSpec spec = new PodNetworkSpec();
        spec.setNodeName(node);
        pn.setSpec(spec);
        return pn;
    }

    @Test
    void aPodNetworkOfAnotherNodeIsNeitherBuiltNorGivenAStatus() {
        var control = reconciler("node-1").reconcile(on("node-2"), null);
        assertThat(control.isNoUpdate()).isTrue();
        assertThat(control.isPatchStatus()).isFalse();
        assertThat(control.isPatchResource()).isFalse();
        assertThat(engineCalls).isEmpty();
    }

    @Test
    void aPodNetworkOfAnotherNodeKeepsItsFinalizerAndItsNetworking() {
        var control = reconciler("node-1").cleanup(on("node-2"), null);
        assertThat(control.isRemoveFinalizer()).as("the other node's agent removes it").isFalse();
        assertThat(engineCalls).as("nothing torn down here").isEmpty();
    }

    @Test
    void theFilterTakesOnlyThisNodesPodNetworks() {
        assertThat(PodNetworkReconciler.isForNode(on("node-1"), "node-1")).isTrue();
        assertThat(PodNetworkReconciler.isForNode(on("node-2"), "node-1")).isFalse();
        assertThat(PodNetworkReconciler.isForNode(on(null), "node-1")).isFalse();
        assertThat(PodNetworkReconciler.isForNode(on("node-1x"), "node-1")).isFalse();
        PodNetwork noSpec = on("node-1");
        noSpec.setSpec(null);
        assertThat(PodNetworkReconciler.isForNode(noSpec, "node-1")).isFalse();
    }
}
