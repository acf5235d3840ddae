package io.podnet.engine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.PodResult;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;
import io.podnet.policy.Tenant;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;

/**
 * A network whose name server listens on a {@code dns_bind_port} other than 53: the pods still
 * ask port 53 of the gateway (their resolv.conf cannot name a port), and podnet's redirect takes
 * the query to the port the server listens on, as netavark does for aardvark-dns.
 */
@RequiresRoot
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DnsBindPortKernelTest {
    private static final String ALT = """
            {"name": "alt", "driver": "bridge", "network_interface": "pndns5", "dns_enabled": true, "ipv6_enabled": true,
             "dns_bind_port": 5354,
             "subnets": [{"subnet": "10.95.0.0/24", "gateway": "10.95.0.1"}, {"subnet": "fd95::/64", "gateway": "fd95::1"}]}
            """;

    private SandboxEngine node;

    @BeforeEach
    void start() throws IOException {
        node = new SandboxEngine("nameserver 127.0.0.53\n", ALT);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private PodResult pod(String id, String name, List<PortMapping> ports) {
        return node.engine.setup(new PodRequest(id, "test/" + name, name, Tenant.named("test"), PodMode.ROOTFUL, NetnsRequest.NEW,
                List.of(AttachmentRequest.of("alt")), ports, DnsRequest.NONE));
    }

    private static String dig(String id, String... args) {
        List<String> command = new ArrayList<>(List.of("dig", "+time=2", "+tries=1", "+short"));
        command.addAll(List.of(args));
        return Shell.run(Shell.in("podnet-" + id, command.toArray(String[]::new))).output().trim();
    }

    private static String address(PodResult r, boolean v4) {
        return r.networks().get("alt").interfaces().values().iterator().next().addresses().stream()
                .map(a -> a.ipnet().address()).filter(a -> IpAddresses.isV4(a) == v4).map(IpAddresses::format).findFirst().orElseThrow();
    }

    private String ruleset() {
        return Shell.ok(Shell.in(node.sandbox.path().toString(), "nft", "list", "table", "inet", "podnet"));
    }

    @Test
    void podsAskPort53OfTheGatewayAndTheRedirectReachesTheServerOverUdpAndTcpOnBothFamilies() {
        String web = node.newPod();
        String db = node.newPod();
        PodResult w = pod(web, "web", List.of());
        pod(db, "db", List.of());

        assertThat(dig(db, "@10.95.0.1", "web")).isEqualTo(address(w, true));
        assertThat(dig(db, "@10.95.0.1", "+tcp", "web")).isEqualTo(address(w, true));
        assertThat(IpAddresses.parse(dig(db, "@fd95::1", "AAAA", "web"))).isEqualTo(IpAddresses.parse(address(w, false)));
        assertThat(IpAddresses.parse(dig(db, "@fd95::1", "+tcp", "AAAA", "web"))).isEqualTo(IpAddresses.parse(address(w, false)));
        // the server itself is on the bind port, not on 53
        assertThat(dig(db, "@10.95.0.1", "-p", "5354", "web")).isEqualTo(address(w, true));
        assertThat(Shell.run(Shell.in(node.sandbox.path().toString(), "ss", "-Hlnu", "sport", "=", ":53")).output())
                .as("nothing listens on port 53 in the host").isBlank();

        String rules = ruleset();
        for (String gateway : List.of("10.95.0.1", "fd95::1")) {
            for (String protocol : List.of("udp", "tcp")) {
                String key = gateway.replace(".", "\\.") + " \\. " + protocol + " \\. 53 comment \"net/pndns5 [0-9a-f]+\" : ";
                assertThat(rules).containsPattern(key + gateway.replace(".", "\\.") + "\\b").containsPattern(key + "5354");
            }
        }
    }

    @Test
    void aHostPortThatWouldTakeTheRedirectsPlaceIsRefusedNamingTheNameServer() {
        String web = node.newPod();
        PodResult w = pod(web, "web", List.of());
        String grabber = node.newPod();
        assertThatThrownBy(() -> pod(grabber, "grabber", List.of(new PortMapping(null, 53, 53, Protocol.UDP, 1))))
                .hasMessageContaining("the name server of bridge pndns5");
        // the pods' names still resolve through the redirect
        assertThat(dig(web, "@10.95.0.1", "web")).isEqualTo(address(w, true));
    }
}
