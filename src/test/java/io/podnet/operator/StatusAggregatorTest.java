package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.podnet.api.Mode;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkStatus;
import io.podnet.api.StatusBlock;
import io.podnet.engine.PodResult;
import io.podnet.engine.PodResult.AddressResult;
import io.podnet.engine.PodResult.InterfaceResult;
import io.podnet.engine.PodResult.NetworkResult;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;
import io.podnet.testing.PodNetworks;

/** The status a PodNetwork gets from each outcome of a setup, pinned condition by condition. No cluster, no kernel. */
class StatusAggregatorTest {
    private static final String LONG_AGO = "2020-01-01T00:00:00Z";

    private static PodNetwork pn(long generation) {
        PodNetwork pn = PodNetworks.of("default", "web", "node-1", "podnet");
        pn.getMetadata().setUid("2f1c1c9e-1f7e-4a4b-9a8c-5d0f4b2b7c11");
        pn.getMetadata().setGeneration(generation);
        return pn;
    }

    private static PodResult result(List<PortMapping> ports) {
        Map<String, NetworkResult> networks = new LinkedHashMap<>();
        networks.put("podnet", new NetworkResult(Map.of("eth0", new InterfaceResult(MacAddress.parse("02:00:00:00:00:01"),
                List.of(new AddressResult(Cidr.parse("10.89.0.2/24"), IpAddresses.parse("10.89.0.1"))))),
                List.of(IpAddresses.parse("10.89.0.1")), List.of("dns.podnet")));
        return new PodResult(Path.of("/run/netns/podnet-x"), networks, Path.of("/run/podnet/pods/x/hosts"),
                Path.of("/run/podnet/pods/x/resolv.conf"), null, ports);
    }

    private static List<PortMapping> twoNeighbourPorts() {
        return List.of(new PortMapping(null, 18081, 81, Protocol.TCP, 1), new PortMapping(null, 18082, 82, Protocol.TCP, 1));
    }

    private static Condition condition(PodNetworkStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    /** A status whose every condition is True since long ago, with a StatusBlock: what a built pod has. */
    private static PodNetwork builtLongAgo(long generation) {
        PodNetwork pn = pn(generation);
        PodNetworkStatus s = StatusAggregator.built(pn, result(twoNeighbourPorts())).next();
        s.setConditions(s.getConditions().stream().map(c -> new ConditionBuilder(c).withLastTransitionTime(LONG_AGO).build()).toList());
        pn.setStatus(s);
        return pn;
    }

    @Test
    void aBuiltPodIsReadyWithItsStatusBlocksPortsAndPaths() {
        StatusUpdate update = StatusAggregator.built(pn(3), result(twoNeighbourPorts()));
        PodNetworkStatus s = update.next();
        assertThat(s.getPhase()).isEqualTo("Ready");
        assertThat(s.getObservedGeneration()).isEqualTo(3L);
        assertThat(s.getNetnsPath()).isEqualTo("/run/netns/podnet-x");
        assertThat(s.getHostsPath()).isEqualTo("/run/podnet/pods/x/hosts");
        assertThat(s.getResolvConfPath()).isEqualTo("/run/podnet/pods/x/resolv.conf");
        StatusBlock block = s.getNetworks().get("podnet");
        assertThat(block.getInterfaces().get("eth0").getMacAddress()).isEqualTo("02:00:00:00:00:01");
        assertThat(block.getInterfaces().get("eth0").getSubnets()).singleElement().satisfies(a -> {
            assertThat(a.getIpnet()).isEqualTo("10.89.0.2/24");
            assertThat(a.getGateway()).isEqualTo("10.89.0.1");
        });
        assertThat(block.getDnsServerIPs()).containsExactly("10.89.0.1");
        assertThat(block.getDnsSearchDomains()).containsExactly("dns.podnet");
        assertThat(s.getPorts()).singleElement().satisfies(p -> { // neighbours compacted into one range
            assertThat(p.getHostPort()).isEqualTo(18081);
            assertThat(p.getRange()).isEqualTo(2);
            assertThat(p.getProtocol()).isEqualTo("tcp");
        });
        assertThat(s.getInspect().getIpAddress()).isEqualTo("10.89.0.2");
        assertThat(s.getConditions()).extracting(Condition::getType, Condition::getStatus, Condition::getReason, Condition::getMessage)
                .containsExactly(
                        tuple("Ready", "True", "Ready", "pod network is ready"),
                        tuple("NetnsReady", "True", "NetnsReady", "network namespace /run/netns/podnet-x"),
                        tuple("NetworksReady", "True", "NetworksAttached", "1 network(s) attached"),
                        tuple("PortsReady", "True", "PortsApplied", "2 port mapping(s) applied"));
        assertThat(s.getConditions()).allSatisfy(c -> {
            assertThat(c.getObservedGeneration()).isEqualTo(3L);
            assertThat(c.getLastTransitionTime()).isNotBlank();
        });
        assertThat(update.failedStage()).isNull();
        assertThat(update.changed()).as("a new PodNetwork had no status").isTrue();
        assertThat(update.readyTransition().getReason()).isEqualTo("Ready");
    }

    @Test
    void noNetworksAndNoPortsSayLoopbackOnlyAndNoPorts() {
        PodResult loopback = new PodResult(Path.of("/run/netns/podnet-x"), Map.of(), null, null, null, List.of());
        PodNetworkStatus s = StatusAggregator.built(pn(1), loopback).next();
        assertThat(condition(s, "NetworksReady").getReason()).isEqualTo("LoopbackOnly");
        assertThat(condition(s, "NetworksReady").getMessage()).isEqualTo("no networks requested: loopback only");
        assertThat(condition(s, "PortsReady").getReason()).isEqualTo("NoPorts");
        assertThat(condition(s, "PortsReady").getMessage()).isEqualTo("no port mappings requested");
        assertThat(s.getInspect()).as("nothing to summarize").isNull();
        assertThat(s.getHostsPath()).isNull();
    }

    @Test
    void rootlessPortsSayWhoThePodSeesConnectionsFrom() {
        PodNetwork pn = pn(1);
        pn.getSpec().setMode(Mode.Rootless);
        Condition ports = condition(StatusAggregator.built(pn, result(twoNeighbourPorts())).next(), "PortsReady");
        assertThat(ports.getReason()).isEqualTo("PortsApplied");
        assertThat(ports.getMessage()).isEqualTo("2 port mapping(s) forwarded in user space; the pod sees connections"
                + " from its network's gateway address, not the client's");
    }

    @Test
    void theReloadAnnotationIsObservedOnceTheNetworksAreReapplied() {
        PodNetwork pn = pn(1);
        pn.getMetadata().setAnnotations(Map.of(ReloadAwareUpdates.RELOAD, "7"));
        StatusUpdate first = StatusAggregator.built(pn, result(List.of()));
        assertThat(first.next().getObservedReload()).isEqualTo("7");
        assertThat(first.newlyObservedReload()).isEqualTo("7");
        pn.setStatus(first.next());
        assertThat(StatusAggregator.built(pn, result(List.of())).newlyObservedReload()).as("counted once").isNull();
        assertThat(StatusAggregator.refused(pn, new RejectedRequestException(Stage.PORTS, "PortDenied", "no")).next().getObservedReload())
                .as("a refusal keeps what was observed").isEqualTo("7");
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void aRefusalFailsItsStageAndReadyLeavesLaterStagesUnknownAndIsFailed(Stage stage) {
        StatusUpdate update = StatusAggregator.refused(pn(2), new RejectedRequestException(stage, "Refused" + stage, "because " + stage));
        PodNetworkStatus s = update.next();
        assertThat(s.getPhase()).isEqualTo("Failed");
        assertThat(s.getObservedGeneration()).isEqualTo(2L);
        String failing = ConditionType.of(stage).name();
        assertThat(condition(s, "Ready")).extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                .containsExactly("False", "Refused" + stage, "because " + stage);
        assertThat(condition(s, failing)).extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                .containsExactly("False", "Refused" + stage, "because " + stage);
        // a new PodNetwork has no earlier conditions: every other stage is Unknown, not applied
        for (Stage other : Stage.values()) {
            if (other != stage) {
                assertThat(condition(s, ConditionType.of(other).name())).extracting(Condition::getStatus, Condition::getReason,
                        Condition::getMessage).containsExactly("Unknown", "NotApplied", "not applied: " + failing + " is False");
            }
        }
        assertThat(s.getConditions()).extracting(Condition::getType).containsExactly("Ready", "NetnsReady", "NetworksReady", "PortsReady");
        assertThat(s.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(2L));
        assertThat(update.failedStage()).isEqualTo(stage);
    }

    @Test
    void aRefusalOfABuiltPodKeepsWhatWasBuiltAndTheEarlierStagesConditions() {
        PodNetwork pn = builtLongAgo(1);
        PodNetworkStatus before = pn.getStatus();
        pn.getMetadata().setGeneration(2L);
        PodNetworkStatus s = StatusAggregator.refused(pn, new RejectedRequestException(Stage.NETWORKS, "UnknownNetwork", "x")).next();
        assertThat(s.getNetworks()).isEqualTo(before.getNetworks());
        assertThat(s.getPorts()).isEqualTo(before.getPorts());
        assertThat(s.getInspect()).isEqualTo(before.getInspect());
        assertThat(s.getNetnsPath()).isEqualTo(before.getNetnsPath());
        assertThat(s.getHostsPath()).isEqualTo(before.getHostsPath());
        assertThat(s.getObservedGeneration()).isEqualTo(2L);
        // the stage before the failing one keeps its True, and its transition time; the one after becomes Unknown
        assertThat(condition(s, "NetnsReady")).extracting(Condition::getStatus, Condition::getReason, Condition::getLastTransitionTime)
                .containsExactly("True", "NetnsReady", LONG_AGO);
        assertThat(condition(s, "NetnsReady").getObservedGeneration()).as("kept as it was").isEqualTo(1L);
        assertThat(condition(s, "PortsReady")).extracting(Condition::getStatus, Condition::getReason).containsExactly("Unknown", "NotApplied");
        assertThat(condition(s, "PortsReady").getLastTransitionTime()).isNotEqualTo(LONG_AGO);
        assertThat(condition(s, "NetworksReady").getObservedGeneration()).isEqualTo(2L);
    }

    @Test
    void aKernelFailureIsPendingWithTheEnginesStageAndReasonEvenWhenWrapped() {
        SetupFailedException failure = new SetupFailedException(Stage.PORTS, "HostPortInUse", "18210 is in use", null);
        // JOSDK hands updateErrorStatus its own exception with the reconciler's as the cause
        StatusUpdate update = StatusAggregator.failed(pn(4), new RuntimeException("reconcile failed", failure));
        PodNetworkStatus s = update.next();
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(condition(s, "PortsReady")).extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                .containsExactly("False", "HostPortInUse", "18210 is in use");
        assertThat(condition(s, "Ready").getReason()).isEqualTo("HostPortInUse");
        assertThat(condition(s, "NetnsReady").getStatus()).isEqualTo("Unknown");
        assertThat(update.failedStage()).isEqualTo(Stage.PORTS);
        assertThat(s.getObservedGeneration()).isEqualTo(4L);
    }

    @Test
    void anyOtherFailureIsAnInternalErrorOfTheNetworksStageAndPending() {
        StatusUpdate update = StatusAggregator.failed(pn(1), new IllegalStateException("a bug"));
        PodNetworkStatus s = update.next();
        assertThat(s.getPhase()).isEqualTo("Pending");
        assertThat(condition(s, "NetworksReady")).extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                .containsExactly("False", "InternalError", "a bug");
        assertThat(condition(s, "Ready").getReason()).isEqualTo("InternalError");
        assertThat(condition(s, "PortsReady").getStatus()).isEqualTo("Unknown");
        assertThat(update.failedStage()).isEqualTo(Stage.NETWORKS);
        assertThat(condition(StatusAggregator.failed(pn(1), new IllegalStateException()).next(), "Ready").getMessage())
                .as("no message").isEqualTo("null");
    }

    @Test
    void aConditionKeepsItsTransitionTimeWhileItsStatusStaysAndTheWholeStatusComparesEqual() {
        PodNetwork pn = builtLongAgo(1);
        StatusUpdate again = StatusAggregator.built(pn, result(twoNeighbourPorts()));
        assertThat(again.next().getConditions()).allSatisfy(c -> assertThat(c.getLastTransitionTime()).isEqualTo(LONG_AGO));
        assertThat(again.changed()).as("nothing to patch").isFalse();
        assertThat(again.readyTransition()).as("nothing to announce").isNull();

        // a new reason with the same status is not a transition, but is a change to announce
        StatusUpdate fewerPorts = StatusAggregator.built(pn, result(List.of()));
        assertThat(condition(fewerPorts.next(), "PortsReady").getLastTransitionTime()).isEqualTo(LONG_AGO);
        assertThat(condition(fewerPorts.next(), "PortsReady").getReason()).isEqualTo("NoPorts");
        assertThat(fewerPorts.changed()).isTrue();

        // a status change is a transition, now
        StatusUpdate refused = StatusAggregator.refused(pn, new RejectedRequestException(Stage.PORTS, "PortDenied", "22 is denied"));
        assertThat(condition(refused.next(), "Ready").getLastTransitionTime()).isNotEqualTo(LONG_AGO);
        assertThat(condition(refused.next(), "PortsReady").getLastTransitionTime()).isNotEqualTo(LONG_AGO);
        assertThat(condition(refused.next(), "NetworksReady").getLastTransitionTime()).isEqualTo(LONG_AGO);
        assertThat(refused.readyTransition()).extracting(Condition::getStatus, Condition::getReason).containsExactly("False", "PortDenied");
    }

    @Test
    void aNewGenerationIsObservedOnEveryConditionItSets() {
        PodNetwork pn = builtLongAgo(1);
        pn.getMetadata().setGeneration(5L);
        StatusUpdate update = StatusAggregator.built(pn, result(twoNeighbourPorts()));
        assertThat(update.next().getObservedGeneration()).isEqualTo(5L);
        assertThat(update.next().getConditions()).allSatisfy(c -> {
            assertThat(c.getObservedGeneration()).isEqualTo(5L);
            assertThat(c.getLastTransitionTime()).as("same status, same transition").isEqualTo(LONG_AGO);
        });
        assertThat(update.changed()).as("the generation is part of the status").isTrue();
        assertThat(update.readyTransition()).as("but Ready says the same").isNull();
    }

    @Test
    void aMissingGenerationIsObservedAsZeroOnTheConditions() {
        PodNetwork pn = pn(1);
        pn.getMetadata().setGeneration(null);
        PodNetworkStatus s = StatusAggregator.built(pn, result(List.of())).next();
        assertThat(s.getObservedGeneration()).isNull();
        assertThat(s.getConditions()).allSatisfy(c -> assertThat(c.getObservedGeneration()).isZero());
    }
}
