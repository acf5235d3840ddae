package io.podnet.engine.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.podnet.engine.DnsRequest;
import io.podnet.engine.PodResult;
import io.podnet.inet.IpAddresses;
import io.podnet.testing.RequiresRoot;

/**
 * The pod's resolv.conf as the engine writes it: the host's nameservers a pod can reach when
 * neither the spec nor a dns_enabled network gives any (README, "DNS files"), with the host's
 * search domains and options unless the spec has its own; a dns_enabled network's gateway and
 * search domain when it is on one.
 */
@RequiresRoot
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PodDnsFallbackKernelTest {
    private static final String HOST_RESOLV_CONF = """
            # the node's, as an operator wrote it
            nameserver 127.0.0.53
            nameserver 192.0.2.53
            nameserver fe80::1%eth0
            nameserver 2001:db8::53
            search example.test
            options ndots:2
            """;
    private static final String PLAIN = """
            {"name": "podnet", "driver": "bridge", "network_interface": "podnet0",
             "subnets": [{"subnet": "10.89.0.0/24", "gateway": "10.89.0.1"}]}
            """;
    private static final String WITH_DNS = """
            {"name": "dnsnet", "driver": "bridge", "network_interface": "podnet1", "dns_enabled": true,
             "subnets": [{"subnet": "10.91.0.0/24", "gateway": "10.91.0.1"}]}
            """;

    private SandboxEngine node;

    @BeforeEach
    void start() throws IOException {
        node = new SandboxEngine(HOST_RESOLV_CONF, PLAIN, WITH_DNS);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private List<String> resolvConfOf(DnsRequest dns, String... networks) throws IOException {
        PodResult r = node.engine.setup(SandboxEngine.request(node.newPod(), dns, networks));
        return Files.readAllLines(r.resolvConf());
    }

    @Test
    void withoutServersOfItsOwnAPodGetsTheHostsItCanReachWithTheHostsSearchAndOptions() throws IOException {
        assertThat(resolvConfOf(DnsRequest.NONE, "podnet"))
                .containsExactly("search example.test", "nameserver 192.0.2.53", "nameserver 2001:db8::53", "options ndots:2");
        // a loopback-only pod has no network to give servers either: the same fallback
        assertThat(resolvConfOf(DnsRequest.NONE))
                .containsExactly("search example.test", "nameserver 192.0.2.53", "nameserver 2001:db8::53", "options ndots:2");
    }

    @Test
    void theSpecsServersReplaceTheFallbackAndItsSearchAndOptionsReplaceTheHosts() throws IOException {
        DnsRequest servers = new DnsRequest(List.of(IpAddresses.parse("198.51.100.53")), List.of(), List.of());
        assertThat(resolvConfOf(servers, "podnet"))
                .containsExactly("search example.test", "nameserver 198.51.100.53", "options ndots:2");

        DnsRequest everything = new DnsRequest(List.of(IpAddresses.parse("198.51.100.53")), List.of("pods.example"), List.of("ndots:5"));
        assertThat(resolvConfOf(everything, "podnet"))
                .containsExactly("search pods.example", "nameserver 198.51.100.53", "options ndots:5");
    }

    @Test
    void aDnsEnabledNetworksGatewayReplacesTheFallbackWithItsSearchDomainFirst() throws IOException {
        assertThat(resolvConfOf(DnsRequest.NONE, "podnet", "dnsnet"))
                .containsExactly("search dns.podman example.test", "nameserver 10.91.0.1", "options ndots:2");
    }

    @Test
    void onADnsEnabledNetworkTheSpecsServersAreTheNameServersUpstreamsNotTheResolvConfs() throws IOException {
        // as Podman with aardvark-dns: listed first, they would answer the pods' names NXDOMAIN
        DnsRequest servers = new DnsRequest(List.of(IpAddresses.parse("198.51.100.53")), List.of(), List.of());
        assertThat(resolvConfOf(servers, "dnsnet")).containsExactly("search dns.podman example.test", "nameserver 10.91.0.1",
                "options ndots:2");
    }

    @Test
    void aHostWithOnlyALoopbackStubGivesNoNameserver() throws IOException {
        Files.writeString(node.hostResolvConf, "nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch example.test\n");
        assertThat(resolvConfOf(DnsRequest.NONE, "podnet")).containsExactly("search example.test", "options edns0 trust-ad");
    }
}
