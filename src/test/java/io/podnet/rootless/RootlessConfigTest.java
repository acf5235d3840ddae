package io.podnet.rootless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.Protocol;

/** Configuration, naming and the helpers' command lines, without running anything. No root needed. */
class RootlessConfigTest {
    private static final Path DIR = Path.of("/run/podnet/rootless-x");
    private static final Path NS = DIR.resolve("netns");

    @Test
    void addressesComeFromTheCidr() {
        RootlessConfig c = RootlessConfig.defaults();
        assertThat(c.helper()).isEqualTo(Helper.PASTA);
        assertThat(IpAddresses.format(c.address())).isEqualTo("10.0.2.100");
        assertThat(IpAddresses.format(c.gateway())).isEqualTo("10.0.2.2");
        assertThat(IpAddresses.format(c.dns())).isEqualTo("10.0.2.3");
        RootlessConfig other = c.withCidr(Cidr.parse("172.30.7.9/25"));
        assertThat(other.cidr().toString()).isEqualTo("172.30.7.0/25");
        assertThat(IpAddresses.format(other.address())).isEqualTo("172.30.7.100");
    }

    @Test
    void theIdChangesWithEveryFieldAndOnlyThen() {
        RootlessConfig c = RootlessConfig.defaults();
        assertThat(c.id()).hasSize(12).matches("[0-9a-f]+").isEqualTo(RootlessConfig.defaults().id());
        Set<String> ids = Set.of(c.id(), c.withHelper(Helper.SLIRP4NETNS).id(), c.withCidr(Cidr.parse("10.0.3.0/24")).id(),
                c.withMtu(1500).id(), c.withIpv6(true).id(), c.withHostLoopback(true).id());
        assertThat(ids).hasSize(6);
    }

    @Test
    void badConfigurationsAreRefused() {
        RootlessConfig c = RootlessConfig.defaults();
        assertThatThrownBy(() -> c.withCidr(Cidr.parse("10.0.2.0/28"))).hasMessageContaining("/25");
        assertThatThrownBy(() -> c.withCidr(Cidr.parse("fd00::/64"))).hasMessageContaining("IPv4");
        assertThatThrownBy(() -> c.withMtu(65521)).hasMessageContaining("68-65520");
        assertThat(Helper.parse("Slirp4netns")).isEqualTo(Helper.SLIRP4NETNS);
        assertThatThrownBy(() -> Helper.parse("vpnkit")).hasMessageContaining("pasta or slirp4netns");
    }

    @Test
    void pastaMapsTheHostLoopbackOnlyWhenAllowed() {
        List<String> closed = new Pasta().arguments(new HelperLaunch(RootlessConfig.defaults(), DIR, NS));
        assertThat(closed).containsSequence("--netns", NS.toString()).contains("--config-net", "--foreground", "--no-map-gw",
                "--ipv4-only").containsSequence("--dns-forward", "10.0.2.3").containsSequence("--gateway", "10.0.2.2")
                .containsSequence("--address", "10.0.2.100").containsSequence("--netmask", "24")
                .containsSequence("--ns-ifname", "tap0").containsSequence("--mtu", "65520")
                .containsSequence("--pid", DIR.resolve("helper.pid").toString())
                .containsSequence("-t", "none", "-u", "none", "-T", "none", "-U", "none");
        List<String> open = new Pasta()
                .arguments(new HelperLaunch(RootlessConfig.defaults().withHostLoopback(true).withIpv6(true), DIR, NS));
        assertThat(open).doesNotContain("--no-map-gw", "--ipv4-only");
    }

    @Test
    void slirp4netnsUsesWhatItsHelpOffers() {
        Set<String> all = Set.of("--netns-type", "--ready-fd", "--enable-sandbox", "--enable-seccomp", "--disable-host-loopback");
        List<String> args = new Slirp4netns()
                .arguments(new HelperLaunch(RootlessConfig.defaults().withHelper(Helper.SLIRP4NETNS), DIR, NS), all);
        assertThat(args).containsSequence("--mtu", "65520").containsSequence("--cidr", "10.0.2.0/24")
                .containsSequence("--ready-fd", "3").contains("--configure", "--netns-type=path", "--enable-sandbox",
                        "--enable-seccomp", "--disable-host-loopback")
                .endsWith(NS.toString(), "tap0");
        List<String> old = new Slirp4netns().arguments(
                new HelperLaunch(RootlessConfig.defaults().withHelper(Helper.SLIRP4NETNS).withHostLoopback(true), DIR, NS),
                Set.of("--netns-type", "--ready-fd"));
        assertThat(old).doesNotContain("--enable-sandbox", "--enable-seccomp", "--disable-host-loopback");
    }

    @Test
    void theInstalledSlirp4netnsOffersSandboxAndSeccomp() {
        Binaries.which("slirp4netns").ifPresent(b -> assertThat(Binaries.features(b))
                .contains("--netns-type", "--ready-fd", "--enable-sandbox", "--enable-seccomp", "--disable-host-loopback"));
    }

    @Test
    void forwardSpecsAreChecked() {
        var pod = IpAddresses.parse("10.91.0.5");
        assertThat(ForwardSpec.tcp("pod-a", null, 8080, pod, 80).toString()).isEqualTo("tcp 0.0.0.0:8080 -> 10.91.0.5:80 (pod-a)");
        assertThat(new ForwardSpec("pod-a", Protocol.UDP, IpAddresses.parse("127.0.0.1"), 5000, pod, 6000, 3).toString())
                .isEqualTo("udp 127.0.0.1:5000-5002 -> 10.91.0.5:6000-6002 (pod-a)");
        assertThatThrownBy(() -> ForwardSpec.tcp("pod-a", null, 70000, pod, 80)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> new ForwardSpec("pod-a", Protocol.TCP, null, 0, pod, 80, 2)).hasMessageContaining("random");
        assertThatThrownBy(() -> new ForwardSpec("pod-a", Protocol.TCP, null, 65535, pod, 80, 2)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> ForwardSpec.tcp("pod-a", IpAddresses.parse("::1"), 80, pod, 80)).hasMessageContaining("families");
        assertThatThrownBy(() -> ForwardSpec.tcp("../x", null, 80, pod, 80)).hasMessageContaining("owner");
        assertThatThrownBy(() -> ForwardSpec.tcp("pod-a", null, 80, IpAddresses.parse("0.0.0.0"), 80)).hasMessageContaining("cannot be connected");
    }
}
