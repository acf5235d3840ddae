package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.podnet.api.InspectSummary;
import io.podnet.api.NetworkAttachment;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkSpec;
import io.podnet.api.PodNetworkStatus;
import io.podnet.api.PortMappingSpec;
import io.podnet.engine.PodRequest;
import io.podnet.engine.PodResult;
import io.podnet.engine.PodResult.AddressResult;
import io.podnet.engine.PodResult.InterfaceResult;
import io.podnet.engine.PodResult.NetworkResult;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.Stage;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;

/** The operator's mapping between the API and the engine, without a cluster or a kernel. */
class StatusMappingTest {
    private static PodNetwork pn(NetworkAttachment... networks) {
        PodNetwork pn = new PodNetwork();
        pn.setMetadata(new ObjectMetaBuilder().withName("web").withNamespace("default").withUid("2f1c1c9e-1f7e-4a4b-9a8c-5d0f4b2b7c11")
                .withGeneration(3L).build());
        PodNetworkSpec spec = new PodNetworkSpec();
        spec.setNodeName("node-1");
        spec.setNetworks(List.of(networks));
        pn.setSpec(spec);
        return pn;
    }

    private static NetworkAttachment attach(String name) {
        NetworkAttachment a = new NetworkAttachment();
        a.setName(name);
        return a;
    }

    private static PodResult result() {
        Map<String, NetworkResult> networks = new LinkedHashMap<>();
        networks.put("backend", new NetworkResult(Map.of("eth1", new InterfaceResult(MacAddress.parse("02:00:00:00:00:02"),
                List.of(new AddressResult(Cidr.parse("10.90.0.7/24"), null)))), List.of(), List.of()));
        networks.put("podnet", new NetworkResult(Map.of("eth0", new InterfaceResult(MacAddress.parse("02:00:00:00:00:01"),
                List.of(new AddressResult(Cidr.parse("10.89.0.2/24"), IpAddresses.parse("10.89.0.1")),
                        new AddressResult(Cidr.parse("fd00::2/64"), IpAddresses.parse("fd00::1")),
                        new AddressResult(Cidr.parse("fd00::3/64"), IpAddresses.parse("fd00::1"))))), List.of(), List.of()));
        return new PodResult(Path.of("/run/netns/podnet-x"), networks, Path.of("/run/podnet/pods/x/hosts"), Path.of("/run/podnet/pods/x/resolv.conf"), null, List.of());
    }

    @Test
    void inspectSummaryFollowsTheSeedSortedByInterface() {
        InspectSummary s = InspectSummaries.of(result());
        assertThat(s.getIpAddress()).isEqualTo("10.89.0.2"); // eth0 sorts before eth1
        assertThat(s.getIpPrefixLen()).isEqualTo(24);
        assertThat(s.getGateway()).isEqualTo("10.89.0.1");
        assertThat(s.getMacAddress()).isEqualTo("02:00:00:00:00:01");
        assertThat(s.getGlobalIPv6Address()).isEqualTo("fd00::2");
        assertThat(s.getGlobalIPv6PrefixLen()).isEqualTo(64);
        assertThat(s.getIpv6Gateway()).isEqualTo("fd00::1");
        assertThat(s.getSecondaryIPv6Addresses()).extracting(a -> a.getAddr()).containsExactly("fd00::3");
        assertThat(s.getSecondaryIPAddresses()).extracting(a -> a.getAddr()).containsExactly("10.90.0.7");
        assertThat(s.getAdditionalMacAddresses()).containsExactly("02:00:00:00:00:02");
    }

    @Test
    void readyStatusCarriesStatusBlocksAndFourTrueConditions() {
        PodNetworkStatus s = StatusAggregator.built(pn(attach("podnet")), result()).next();
        assertThat(s.getPhase()).isEqualTo("Ready");
        assertThat(s.getObservedGeneration()).isEqualTo(3L);
        assertThat(s.getNetworks().get("podnet").getInterfaces().get("eth0").getSubnets().get(0).getIpnet()).isEqualTo("10.89.0.2/24");
        assertThat(s.getNetworks().get("backend").getInterfaces().get("eth1").getSubnets().get(0).getGateway()).isNull();
        assertThat(s.getConditions()).extracting(Condition::getType, Condition::getStatus).containsExactly(
                org.assertj.core.groups.Tuple.tuple("Ready", "True"), org.assertj.core.groups.Tuple.tuple("NetnsReady", "True"),
                org.assertj.core.groups.Tuple.tuple("NetworksReady", "True"), org.assertj.core.groups.Tuple.tuple("PortsReady", "True"));
        assertThat(s.getConditions()).allMatch(c -> c.getObservedGeneration() == 3L);
    }

    @Test
    void anUnchangedStatusKeepsItsTransitionTimesAndComparesEqual() {
        PodNetwork pn = pn(attach("podnet"));
        PodNetworkStatus first = StatusAggregator.built(pn, result()).next();
        pn.setStatus(first);
        PodNetworkStatus second = StatusAggregator.built(pn, result()).next();
        assertThat(StatusUpdate.same(first, second)).isTrue();
        PodNetworkStatus failed = StatusAggregator.refused(pn, new RejectedRequestException(Stage.NETWORKS, "UnknownNetwork", "no")).next();
        assertThat(StatusUpdate.same(first, failed)).isFalse();
    }

    @Test
    void aProblemFailsItsStageAndLeavesLaterStagesUnknown() {
        PodNetworkStatus s = StatusAggregator.refused(pn(attach("x")),
                new RejectedRequestException(Stage.NETWORKS, "UnknownNetwork", "network x is unknown")).next();
        assertThat(s.getPhase()).isEqualTo("Failed");
        Map<String, Condition> byType = new LinkedHashMap<>();
        s.getConditions().forEach(c -> byType.put(c.getType(), c));
        assertThat(byType.get("Ready").getReason()).isEqualTo("UnknownNetwork");
        assertThat(byType.get("NetworksReady").getStatus()).isEqualTo("False");
        assertThat(byType.get("PortsReady").getStatus()).isEqualTo("Unknown");
        assertThat(byType.get("NetnsReady").getStatus()).isEqualTo("Unknown");
    }

    @Test
    void theMapperRefusesWhatDoesNotParseWithTheFieldInTheMessage() {
        NetworkAttachment badIp = attach("podnet");
        badIp.setStaticIPs(List.of("10.0.0.256"));
        assertRejected(pn(badIp), "InvalidStaticIP", "networks[0].staticIPs");
        NetworkAttachment badMac = attach("podnet");
        badMac.setStaticMAC("zz:00:00:00:00:00");
        assertRejected(pn(badMac), "InvalidMAC", "networks[0].staticMAC");
        PodNetwork ports = pn(attach("podnet"));
        PortMappingSpec p = new PortMappingSpec();
        p.setContainerPort(65535);
        p.setRange(2);
        ports.getSpec().setPortMappings(List.of(p));
        assertRejected(ports, "InvalidPortRange", "portMappings[0]");
        PodNetwork noUid = pn(attach("podnet"));
        noUid.getMetadata().setUid("../../etc");
        assertRejected(noUid, "InvalidSpec", "metadata.uid");
    }

    @Test
    void theMapperExpandsProtocolsAndDefaults() {
        PodNetwork withPorts = pn(attach("podnet"));
        PortMappingSpec p = new PortMappingSpec();
        p.setContainerPort(80);
        p.setProtocol("tcp,udp");
        withPorts.getSpec().setPortMappings(List.of(p));
        PodRequest r = PodRequestMapper.toRequest(withPorts, io.podnet.policy.Tenant.named("ns"));
        assertThat(r.id()).isEqualTo("2f1c1c9e-1f7e-4a4b-9a8c-5d0f4b2b7c11");
        assertThat(r.ports()).extracting(io.podnet.inet.PortMapping::protocol)
                .containsExactly(io.podnet.inet.Protocol.TCP, io.podnet.inet.Protocol.UDP);
        assertThat(r.ports()).allSatisfy(m -> assertThat(m.hostPort()).isZero());
        assertThat(r.attachments().get(0).network()).isEqualTo("podnet");
    }

    private static void assertRejected(PodNetwork pn, String reason, String field) {
        assertThatThrownBy(() -> PodRequestMapper.toRequest(pn, io.podnet.policy.Tenant.named("ns"))).isInstanceOfSatisfying(RejectedRequestException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(field);
        });
    }
}
