package io.podnet.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.podnet.inet.IpAddresses;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;

class NodePolicyTest {
    private static final NodePolicy POLICY = NodePolicy.parse(Map.of(
            "grants", "everyone, joiners,ports",
            "everyone.namespaces", "*",
            "everyone.rootful", "true",
            "joiners.namespaceSelector", "podnet.io/join=yes, team=net",
            "joiners.netns", "Path",
            "ports.namespaces", "tenant-a,tenant-b",
            "ports.hostPorts", "30000-30009, 8080",
            "ports.hostIPs", "127.0.0.0/8,::1/128"));

    private static Asked rootless(PortMapping... ports) {
        return new Asked(false, null, List.of(ports));
    }

    private static PortMapping port(String ip, int hostPort, int range) {
        return new PortMapping(ip == null ? null : IpAddresses.parse(ip), hostPort, 80, Protocol.TCP, range);
    }

    private static String reason(Tenant t, Asked a) {
        return POLICY.powersOf(t).refusal(a).map(Refusal::reason).orElse("allowed");
    }

    @Test
    void theDefaultsAllowAllButJoining() {
        Powers p = NodePolicy.defaults().powersOf(Tenant.named("anyone"));
        assertThat(p.refusal(new Asked(true, null, List.of(port("10.1.2.3", 22, 1), port("::1", 0, 100))))).isEmpty();
        assertThat(p.refusal(new Asked(true, NetnsJoin.Path, List.of()))).get().extracting(Refusal::reason).isEqualTo("NetnsJoinNotGranted");
        assertThat(p.refusal(new Asked(false, NetnsJoin.Pid, List.of()))).get().extracting(Refusal::power).isEqualTo(Refusal.Power.NETNS_JOIN);
    }

    @Test
    void grantsMatchByNameByEveryLabelOfTheirSelectorOrAll() {
        Tenant labelled = new Tenant("t", Map.of("podnet.io/join", "yes", "team", "net"));
        Tenant halfLabelled = new Tenant("t", Map.of("podnet.io/join", "yes"));
        assertThat(POLICY.powersOf(labelled).grants()).containsExactly("everyone", "joiners");
        assertThat(POLICY.powersOf(halfLabelled).grants()).containsExactly("everyone");
        assertThat(POLICY.powersOf(Tenant.named("tenant-b")).grants()).containsExactly("everyone", "ports");
        assertThat(reason(labelled, new Asked(false, NetnsJoin.Path, List.of()))).isEqualTo("allowed");
        assertThat(reason(labelled, new Asked(false, NetnsJoin.Pid, List.of()))).isEqualTo("NetnsJoinNotGranted");
        assertThat(reason(halfLabelled, new Asked(false, NetnsJoin.Path, List.of()))).isEqualTo("NetnsJoinNotGranted");
        // the name label is every namespace's, as the API server sets it
        assertThat(Tenant.named("x").labels()).containsEntry(Tenant.NAME_LABEL, "x");
    }

    @Test
    void hostPortsLieInOneGrantedRangeAndRandomOnesNeedRoom() {
        Tenant a = Tenant.named("tenant-a");
        assertThat(reason(a, rootless(port(null, 30005, 5)))).isEqualTo("allowed");
        assertThat(reason(a, rootless(port(null, 30005, 6)))).isEqualTo("HostPortNotGranted");
        assertThat(reason(a, rootless(port(null, 8080, 1)))).isEqualTo("allowed");
        assertThat(reason(a, rootless(port(null, 8080, 2)))).isEqualTo("HostPortNotGranted");
        assertThat(reason(a, rootless(port(null, 0, 10)))).isEqualTo("allowed");
        assertThat(reason(a, rootless(port(null, 0, 11)))).isEqualTo("HostPortNotGranted");
        assertThat(reason(Tenant.named("tenant-c"), rootless(port(null, 0, 1)))).isEqualTo("HostPortNotGranted");
        assertThat(POLICY.powersOf(Tenant.named("tenant-c")).refusal(rootless(port(null, 8080, 1)))).get()
                .satisfies(r -> assertThat(r.message()).contains("namespace tenant-c", "tcp/8080", "granted: none", "[everyone]"));
    }

    @Test
    void hostAddressesLieInAGrantedNetworkOfTheirFamily() {
        Tenant a = Tenant.named("tenant-a");
        assertThat(reason(a, rootless(port("127.0.0.2", 8080, 1)))).isEqualTo("allowed");
        assertThat(reason(a, rootless(port("::1", 8080, 1)))).isEqualTo("allowed");
        assertThat(reason(a, rootless(port("10.0.0.1", 8080, 1)))).isEqualTo("HostIPNotGranted");
        assertThat(reason(a, rootless(port("0.0.0.0", 8080, 1)))).isEqualTo("HostIPNotGranted");
        assertThat(reason(a, rootless(port("::ffff:127.0.0.1", 8080, 1)))).isEqualTo("HostIPNotGranted");
    }

    @Test
    void checksComeInTheAdmissionPolicysOrder() {
        Tenant c = Tenant.named("tenant-c");
        NodePolicy none = NodePolicy.parse(Map.of("grants", "none"));
        assertThat(none.grants()).isEmpty();
        assertThat(none.powersOf(c).refusal(new Asked(true, NetnsJoin.Pid, List.of(port("10.0.0.1", 1, 1))))).get()
                .extracting(Refusal::reason).isEqualTo("RootfulNotGranted");
        assertThat(none.powersOf(c).refusal(new Asked(false, NetnsJoin.Pid, List.of(port("10.0.0.1", 1, 1))))).get()
                .extracting(Refusal::reason).isEqualTo("NetnsJoinNotGranted");
        assertThat(none.powersOf(c).refusal(rootless(port("10.0.0.1", 1, 1)))).get().extracting(Refusal::reason)
                .isEqualTo("HostPortNotGranted");
    }

    @Test
    void theFlatFormRoundTrips() {
        assertThat(NodePolicy.parse(POLICY.data()).data()).isEqualTo(POLICY.data());
        assertThat(NodePolicy.parse(Map.of()).data()).isEqualTo(NodePolicy.defaults().data());
        assertThat(NodePolicy.defaults().data()).containsEntry("grants", "everyone").containsEntry("everyone.netns", "")
                .containsEntry("everyone.hostPorts", "1-65535").containsEntry("everyone.hostIPs", "0.0.0.0/0,::/0");
        assertThat(POLICY.selectsByLabels()).isTrue();
        assertThat(NodePolicy.defaults().selectsByLabels()).isFalse();
    }

    @Test
    void badConfigurationNamesItsKey() {
        assertRefused(Map.of("everyone.namespaces", "*"), "podnet.policy.grants");
        assertRefused(Map.of("grants", "a", "a.namespace", "*"), "podnet.policy.a.namespace");
        assertRefused(Map.of("grants", "a", "a.namespaces", "*", "b.netns", "Path"), "podnet.policy.b.netns");
        assertRefused(Map.of("grants", "a", "a.rootful", "true"), "matches no namespace");
        assertRefused(Map.of("grants", "A", "A.namespaces", "*"), "not a grant name");
        assertRefused(Map.of("grants", "a,a", "a.namespaces", "*"), "twice");
        assertRefused(Map.of("grants", "a", "a.namespaces", "Tenant_A"), "podnet.policy.a.namespaces");
        assertRefused(Map.of("grants", "a", "a.namespaceSelector", "team"), "podnet.policy.a.namespaceSelector");
        assertRefused(Map.of("grants", "a", "a.namespaces", "*", "a.netns", "Host"), "podnet.policy.a.netns");
        assertRefused(Map.of("grants", "a", "a.namespaces", "*", "a.rootful", "yes"), "podnet.policy.a.rootful");
        assertRefused(Map.of("grants", "a", "a.namespaces", "*", "a.hostPorts", "9-1"), "podnet.policy.a.hostPorts");
        assertRefused(Map.of("grants", "a", "a.namespaces", "*", "a.hostPorts", "0"), "podnet.policy.a.hostPorts");
        assertRefused(Map.of("grants", "a", "a.namespaces", "*", "a.hostIPs", "10.0.0.1/8"), "10.0.0.0/8");
        assertRefused(Map.of("grants", "a", "a.namespaces", "*", "a.hostIPs", "10.0.0.1"), "podnet.policy.a.hostIPs");
    }

    private static void assertRefused(Map<String, String> data, String mentioned) {
        assertThatThrownBy(() -> NodePolicy.parse(data)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(mentioned);
    }
}
