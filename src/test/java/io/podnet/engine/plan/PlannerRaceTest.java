package io.podnet.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.MacAddress;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;
import io.podnet.ipam.Ipam;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.policy.NodePolicy;
import io.podnet.policy.Tenant;
import io.podnet.ports.HostPortProbe;
import io.podnet.ports.HostPortRegistry;
import io.podnet.ports.PortPolicy;

/**
 * What the race campaign found: two pods asking at once for one static IP, MAC or host port.
 * The loser's refusal names the winner by namespace/name even before the winner has a record
 * (which is when a race is lost), and a MAC is never given twice on a network.
 */
class PlannerRaceTest {
    @TempDir
    Path dir;

    private Planner planner() {
        NodePolicy all = NodePolicy.parse(Map.of("grants", "all", "all.namespaces", "*", "all.rootful", "true", "all.hostPorts", "1-65535"));
        // the pod records are not written yet: the store knows no one and answers with the id
        return new Planner(NetworkDefinitions::defaults, Ipam.onTmpfs(dir), new HostPortRegistry(), PortPolicy.defaults(), all,
                () -> HostPortProbe.NONE, id -> id);
    }

    private static PodRequest pod(String id, AttachmentRequest attachment, List<PortMapping> ports) {
        return new PodRequest(id, "tenant/" + id + "-name", id, Tenant.named("tenant"), PodMode.ROOTFUL, NetnsRequest.NEW, List.of(attachment),
                ports, DnsRequest.NONE);
    }

    private static AttachmentRequest podnet(String staticIp, String staticMac) {
        return new AttachmentRequest("podnet", null, staticIp == null ? List.of() : List.of(IpAddresses.parse(staticIp)),
                staticMac == null ? null : MacAddress.parse(staticMac), List.of());
    }

    private static PodState plan(Planner p, PodRequest request) {
        return p.plan(request, null, "/run/netns/" + request.id(), true, Set.of());
    }

    @Test
    void aTakenStaticIpNamesItsHolderByNamespaceAndName() {
        Planner p = planner();
        plan(p, pod("uid-a", podnet("10.89.0.77", null), List.of()));
        assertThatThrownBy(() -> plan(p, pod("uid-b", podnet("10.89.0.77", null), List.of())))
                .isInstanceOfSatisfying(RejectedRequestException.class, e -> assertThat(e.reason()).isEqualTo("StaticIPTaken"))
                .hasMessageContaining("held by tenant/uid-a-name").hasMessageNotContaining("uid-a ");
    }

    @Test
    void aTakenHostPortNamesItsHolderByNamespaceAndName() {
        Planner p = planner();
        List<PortMapping> port = List.of(new PortMapping(null, 33100, 80, Protocol.TCP, 1));
        plan(p, pod("uid-a", podnet(null, null), port));
        assertThatThrownBy(() -> plan(p, pod("uid-b", podnet(null, null), port)))
                .hasMessageContaining("tenant/uid-a-name").hasMessageNotContaining("by uid-a");
    }

    @Test
    void aStaticMacIsGivenOncePerNetworkAndFreedWhenItsPodGoes() {
        Planner p = planner();
        plan(p, pod("uid-a", podnet(null, "02:ac:00:00:00:01"), List.of()));
        assertThatThrownBy(() -> plan(p, pod("uid-b", podnet(null, "02:ac:00:00:00:01"), List.of())))
                .isInstanceOfSatisfying(RejectedRequestException.class, e -> assertThat(e.reason()).isEqualTo("StaticMACTaken"))
                .hasMessageContaining("02:ac:00:00:00:01").hasMessageContaining("tenant/uid-a-name");
        // the loser kept nothing: its address is free again
        assertThat(plan(p, pod("uid-c", podnet(null, "02:ac:00:00:00:02"), List.of())).attachments()).hasSize(1);
        p.forget("uid-a");
        assertThat(plan(p, pod("uid-b", podnet(null, "02:ac:00:00:00:01"), List.of())).attachment("podnet").mac())
                .isEqualTo("02:ac:00:00:00:01");
    }

    @Test
    void aPodReplannedKeepsItsOwnMac() {
        Planner p = planner();
        PodRequest a = pod("uid-a", podnet(null, "02:ac:00:00:00:03"), List.of());
        PodState first = plan(p, a);
        assertThat(p.plan(a, first, first.netnsPath(), true, Set.of()).attachment("podnet").mac()).isEqualTo("02:ac:00:00:00:03");
    }
}
