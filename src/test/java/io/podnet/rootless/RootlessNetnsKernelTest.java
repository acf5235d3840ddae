package io.podnet.rootless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.inet.IpAddresses;
import io.podnet.netlink.Link;
import io.podnet.netns.NetnsManager;
import io.podnet.sys.Sys;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Sandbox;
import io.podnet.testing.Shell;
import io.podnet.testing.SandboxUplink;

/**
 * The rootless netns against the real kernel and the real helpers, with a sandbox namespace
 * playing the node's host namespace: the helper runs there, and "the host's loopback" is the
 * sandbox's. The run dir is a temporary directory; everything is removed afterwards.
 */
@RequiresRoot
class RootlessNetnsKernelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Sandbox sandbox;
    private Path runDir;
    private final List<RootlessNetns> opened = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        sandbox = new Sandbox();
        SandboxUplink.add(sandbox);
        runDir = Files.createTempDirectory("podnet-rootless-test-");
    }

    @AfterEach
    void stop() throws IOException {
        try {
            for (RootlessNetns r : opened) {
                r.cleanupIfUnused(0);
            }
        } finally {
            if (sandbox != null) {
                sandbox.close();
            }
            assertThat(Mounts.atOrBelow(runDir)).isEmpty();
            try (Stream<Path> s = Files.walk(runDir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private RootlessNetns rootless(RootlessConfig config) {
        RootlessNetns r = new RootlessNetns(runDir, config, sandbox.path());
        opened.add(r);
        return r;
    }

    private static JsonNode ipIn(Path netns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + netns, "ip", "-j"));
        cmd.addAll(List.of(args));
        try {
            String out = Shell.ok(cmd.toArray(String[]::new)).trim();
            return JSON.readTree(out.isEmpty() ? "[]" : out);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A client inside the rootless netns talks to an echo server on the sandbox's 127.0.0.1 through the helper's gateway. */
    private static String egressToSandboxLoopback(RootlessNetns r, EchoServers server) throws IOException {
        InetSocketAddress via = new InetSocketAddress(r.config().gateway(), server.port());
        try {
            return r.netns().run(() -> EchoServers.tcpLine(via, "hello through " + r.config().helper().binary()));
        } catch (io.podnet.netns.NetnsException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
    }

    /** "net:[inode]", as /proc/PID/ns/net reads, of a namespace file. */
    private static String nsId(Path nsFile) throws IOException {
        return "net:[" + Files.getAttribute(nsFile, "unix:ino") + "]";
    }

    private static List<Integer> processesNaming(Path netns) throws IOException {
        List<Integer> pids = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    if (cmd.contains(netns.toString())) {
                        pids.add(Integer.parseInt(name));
                    }
                } catch (IOException e) {
                    // gone meanwhile
                }
            }
        }
        return pids;
    }

    @ParameterizedTest
    @EnumSource(Helper.class)
    void egressReachesTheHostLoopbackAndCleanupLeavesNothing(Helper helper) throws IOException {
        RootlessNetns r = rootless(RootlessConfig.defaults().withHelper(helper).withHostLoopback(true));
        assertThat(r.ensure()).isEqualTo(RootlessNetns.State.CREATED);

        Path ns = r.netnsPath();
        assertThat(ns).isEqualTo(runDir.resolve("rootless-" + r.config().id()).resolve("netns"));
        assertThat(NetnsManager.isNsfs(ns)).isTrue();
        int pid = r.helperPid().orElseThrow();
        assertThat(HelperPidFile.isHelper(pid, helper, ns)).isTrue();
        // in a session and process group of its own, so a signal to the agent's group spares it
        String stat = Files.readString(Path.of("/proc", "" + pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertThat(f[2]).as("pgid").isEqualTo("" + pid);
        assertThat(f[3]).as("session").isEqualTo("" + pid);
        // the helper runs in the sandbox, not in the agent's namespace
        assertThat(Files.readSymbolicLink(Path.of("/proc", "" + pid, "ns", "net")).toString()).isEqualTo(nsId(sandbox.path()));

        JsonNode tap = ipIn(ns, "addr", "show", "tap0").get(0);
        assertThat(tap.get("addr_info").toString()).contains("\"local\":\"10.0.2.100\"", "\"prefixlen\":24");
        assertThat(tap.get("mtu").asInt()).isEqualTo(65520);
        JsonNode route = ipIn(ns, "route", "show", "default").get(0);
        assertThat(route.get("gateway").asText()).isEqualTo("10.0.2.2");
        assertThat(route.get("dev").asText()).isEqualTo("tap0");
        // /proc/sys/net shows the namespace of the thread that opens it
        assertThat(r.netns().run(() -> Files.readString(Path.of("/proc/sys/net/ipv4/ip_forward")).trim())).isEqualTo("1");
        assertThat(Files.readString(r.resolvConfPath())).contains("nameserver 10.0.2.3\n");

        try (EchoServers server = EchoServers.openIn(sandbox.netns(), InetAddress.getLoopbackAddress())) {
            assertThat(egressToSandboxLoopback(r, server)).isEqualTo("hello through " + helper.binary());
            // the sandbox's server saw the connection come from its own loopback: the helper's socket
            assertThat(server.lastTcpPeer.getAddress().isLoopbackAddress()).isTrue();
        }

        assertThat(r.ensure()).isEqualTo(RootlessNetns.State.RUNNING);
        assertThat(r.helperPid()).hasValue(pid);
        assertThat(r.cleanupIfUnused(1)).isFalse();
        assertThat(NetnsManager.isNsfs(ns)).isTrue();

        assertThat(r.cleanupIfUnused(0)).isTrue();
        assertThat(HelperPidFile.alive(pid)).isFalse();
        assertThat(processesNaming(ns)).isEmpty();
        assertThat(r.dir()).doesNotExist();
        assertThat(Mounts.atOrBelow(runDir)).isEmpty();
        assertThat(r.ensureHelper()).isEqualTo(RootlessNetns.State.ABSENT);
        assertThat(r.dir()).doesNotExist();
        // cleaning up what is gone is fine
        assertThat(r.cleanupIfUnused(0)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Helper.class)
    void theHostLoopbackIsNotReachableUnlessAllowed(Helper helper) throws IOException {
        RootlessNetns r = rootless(RootlessConfig.defaults().withHelper(helper));
        assertThat(r.ensure()).isIn(RootlessNetns.State.CREATED, RootlessNetns.State.RUNNING);
        assertThat(r.helperPid()).as("the helper runs, so a refusal is its doing").isPresent();
        try (EchoServers server = EchoServers.openIn(sandbox.netns(), InetAddress.getLoopbackAddress())) {
            // refused by the helper: pasta refuses or resets, slirp4netns answers ICMP "network unreachable" for
            // the blocked gateway; the route itself is there (the test below reaches it when allowed)
            assertThatThrownBy(() -> egressToSandboxLoopback(r, server))
                    .isInstanceOfAny(java.net.ConnectException.class, java.net.SocketTimeoutException.class, java.net.SocketException.class);
            assertThat(ipIn(r.netnsPath(), "route", "show", "default").toString()).contains(r.config().gateway().getHostAddress());
        }
    }

    @ParameterizedTest
    @EnumSource(Helper.class)
    void aKilledHelperIsRestartedAndEgressWorksAgain(Helper helper) throws Exception {
        RootlessNetns r = rootless(RootlessConfig.defaults().withHelper(helper).withHostLoopback(true));
        r.ensure();
        Link bridge = TestBridge.create(r, "rlbr0", "10.91.0.1/24");
        int pid = r.helperPid().orElseThrow();
        assertThat(r.ensureHelper()).isEqualTo(RootlessNetns.State.RUNNING);

        Sys.kill(pid, Sys.SIGKILL);
        for (int i = 0; i < 300 && HelperPidFile.alive(pid); i++) {
            Thread.sleep(10);
        }
        assertThat(HelperPidFile.alive(pid)).isFalse();
        assertThat(r.helperPid()).isEmpty();

        assertThat(r.ensureHelper()).isEqualTo(RootlessNetns.State.RESTARTED);
        int again = r.helperPid().orElseThrow();
        assertThat(again).isNotEqualTo(pid);
        try (EchoServers server = EchoServers.openIn(sandbox.netns(), InetAddress.getLoopbackAddress())) {
            assertThat(egressToSandboxLoopback(r, server)).isEqualTo("hello through " + helper.binary());
        }
        // what was inside is kept: the bridge, with its index
        assertThat(ipIn(r.netnsPath(), "link", "show", "rlbr0").get(0).get("ifindex").asInt()).isEqualTo(bridge.index());
        JsonNode route = ipIn(r.netnsPath(), "route", "show", "default").get(0);
        assertThat(route.get("gateway").asText()).isEqualTo("10.0.2.2");
    }

    @Test
    void aStaleNetnsFileThatIsNotNsfsIsReplaced() throws IOException {
        RootlessNetns r = rootless(RootlessConfig.defaults().withHostLoopback(true));
        Files.createDirectories(r.dir());
        Files.writeString(r.netnsPath(), "left by a crash");
        Files.writeString(r.dir().resolve(HelperPidFile.NAME), "999999999\n");
        assertThat(NetnsManager.isNsfs(r.netnsPath())).isFalse();

        assertThat(r.ensureHelper()).isEqualTo(RootlessNetns.State.CREATED);
        assertThat(NetnsManager.isNsfs(r.netnsPath())).isTrue();
        try (EchoServers server = EchoServers.openIn(sandbox.netns(), InetAddress.getLoopbackAddress())) {
            assertThat(egressToSandboxLoopback(r, server)).isEqualTo("hello through pasta");
        }
    }

    @Test
    void aMissingHelperBinaryNamesThePackageAndLeavesNothing() {
        RootlessNetns r = new RootlessNetns(runDir, RootlessConfig.defaults(), sandbox.path(), Path.of("/nonexistent/pasta"));
        opened.add(r);
        assertThatThrownBy(r::ensure).isInstanceOfSatisfying(RootlessException.class, e -> {
            assertThat(e.reason()).isEqualTo("HelperMissing");
            assertThat(e.getMessage()).contains("passt", "apt-get install passt");
        });
        assertThat(r.dir()).doesNotExist();
        assertThat(Mounts.atOrBelow(runDir)).isEmpty();

        RootlessNetns slirp = new RootlessNetns(runDir, RootlessConfig.defaults().withHelper(Helper.SLIRP4NETNS), sandbox.path(),
                Path.of("/nonexistent/slirp4netns"));
        opened.add(slirp);
        assertThatThrownBy(slirp::ensure).isInstanceOfSatisfying(RootlessException.class,
                e -> assertThat(e.getMessage()).contains("apt-get install slirp4netns"));
    }

    @Test
    void aFailingHelperIsReportedWithItsLog() throws IOException {
        // a "pasta" that is really /bin/false: exits 1 without configuring anything
        Path fake = runDir.resolve("fake-pasta");
        Files.writeString(fake, "#!/bin/sh\necho 'fake pasta: no way' >&2\nexit 1\n");
        fake.toFile().setExecutable(true);
        RootlessNetns r = new RootlessNetns(runDir, RootlessConfig.defaults(), sandbox.path(), fake);
        opened.add(r);
        assertThatThrownBy(r::ensure).isInstanceOfSatisfying(RootlessException.class, e -> {
            assertThat(e.reason()).isEqualTo("HelperFailed");
            assertThat(e.getMessage()).contains("exited with status 1", "fake pasta: no way");
        });
        assertThat(r.dir()).doesNotExist();
    }

    @Test
    void runInsideUsesAPrivateMountNamespaceOnAThreadUsedOnce() throws Exception {
        RootlessNetns r = rootless(RootlessConfig.defaults());
        r.ensure();
        Files.writeString(r.dir().resolve("run").resolve("marker"), "prepared run dir");
        List<String> hostMounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        String rootlessInode = nsId(r.netnsPath());

        record Seen(Thread thread, String netns, String resolv, String marker, boolean sandboxNetnsVisible, String runMount,
                boolean nested) {
        }
        Seen seen = r.runInside(() -> {
            boolean nested;
            try {
                r.runInside(() -> null);
                nested = true;
            } catch (IllegalStateException e) {
                nested = false;
            }
            String runLine = Files.readAllLines(Path.of("/proc/thread-self/mountinfo")).stream()
                    .filter(l -> l.split(" ")[4].equals("/run")).reduce((a, b) -> b).orElse("");
            return new Seen(Thread.currentThread(), Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString(),
                    Files.readString(Path.of("/etc/resolv.conf")), Files.readString(Path.of("/run/marker")),
                    Files.exists(Path.of("/run/netns", sandbox.name())), runLine, nested);
        });
        assertThat(seen.netns()).isEqualTo(rootlessInode);
        assertThat(seen.resolv()).isEqualTo(Files.readString(r.resolvConfPath())).contains("nameserver 10.0.2.3");
        assertThat(seen.marker()).isEqualTo("prepared run dir");
        assertThat(seen.sandboxNetnsVisible()).isTrue();
        // slave, not private nor shared: "master:N" among the optional fields, no "shared:"
        assertThat(seen.runMount()).contains(" master:").doesNotContain("shared:");
        assertThat(seen.nested()).isFalse();
        seen.thread().join(5000);
        assertThat(seen.thread().isAlive()).isFalse();
        assertThat(seen.thread()).isNotEqualTo(Thread.currentThread());
        // nothing of it shows in the agent's mount namespace, and the host's resolv.conf is untouched
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo"))).containsExactlyInAnyOrderElementsOf(hostMounts);
        assertThat(Files.readString(Path.of("/etc/resolv.conf"))).doesNotContain("Generated by podnet");

        // a second call gets a fresh thread; failures come back as they are
        Thread second = r.runInside(Thread::currentThread);
        assertThat(second).isNotEqualTo(seen.thread());
        assertThatThrownBy(() -> r.runInside(() -> {
            throw new IllegalArgumentException("from inside");
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("from inside");
    }

    @Test
    void twoAgentsRacingForTheSameConfigShareOneNetns() throws Exception {
        RootlessNetns a = rootless(RootlessConfig.defaults());
        RootlessNetns b = rootless(RootlessConfig.defaults());
        CompletableFuture<RootlessNetns.State> fa = CompletableFuture.supplyAsync(a::ensure, r -> new Thread(r).start());
        CompletableFuture<RootlessNetns.State> fb = CompletableFuture.supplyAsync(b::ensure, r -> new Thread(r).start());
        List<RootlessNetns.State> states = List.of(fa.get(60, TimeUnit.SECONDS), fb.get(60, TimeUnit.SECONDS));
        assertThat(states).containsExactlyInAnyOrder(RootlessNetns.State.CREATED, RootlessNetns.State.RUNNING);
        OptionalInt pid = a.helperPid();
        assertThat(pid).isPresent();
        assertThat(b.helperPid()).isEqualTo(pid);
        assertThat(processesNaming(a.netnsPath())).containsExactly(pid.getAsInt());
        // another configuration is another rootless netns
        RootlessNetns c = rootless(RootlessConfig.defaults().withMtu(1500));
        assertThat(c.dir()).isNotEqualTo(a.dir());
        assertThat(IpAddresses.format(c.config().gateway())).isEqualTo("10.0.2.2");
    }
}
