package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkSpec;

/**
 * The reconciler's own node filter, where it decides: a PodNetwork of another node (one that an
 * API server without field-selector support would still deliver) is neither built, nor given a
 * status, nor finalized, nor torn down. The field selector in front of it is tested against the
 * real API server (TwoNodesIT, CrdOnApiServerTest).
 */
class NodeScopingTest {
    private final ReconcilerFixture agent = new ReconcilerFixture("node-1");

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
        var control = agent.reconciler.reconcile(on("node-2"), ReconcilerFixture.unusedContext());
        assertThat(control.isNoUpdate()).isTrue();
        assertThat(control.isPatchStatus()).isFalse();
        assertThat(control.isPatchResource()).isFalse();
        assertThat(agent.engine.setups()).isEmpty();
        assertThat(agent.events).isEmpty();
        assertThat(agent.phases).as("not counted in any phase").isEmpty();
    }

    @Test
    void aPodNetworkOfAnotherNodeKeepsItsFinalizerAndItsNetworking() {
        var control = agent.reconciler.cleanup(on("node-2"), ReconcilerFixture.unusedContext());
        assertThat(control.isRemoveFinalizer()).as("the other node's agent removes it").isFalse();
        assertThat(agent.engine.teardowns()).as("nothing torn down here").isEmpty();
        assertThat(agent.events).isEmpty();
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
