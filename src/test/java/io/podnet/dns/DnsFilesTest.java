package io.podnet.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnsFilesTest {
    @TempDir
    Path dir;

    @Test
    void aNewHostsFileHasLocalhostAndThePodsEntries() throws IOException {
        Path hosts = dir.resolve("hosts");
        HostsFile.update(hosts, List.of(), List.of(new HostEntry("10.89.0.2", List.of("web", "www", "2f1c1c9e1f7e"))));
        assertThat(Files.readAllLines(hosts)).containsExactly("127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback",
                "10.89.0.2\tweb www 2f1c1c9e1f7e");
    }

    @Test
    void connectAndDisconnectReplaceOnlyPodnetsEntries() throws IOException {
        Path hosts = dir.resolve("hosts");
        HostEntry eth0 = new HostEntry("10.89.0.2", List.of("web"));
        HostEntry eth1 = new HostEntry("10.90.0.2", List.of("web"));
        HostsFile.update(hosts, List.of(), List.of(eth0));
        Files.writeString(hosts, Files.readString(hosts) + "192.168.1.10\tdb.example # added by a runtime\n");
        HostsFile.update(hosts, List.of(eth0), List.of(eth0, eth1)); // connect
        assertThat(Files.readAllLines(hosts)).contains("10.89.0.2\tweb", "10.90.0.2\tweb", "192.168.1.10\tdb.example # added by a runtime");
        HostsFile.update(hosts, List.of(eth0, eth1), List.of(eth0)); // disconnect
        assertThat(Files.readAllLines(hosts)).contains("10.89.0.2\tweb", "192.168.1.10\tdb.example # added by a runtime")
                .doesNotContain("10.90.0.2\tweb");
        HostsFile.update(hosts, List.of(eth0), List.of(eth0)); // idempotent: no duplicates
        assertThat(Files.readAllLines(hosts).stream().filter(l -> l.startsWith("10.89.0.2"))).hasSize(1);
    }

    @Test
    void resolvConfKeepsWhatOthersAddedAndPutsThePodsValuesFirst() throws IOException {
        Path resolv = dir.resolve("resolv.conf");
        ResolvConf first = new ResolvConf(List.of("10.89.0.1"), List.of("svc.local"), List.of("ndots:2"));
        ResolvConfFile.update(resolv, ResolvConf.EMPTY, first);
        Files.writeString(resolv, Files.readString(resolv) + "nameserver 9.9.9.9\n");
        ResolvConf second = new ResolvConf(List.of("10.90.0.1"), List.of("svc.local"), List.of("ndots:2"));
        ResolvConfFile.update(resolv, first, second);
        ResolvConf now = ResolvConf.parse(Files.readString(resolv));
        assertThat(now.nameservers()).containsExactly("10.90.0.1", "9.9.9.9");
        assertThat(now.searches()).containsExactly("svc.local");
        assertThat(now.options()).containsExactly("ndots:2");
        assertThat(Files.readString(resolv)).startsWith("search svc.local\nnameserver 10.90.0.1\n");
    }

    @Test
    void theHostsNameserversAPodCannotReachAreLeftOut() throws IOException {
        Path host = dir.resolve("host-resolv.conf");
        Files.writeString(host, "# systemd-resolved\nnameserver 127.0.0.53\nnameserver ::1\nnameserver 10.0.0.2\nnameserver fe80::1%eth0\n"
                + "nameserver 0.0.0.0\nnameserver 2001:db8::53\nsearch corp.example\noptions edns0 trust-ad\n");
        ResolvConf r = ResolvConfFile.hostForPods(host);
        assertThat(r.nameservers()).containsExactly("10.0.0.2", "2001:db8::53");
        assertThat(r.searches()).containsExactly("corp.example");
        assertThat(r.options()).containsExactly("edns0", "trust-ad");
        assertThat(ResolvConfFile.hostForPods(dir.resolve("missing")).nameservers()).isEmpty();
    }

    @Test
    void concurrentWritersNeverLoseOrCorruptEntries() throws Exception {
        Path hosts = dir.resolve("hosts");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            HostEntry e = new HostEntry("10.89.1." + i, List.of("pod" + i));
            done.add(pool.submit(() -> {
                HostsFile.update(hosts, List.of(), List.of(e));
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        List<String> lines = Files.readAllLines(hosts);
        for (int i = 0; i < 40; i++) {
            assertThat(lines).contains("10.89.1." + i + "\tpod" + i);
        }
        assertThat(lines).hasSize(42);
    }
}
