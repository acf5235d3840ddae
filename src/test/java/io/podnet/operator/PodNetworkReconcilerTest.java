package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.OperatorException;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkStatus;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.testing.FakeEngine;
import io.podnet.testing.PodNetworks;

/**
 * The reconciler against the {@link FakeEngine}: which status it patches, which events it sends
 * and what it counts for each outcome of a setup, and what a deletion does. No root, no API server.
 */
class PodNetworkReconcilerTest {
    private static final String UID = "0b7d0e56-8a3e-4c3b-9a53-3f1f5c8d2a10";

    private final ReconcilerFixture agent = new ReconcilerFixture("node-1");

    private static PodNetwork web() {
        PodNetwork pn = PodNetworks.of("default", "web", "node-1", "podnet");
        pn.getMetadata().setUid(UID);
        pn.getMetadata().setGeneration(1L);
        return pn;
    }

    private static Condition condition(PodNetwork pn, String type) {
        return pn.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    /** The reconciler sets the status it patches on {@code pn}: a second call sees it, as JOSDK's next reconcile would. */
    private UpdateControl<PodNetwork> reconcile(PodNetwork pn) {
        return agent.reconciler.reconcile(pn, ReconcilerFixture.unusedContext());
    }

    @Test
    void aBuiltPodIsPatchedReadyOnceWithOneEventAndItsTrafficMetered() {
        agent.engine.returning(FakeEngine.oneInterface("podnet", "eth0", "02:00:00:00:00:01", "10.89.0.2/24", "10.89.0.1"));
        PodNetwork pn = web();
        var control = reconcile(pn);

        assertThat(control.isPatchStatus()).isTrue();
        assertThat(control.getResource()).containsSame(pn);
        PodNetworkStatus s = pn.getStatus();
        assertThat(s.getPhase()).isEqualTo("Ready");
        assertThat(s.getNetworks().get("podnet").getInterfaces().get("eth0").getSubnets().get(0).getIpnet()).isEqualTo("10.89.0.2/24");
        assertThat(s.getConditions()).extracting(Condition::getStatus).containsOnly("True");
        assertThat(agent.engine.setups()).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(UID);
            assertThat(r.attachments()).extracting(a -> a.network()).containsExactly("podnet");
        });
        assertThat(agent.events).containsExactly("Normal Ready: pod network is ready");
        assertThat(agent.phases).containsEntry(UID, "Ready");
        assertThat(agent.metered).containsEntry(UID, java.util.Set.of("eth0"));
        assertThat(agent.inFlight.count()).isZero();

        // the periodic resync: the same result again is neither patched nor announced
        assertThat(reconcile(pn).isNoUpdate()).isTrue();
        assertThat(agent.engine.setups()).hasSize(2);
        assertThat(agent.events).hasSize(1);
    }

    @Test
    void aRefusedPodIsFailedWithTheStagesConditionAWarningAndOneFailureCounted() {
        agent.engine.reject(UID, Stage.NETWORKS, "UnknownNetwork", "network podnet is not defined on node node-1");
        PodNetwork pn = web();
        var control = reconcile(pn);

        assertThat(control.isPatchStatus()).isTrue();
        assertThat(pn.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(condition(pn, "NetworksReady")).extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("False", "UnknownNetwork");
        assertThat(condition(pn, "Ready").getMessage()).isEqualTo("network podnet is not defined on node node-1");
        assertThat(agent.events).containsExactly("Warning UnknownNetwork: network podnet is not defined on node node-1");
        assertThat(agent.failures).containsExactly("networks UnknownNetwork");
        assertThat(agent.phases).containsEntry(UID, "Failed");

        // refused again on the next resync: already said, so neither patched, announced nor counted again
        assertThat(reconcile(pn).isNoUpdate()).isTrue();
        assertThat(agent.events).hasSize(1);
        assertThat(agent.failures).hasSize(1);
    }

    @Test
    void aSpecTheMapperRefusesNeverReachesTheEngine() {
        PodNetwork pn = web();
        pn.getSpec().getNetworks().get(0).setStaticIPs(List.of("10.89.0.300"));
        reconcile(pn);
        assertThat(agent.engine.setups()).isEmpty();
        assertThat(pn.getStatus().getPhase()).isEqualTo("Failed");
        assertThat(condition(pn, "Ready").getReason()).isEqualTo("InvalidStaticIP");
        assertThat(agent.failures).containsExactly("networks InvalidStaticIP");
    }

    @Test
    void aKernelFailureIsThrownForJosdkToRetryAndItsErrorStatusIsPendingWithAWarningCountedOnce() {
        agent.engine.fail(UID, Stage.NETWORKS, "BridgeNameTaken", "podnet1 exists and is not a bridge");
        PodNetwork pn = web();
        assertThatThrownBy(() -> reconcile(pn)).isInstanceOf(SetupFailedException.class);
        assertThat(agent.inFlight.count()).as("the watchdog hears of the end of a failed reconcile too").isZero();

        // JOSDK wraps what the reconciler threw, and asks for the error status
        var first = agent.reconciler.updateErrorStatus(pn, ReconcilerFixture.unusedContext(),
                new OperatorException(new SetupFailedException(Stage.NETWORKS, "BridgeNameTaken", "podnet1 exists and is not a bridge", null)));
        assertThat(first.getResource()).containsSame(pn);
        assertThat(first.isDefaultErrorProcessing()).isFalse();
        assertThat(pn.getStatus().getPhase()).as("retried, so not Failed").isEqualTo("Pending");
        assertThat(condition(pn, "NetworksReady")).extracting(Condition::getStatus, Condition::getReason)
                .containsExactly("False", "BridgeNameTaken");
        assertThat(agent.events).containsExactly("Warning BridgeNameTaken: podnet1 exists and is not a bridge");
        assertThat(agent.failures).containsExactly("networks BridgeNameTaken");

        // a retry that fails the same way changes nothing: JOSDK's own back-off, no patch, no second count
        var retry = agent.reconciler.updateErrorStatus(pn, ReconcilerFixture.unusedContext(),
                new OperatorException(new SetupFailedException(Stage.NETWORKS, "BridgeNameTaken", "podnet1 exists and is not a bridge", null)));
        assertThat(retry.isDefaultErrorProcessing()).isTrue();
        assertThat(retry.getResource()).isEmpty();
        assertThat(agent.failures).hasSize(1);

        // the cause goes: the next retry builds the pod and says so
        agent.engine.succeed(UID);
        assertThat(reconcile(pn).isPatchStatus()).isTrue();
        assertThat(pn.getStatus().getPhase()).isEqualTo("Ready");
        assertThat(agent.events).last().isEqualTo("Normal Ready: pod network is ready");
    }

    @Test
    void aNewReloadValueIsAnnouncedBeforeTheReadyItLeadsTo() {
        PodNetwork pn = web();
        pn.getMetadata().setAnnotations(Map.of(ReloadAwareUpdates.RELOAD, "1"));
        reconcile(pn);
        assertThat(pn.getStatus().getObservedReload()).isEqualTo("1");
        assertThat(agent.events).containsExactly(
                "Normal Reloaded: networks re-applied for podnet.io/reload=1; interface names, MACs and addresses kept",
                "Normal Ready: pod network is ready");
        reconcile(pn);
        assertThat(agent.events).as("once per value").hasSize(2);
    }

    @Test
    void aDeletionTearsThePodDownAndLetsTheFinalizerGo() {
        PodNetwork pn = web();
        reconcile(pn);
        var control = agent.reconciler.cleanup(pn, ReconcilerFixture.unusedContext());
        assertThat(control.isRemoveFinalizer()).isTrue();
        assertThat(agent.engine.teardowns()).containsExactly(UID);
        assertThat(agent.engine.knownPods()).isEmpty();
        assertThat(agent.phases).containsEntry(UID, "Terminating");
        assertThat(agent.events).last().isEqualTo("Normal TornDown: pod network removed from node node-1");
        assertThat(agent.inFlight.count()).isZero();
    }

    @Test
    void aPodNetworkOfAnotherNodeIsIgnoredAltogether() {
        PodNetwork other = PodNetworks.of("default", "elsewhere", "node-2", "podnet");
        other.getMetadata().setUid(UID);
        assertThat(reconcile(other).isNoUpdate()).isTrue();
        assertThat(agent.reconciler.cleanup(other, ReconcilerFixture.unusedContext()).isRemoveFinalizer()).isFalse();
        assertThat(other.getStatus()).isNull();
        assertThat(agent.engine.setups()).isEmpty();
        assertThat(agent.engine.teardowns()).isEmpty();
        assertThat(agent.events).isEmpty();
    }
}
