package io.podnet.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.Stage;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.policy.NodePolicy;
import io.podnet.policy.Tenant;

class RequestValidatorTest {
    private final NetworkDefinitions networks = NetworkDefinitions.defaults();
    private final NetnsPolicy netnsPolicy = new NetnsPolicy(List.of(java.nio.file.Path.of("/run/netns")), null,
            io.podnet.netns.NetnsManager::isNsfs, pod -> List.of());
    /** Every namespace may join, so that what the target is decides. */
    private final NodePolicy joinsGranted = NodePolicy.parse(java.util.Map.of("grants", "all", "all.namespaces", "*", "all.netns", "Path,Pid",
            "all.rootful", "true", "all.hostPorts", "1-65535"));

    private static PodRequest request(AttachmentRequest... attachments) {
        return new PodRequest("pod-1", "ns/pod", "pod", Tenant.named("test"), PodMode.ROOTFUL, NetnsRequest.NEW, List.of(attachments), List.of(), DnsRequest.NONE);
    }

    private void assertRejected(PodRequest r, Stage stage, String reason) {
        assertThatThrownBy(() -> RequestValidator.validate(r, networks, netnsPolicy, joinsGranted)).isInstanceOfSatisfying(RejectedRequestException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.stage()).isEqualTo(stage);
        });
    }

    @Test
    void aPlainRequestAndLoopbackOnlyAreFine() {
        assertThatCode(() -> RequestValidator.validate(request(AttachmentRequest.of("podnet")), networks, netnsPolicy, joinsGranted)).doesNotThrowAnyException();
        assertThatCode(() -> RequestValidator.validate(request(), networks, netnsPolicy, joinsGranted)).doesNotThrowAnyException();
    }

    @Test
    void refusesWhatCannotBeBuilt() {
        assertRejected(request(AttachmentRequest.of("nope")), Stage.NETWORKS, "UnknownNetwork");
        assertRejected(request(AttachmentRequest.of("podnet"), AttachmentRequest.of("podnet")), Stage.NETWORKS, "DuplicateNetwork");
        assertRejected(request(new AttachmentRequest("podnet", "0123456789abcdef", List.of(), null, List.of())), Stage.NETWORKS, "InvalidInterfaceName");
        assertRejected(request(new AttachmentRequest("podnet", "../x", List.of(), null, List.of())), Stage.NETWORKS, "InvalidInterfaceName");
        assertRejected(request(new AttachmentRequest("podnet", "lo", List.of(), null, List.of())), Stage.NETWORKS, "InvalidInterfaceName");
        assertRejected(request(new AttachmentRequest("podnet", null, List.of(IpAddresses.parse("10.1.1.1")), null, List.of())),
                Stage.NETWORKS, "StaticIPOutsideSubnet");
        assertRejected(request(new AttachmentRequest("podnet", null, List.of(IpAddresses.parse("10.89.0.9"), IpAddresses.parse("10.89.0.9")),
                null, List.of())), Stage.NETWORKS, "DuplicateStaticIP");
        assertRejected(request(new AttachmentRequest("podnet", null, List.of(), MacAddress.parse("01:00:5e:00:00:01"), List.of())),
                Stage.NETWORKS, "InvalidMAC");
    }

    @Test
    void severalStaticIpsInOneSubnetAreFine() {
        assertThatCode(() -> RequestValidator.validate(request(new AttachmentRequest("podnet", null,
                List.of(IpAddresses.parse("10.89.0.9"), IpAddresses.parse("10.89.0.10")), null, List.of())), networks, netnsPolicy, joinsGranted))
                .doesNotThrowAnyException();
    }

    @Test
    void aNetworkWhoseFileIsBadIsRefusedNamingTheFileAndTheProblem(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Files.writeString(dir.resolve("good.json"), """
                {"name": "good", "network_interface": "br-good", "subnets": [{"subnet": "10.1.0.0/24"}]}""");
        java.nio.file.Path bad = java.nio.file.Files.writeString(dir.resolve("bad.json"), """
                {"name": "bad", "network_interface": "br-bad", "subnets": [{"subnet": "10.2.0.0/24"}], "options": {"vrf": "red"}}""");
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThatCode(() -> RequestValidator.validate(request(AttachmentRequest.of("good")), defs, netnsPolicy, joinsGranted)).doesNotThrowAnyException();
        assertThatThrownBy(() -> RequestValidator.validate(request(AttachmentRequest.of("bad")), defs, netnsPolicy, joinsGranted))
                .isInstanceOfSatisfying(RejectedRequestException.class, e -> {
                    assertThat(e.reason()).isEqualTo("UnsupportedNetworkOption");
                    assertThat(e.getMessage()).isEqualTo("network \"bad\" is unavailable on this node: its definition " + bad
                            + ": network \"bad\": option \"vrf\" is not supported: podnet does not put bridges into a VRF");
                });
        assertThatThrownBy(() -> RequestValidator.validate(request(AttachmentRequest.of("other")), defs, netnsPolicy, joinsGranted))
                .isInstanceOfSatisfying(RejectedRequestException.class, e -> assertThat(e.reason()).isEqualTo("UnknownNetwork"));
    }

    @Test
    void namespacesAndProtocolsItCannotServeAreRefused() {
        assertRejected(new PodRequest("p", "ns/p", "p", Tenant.named("test"), PodMode.ROOTLESS, NetnsRequest.NEW, List.of(),
                List.of(new io.podnet.inet.PortMapping(null, 8080, 80, io.podnet.inet.Protocol.SCTP, 1)), null), Stage.PORTS,
                "SctpNotSupportedRootless");
        assertRejected(new PodRequest("p", "ns/p", "p", Tenant.named("test"), PodMode.ROOTFUL, new NetnsRequest(NetnsRequest.Kind.PID, null, 1), List.of(), List.of(), null),
                Stage.NETNS, "NetnsNotAllowed");
        // pid_max itself is never handed out (pids run from 1 to pid_max - 1)
        assertRejected(new PodRequest("p", "ns/p", "p", Tenant.named("test"), PodMode.ROOTFUL, new NetnsRequest(NetnsRequest.Kind.PID, null, pidMax()), List.of(),
                List.of(), null), Stage.NETNS, "ProcessNotFound");
        assertRejected(new PodRequest("p", "ns/p", "p", Tenant.named("test"), PodMode.ROOTFUL, new NetnsRequest(NetnsRequest.Kind.PATH,
                java.nio.file.Path.of("/run/netns/../../etc/passwd"), 0), List.of(), List.of(), null), Stage.NETNS, "NetnsPathNotAllowed");
        assertRejected(new PodRequest("p", "ns/p", "p", Tenant.named("test"), PodMode.ROOTFUL, new NetnsRequest(NetnsRequest.Kind.PATH,
                java.nio.file.Path.of("/etc/hostname"), 0), List.of(), List.of(), null), Stage.NETNS, "NetnsPathNotAllowed");
    }

    @Test
    void theNodePolicyIsAskedFirstSoAnUngrantedJoinLearnsNothingOfTheTarget() {
        PodRequest join = new PodRequest("p", "ns/p", "p", Tenant.named("tenant-a"), PodMode.ROOTFUL,
                new NetnsRequest(NetnsRequest.Kind.PATH, java.nio.file.Path.of("/no/such/file"), 0), List.of(), List.of(), null);
        assertThatThrownBy(() -> RequestValidator.validate(join, networks, netnsPolicy, NodePolicy.defaults()))
                .isInstanceOfSatisfying(RejectedRequestException.class, e -> {
                    assertThat(e.reason()).isEqualTo("NetnsJoinNotGranted");
                    assertThat(e.stage()).isEqualTo(Stage.NETNS);
                    assertThat(e.getMessage()).contains("namespace tenant-a").doesNotContain("/no/such/file");
                });
        assertThatThrownBy(() -> RequestValidator.validate(join, networks, netnsPolicy, joinsGranted))
                .isInstanceOfSatisfying(RejectedRequestException.class, e -> assertThat(e.reason()).isEqualTo("NetnsNotFound"));
    }

    @Test
    void kernelNamesComeFromHashesNotFromUserStrings() {
        // golden values: an agent adopts what an older agent built by these names, so they never change
        String veth = KernelNames.hostVeth("0b6d4a4e-0000-4000-8000-000000000001", "podnet");
        assertThat(veth).isEqualTo("pn982f246e086f");
        assertThat(veth).isNotEqualTo(KernelNames.hostVeth("0b6d4a4e-0000-4000-8000-000000000001", "other"));
        assertThat(KernelNames.bridgeMac("podnet0").isMulticast()).isFalse();
        assertThat(KernelNames.bridgeMac("podnet0").toString()).isEqualTo("6e:2f:76:2f:48:53");
        assertThat(KernelNames.bridgeMac("podnet1")).isNotEqualTo(KernelNames.bridgeMac("podnet0"));
        assertThat(InterfaceNames.firstFree(Set.of("eth0", "eth2"))).isEqualTo("eth1");
    }

    private static int pidMax() {
        try {
            // readAllLines, not readString: procfs files report no size, and readString came back with "3" here
            return Integer.parseInt(java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/kernel/pid_max")).get(0).strip());
        } catch (java.io.IOException e) {
            return 4_194_304; // the kernel's largest pid_max
        }
    }
}
