package io.podnet.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;

@RequiresRoot
class NetnsManagerTest {
    private final NetnsManager manager = new NetnsManager(Path.of("/run/netns"));
    private final String name = "podnet-test-" + UUID.randomUUID().toString().substring(0, 8);

    @AfterEach
    void cleanup() {
        manager.delete(name);
    }

    @Test
    void createsANamespaceThatIpNetnsSeesAndDeletesIt() throws Exception {
        try (Netns ns = manager.createOrOpen(name)) {
            assertThat(ns.path()).isEqualTo(Path.of("/run/netns", name));
            assertThat(NetnsManager.isNsfs(ns.path())).isTrue();
            assertThat(ipNetnsList()).contains(name);
            String inode = ns.run(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
            String home = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            assertThat(inode).isNotEqualTo(home);
            // the worker is back home after the work
            String after = NetnsThreads.onWorker(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
            assertThat(after).isEqualTo(home);
        }
        manager.delete(name);
        assertThat(Path.of("/run/netns", name)).doesNotExist();
        assertThat(ipNetnsList()).doesNotContain(name);
        manager.delete(name); // already gone: still fine
    }

    @Test
    void createTwiceOpensTheSameNamespace() throws Exception {
        try (Netns first = manager.createOrOpen(name); Netns second = manager.createOrOpen(name)) {
            String a = first.run(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
            String b = second.run(() -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
            assertThat(a).isEqualTo(b);
        }
    }

    @Test
    void replacesAStaleFileThatIsNotANamespace() throws Exception {
        Path stale = Path.of("/run/netns", name);
        Files.createDirectories(stale.getParent());
        Files.writeString(stale, "left by a crash");
        try (Netns ns = manager.createOrOpen(name)) {
            assertThat(NetnsManager.isNsfs(ns.path())).isTrue();
        }
    }

    @Test
    void refusesNamesThatCouldEscapeTheDirectory() {
        assertThatThrownBy(() -> manager.pathOf("../etc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> manager.pathOf("a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NetnsManager.join(Path.of("/etc/hostname")))
                .isInstanceOf(NetnsException.class).hasMessageContaining("not a network namespace");
    }

    private static String ipNetnsList() throws Exception {
        Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out;
    }
}
