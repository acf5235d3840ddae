package io.podnet.engine.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.policy.Tenant;
import io.podnet.engine.PodResult;
import io.podnet.inet.IpAddresses;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.SandboxUplink;
import io.podnet.testing.Shell;
import io.podnet.testing.UpstreamDns;

/**
 * Rootless pods on a dns_enabled network: the name server listens on the gateway inside the
 * shared rootless netns (not in the host's), pods resolve each other there with dig, other names
 * reach the network's upstream through the helper (pasta), and the server goes with the rootless
 * netns. The upstream runs on the sandbox host, named by network_dns_servers so that nothing is
 * ever sent to the helper's own DNS forwarder (which would ask the machine's real resolver).
 */
@RequiresRoot
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RootlessNameResolutionKernelTest {
    private static final InetAddress UPSTREAM = IpAddresses.parse("198.51.100.53");
    private static final String NETWORK = """
            {"name": "inner", "driver": "bridge", "network_interface": "pndnsr0", "dns_enabled": true,
             "network_dns_servers": ["198.51.100.53"], "subnets": [{"subnet": "10.94.0.0/24", "gateway": "10.94.0.1"}]}
            """;
    /** Dual stack, its name server on another port: the redirect is in the rootless netns's own table. */
    private static final String ON_ANOTHER_PORT = """
            {"name": "porty", "driver": "bridge", "network_interface": "pndnsr1", "dns_enabled": true, "dns_bind_port": 5355,
             "ipv6_enabled": true, "network_dns_servers": ["198.51.100.53"],
             "subnets": [{"subnet": "10.96.0.0/24", "gateway": "10.96.0.1"}, {"subnet": "fd96::/64", "gateway": "fd96::1"}]}
            """;

    private SandboxEngine node;
    private UpstreamDns upstream;

    @BeforeEach
    void start() throws IOException {
        node = new SandboxEngine("nameserver " + IpAddresses.format(UPSTREAM) + "\n", NETWORK, ON_ANOTHER_PORT);
        SandboxUplink.add(node.sandbox);
        Shell.ok(Shell.ip(node.sandbox.path().toString(), "addr", "add", IpAddresses.format(UPSTREAM) + "/32", "dev", "lo"));
        upstream = new UpstreamDns(node.sandbox.netns(), UPSTREAM, Map.of("example.test.", IpAddresses.parse("192.0.2.10")));
    }

    @AfterEach
    void stop() {
        try {
            upstream.close();
        } finally {
            node.close();
        }
    }

    private PodResult rootless(String id, String name) {
        return rootless(id, name, "inner");
    }

    private PodResult rootless(String id, String name, String network) {
        return node.engine.setup(new PodRequest(id, "test/" + name, name, Tenant.named("test"), PodMode.ROOTLESS, NetnsRequest.NEW,
                List.of(AttachmentRequest.of(network)), List.of(), DnsRequest.NONE));
    }

    private static String digShort(String id, String... args) {
        String[] command = Stream.concat(Stream.of("dig", "+time=2", "+tries=1", "+short"), Stream.of(args)).toArray(String[]::new);
        return Shell.run(Shell.in("podnet-" + id, command)).output().trim();
    }

    private Path rootlessNetns() throws IOException {
        try (Stream<Path> dirs = Files.list(node.dir.resolve("run"))) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("rootless-") && Files.isDirectory(p)).findFirst()
                    .orElseThrow().resolve("netns");
        }
    }

    @Test
    void theNameServerAnswersInsideTheRootlessNetnsAndForwardsThroughTheHelper() throws IOException {
        String a = node.newPod();
        String b = node.newPod();
        rootless(a, "alpha");
        PodResult rb = rootless(b, "beta");
        String betaIp = IpAddresses.format(rb.networks().get("inner").interfaces().get("eth0").addresses().get(0).ipnet().address());

        assertThat(Files.readAllLines(rb.resolvConf())).contains("nameserver 10.94.0.1", "search dns.podman");
        assertThat(digShort(a, "@10.94.0.1", "beta")).isEqualTo(betaIp);
        assertThat(digShort(a, "@10.94.0.1", "+tcp", "beta")).isEqualTo(betaIp);
        assertThat(digShort(a, "@10.94.0.1", "example.test")).isEqualTo("192.0.2.10");
        assertThat(upstream.asked()).containsExactly("example.test.");

        // it listens in the rootless netns, not in the host's
        assertThat(Shell.ok(Shell.in(rootlessNetns().toString(), "ss", "-Hlnu"))).contains("10.94.0.1:53");
        assertThat(Shell.ok(Shell.in(node.sandbox.path().toString(), "ss", "-Hlnu"))).doesNotContain("10.94.0.1:53");

        // the last rootless pod goes, and the name server's threads with the rootless netns
        node.engine.teardown(a);
        node.engine.teardown(b);
        await().atMost(Duration.ofSeconds(10)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith("podnet-dns-rootless")));
    }

    @Test
    void dualStackOnAnotherBindPortThePodsStillAskPort53AndTheRootlessNetnsRedirectsIt() throws IOException {
        String a = node.newPod();
        String b = node.newPod();
        rootless(a, "alpha", "porty");
        PodResult rb = rootless(b, "beta", "porty");
        List<InetAddress> beta = rb.networks().get("porty").interfaces().get("eth0").addresses().stream().map(x -> x.ipnet().address()).toList();
        String betaIp = beta.stream().filter(IpAddresses::isV4).map(IpAddresses::format).findFirst().orElseThrow();
        InetAddress betaIp6 = beta.stream().filter(x -> !IpAddresses.isV4(x)).findFirst().orElseThrow();

        assertThat(Files.readAllLines(rb.resolvConf())).contains("nameserver 10.96.0.1", "nameserver fd96::1");
        assertThat(digShort(a, "@10.96.0.1", "beta")).isEqualTo(betaIp);
        assertThat(digShort(a, "@10.96.0.1", "+tcp", "beta")).isEqualTo(betaIp);
        assertThat(digShort(a, "@10.96.0.1", "example.test")).isEqualTo("192.0.2.10");
        // IPv6 too: AAAA over the v6 gateway, and the upstream reached from there
        assertThat(IpAddresses.parse(digShort(a, "@fd96::1", "AAAA", "beta"))).isEqualTo(betaIp6);
        assertThat(IpAddresses.parse(digShort(a, "@fd96::1", "+tcp", "AAAA", "beta"))).isEqualTo(betaIp6);
        assertThat(digShort(a, "@fd96::1", "example.test")).isEqualTo("192.0.2.10");
        String listening = Shell.ok(Shell.in(rootlessNetns().toString(), "ss", "-Hlnu"));
        assertThat(listening).contains("10.96.0.1:5355").doesNotContain("10.96.0.1:53 ");
    }
}
