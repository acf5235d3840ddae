package io.podnet.rootless;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.inet.Protocol;
import io.podnet.netlink.Link;
import io.podnet.netlink.LinkOptions;
import io.podnet.netlink.Route;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Sandbox;
import io.podnet.testing.SandboxUplink;

/**
 * The forwarder between a sandbox playing the host and a pod namespace wired by hand to a bridge
 * in the rootless netns: clients on the sandbox's loopback reach the pod's servers.
 */
@RequiresRoot
class PortForwarderKernelTest {
    private static final InetAddress POD_IP = IpAddresses.parse("10.91.0.5");
    private static final InetAddress GATEWAY = IpAddresses.parse("10.91.0.1");
    private static final InetAddress LOOPBACK = IpAddresses.parse("127.0.0.1");

    private final NetnsManager netnsDir = new NetnsManager(Sandbox.NETNS_DIR);
    private Sandbox sandbox;
    private Path runDir;
    private RootlessNetns rootless;
    private String podName;
    private Netns pod;
    private EchoServers servers;
    private PortForwarder forwarder;

    @BeforeEach
    void start() throws IOException {
        sandbox = new Sandbox();
        SandboxUplink.add(sandbox);
        runDir = Files.createTempDirectory("podnet-rootless-test-");
        rootless = new RootlessNetns(runDir, RootlessConfig.defaults(), sandbox.path());
        Link bridge = TestBridge.create(rootless, "rlbr0", "10.91.0.1/24");

        podName = "podnet-test-pod-" + UUID.randomUUID().toString().substring(0, 8);
        pod = netnsDir.createOrOpen(podName);
        try (RtnlClient inRootless = rootless.netns().run(RtnlClient::open)) {
            inRootless.createVeth("rlpod0", LinkOptions.defaults().withMaster(bridge.index()).withUp(true), "eth0",
                    LinkOptions.defaults(), pod.fd());
        }
        try (RtnlClient inPod = pod.run(RtnlClient::open)) {
            inPod.setUp(inPod.link("lo").orElseThrow().index());
            int eth0 = inPod.link("eth0").orElseThrow().index();
            inPod.addAddress(eth0, Cidr.parse("10.91.0.5/24"));
            inPod.setUp(eth0);
            inPod.addRoute(Route.defaultVia(GATEWAY, eth0));
        }
        servers = EchoServers.openIn(pod, POD_IP);
        forwarder = new PortForwarder(sandbox.path(), rootless.netnsPath(),
                PortForwarder.Settings.defaults().withUdpIdleTimeout(Duration.ofMillis(500)));
    }

    @AfterEach
    void stop() throws IOException {
        try {
            if (forwarder != null) {
                forwarder.close();
            }
            if (servers != null) {
                servers.close();
            }
            if (pod != null) {
                pod.close();
                netnsDir.delete(podName);
            }
            if (rootless != null) {
                rootless.cleanupIfUnused(0);
            }
        } finally {
            sandbox.close();
            try (Stream<Path> s = Files.walk(runDir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        assertThat(Thread.getAllStackTraces().keySet().stream().map(Thread::getName))
                .noneMatch(n -> n.startsWith("podnet-forwarder-") || n.startsWith("podnet-socket-source-"));
    }

    /** Sends {@code payload} and half-closes while another thread reads everything back. */
    private byte[] exchange(int port, byte[] payload) {
        return sandbox.netns().run(() -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(LOOPBACK, port), 3000);
                s.setSoTimeout(10_000);
                CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                    try {
                        s.getOutputStream().write(payload);
                        s.shutdownOutput();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, r -> new Thread(r).start());
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[65536];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    got.write(buf, 0, n);
                }
                writer.get(10, TimeUnit.SECONDS);
                return got.toByteArray();
            }
        });
    }

    private static byte[] expectedEcho(byte[] payload) {
        byte[] trailer = ("EOF:" + payload.length).getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(payload, payload.length + trailer.length);
        System.arraycopy(trailer, 0, all, payload.length, trailer.length);
        return all;
    }

    private String udp(int port, String text) {
        return sandbox.netns().run(() -> EchoServers.udpRoundTrip(new InetSocketAddress(LOOPBACK, port), text));
    }

    @Test
    void tcpCarriesBulkDataBothWaysWithHalfCloseFromTheGatewayAddress() {
        ForwardSpec spec = ForwardSpec.tcp("pod-a", LOOPBACK, 0, POD_IP, servers.port());
        List<InetSocketAddress> bound = forwarder.start(spec);
        assertThat(bound).hasSize(1);
        int port = bound.get(0).getPort();
        assertThat(port).isPositive();
        assertThat(forwarder.start(spec)).isEqualTo(bound); // idempotent

        byte[] payload = new byte[8 << 20];
        ThreadLocalRandom.current().nextBytes(payload);
        // 8 MiB echoed while it is being sent: far more than the socket buffers, so back-pressure is exercised
        assertThat(exchange(port, payload)).isEqualTo(expectedEcho(payload));
        // a proxy: the pod sees the rootless netns' address on its bridge, not the client's
        assertThat(servers.lastTcpPeer.getAddress()).isEqualTo(GATEWAY);

        for (int i = 0; i < 5; i++) {
            byte[] small = ("small " + i).getBytes(StandardCharsets.UTF_8);
            assertThat(exchange(port, small)).isEqualTo(expectedEcho(small));
        }
        ForwardCounters c = forwarder.counters(spec).orElseThrow();
        assertThat(c.connectionsAccepted()).isEqualTo(6);
        assertThat(c.bytesToPod()).isEqualTo(payload.length + 5 * 7);
        assertThat(c.bytesFromPod()).isEqualTo(c.bytesToPod() + 11 + 5 * 5); // + "EOF:8388608" and five "EOF:7"
        assertThat(c.connectFailures()).isZero();
        assertThat(waitFor(() -> forwarder.counters(spec).orElseThrow().connectionsActive() == 0)).isTrue();
    }

    @Test
    void theCopyPathCarriesBulkDataAndHalfCloseToo() {
        forwarder.close();
        forwarder = new PortForwarder(sandbox.path(), rootless.netnsPath(), PortForwarder.Settings.defaults().withSplice(false));
        int port = forwarder.start(ForwardSpec.tcp("pod-a", LOOPBACK, 0, POD_IP, servers.port())).get(0).getPort();
        byte[] payload = new byte[8 << 20];
        ThreadLocalRandom.current().nextBytes(payload);
        assertThat(exchange(port, payload)).isEqualTo(expectedEcho(payload));
    }

    @Test
    void udpKeepsOneFlowPerClientAndExpiresIdleOnes() throws Exception {
        ForwardSpec spec = ForwardSpec.udp("pod-a", LOOPBACK, 0, POD_IP, servers.port());
        int port = forwarder.start(spec).get(0).getPort();
        assertThat(udp(port, "one")).as(() -> "counters " + forwarder.counters(spec) + " peer " + servers.lastUdpPeer).isEqualTo("echo:one");
        assertThat(udp(port, "two")).isEqualTo("echo:two");
        assertThat(servers.lastUdpPeer.getAddress()).isEqualTo(GATEWAY);
        ForwardCounters c = forwarder.counters(spec).orElseThrow();
        assertThat(c.udpFlowsCreated()).isEqualTo(2);
        assertThat(c.bytesToPod()).isEqualTo(6);
        assertThat(c.bytesFromPod()).isEqualTo(16);
        assertThat(waitFor(() -> forwarder.counters(spec).orElseThrow().udpFlowsActive() == 0)).isTrue();
        assertThat(forwarder.counters(spec).orElseThrow().udpFlowsExpired()).isEqualTo(2);
        // a datagram after expiry opens a new flow
        assertThat(udp(port, "three")).isEqualTo("echo:three");
    }

    @Test
    void aRestartedForwarderGetsTheSamePortsBackAtOnce() {
        ForwardSpec first = ForwardSpec.tcp("pod-a", LOOPBACK, 0, POD_IP, servers.port());
        int port = forwarder.start(first).get(0).getPort();
        for (int i = 0; i < 3; i++) {
            exchange(port, "x".getBytes(StandardCharsets.UTF_8)); // leaves TIME_WAIT on the host port
        }
        forwarder.stop(first);
        ForwardSpec tcp = ForwardSpec.tcp("pod-a", LOOPBACK, port, POD_IP, servers.port());
        ForwardSpec udp = ForwardSpec.udp("pod-a", LOOPBACK, port, POD_IP, servers.port());
        for (int round = 0; round < 3; round++) {
            assertThat(forwarder.start(tcp).get(0).getPort()).isEqualTo(port);
            assertThat(forwarder.start(udp).get(0).getPort()).isEqualTo(port);
            assertThat(exchange(port, "again".getBytes(StandardCharsets.UTF_8))).isEqualTo(expectedEcho("again".getBytes()));
            assertThat(udp(port, "again")).isEqualTo("echo:again");
            assertThat(forwarder.stopOwner("pod-a")).isEqualTo(2);
            assertThat(forwarder.active()).isEmpty();
        }
        // and a new forwarder (an agent restart) too
        forwarder.start(tcp);
        exchange(port, "y".getBytes(StandardCharsets.UTF_8));
        forwarder.close();
        forwarder = new PortForwarder(sandbox.path(), rootless.netnsPath(), PortForwarder.Settings.defaults());
        assertThat(forwarder.start(tcp).get(0).getPort()).isEqualTo(port);
        assertThat(exchange(port, "z".getBytes(StandardCharsets.UTF_8))).isEqualTo(expectedEcho("z".getBytes()));
    }

    @Test
    void conflictsAndUnreachablePodsAreReported() {
        ForwardSpec spec = ForwardSpec.tcp("pod-a", LOOPBACK, 0, POD_IP, servers.port());
        int port = forwarder.start(spec).get(0).getPort();
        assertThatThrownBy(() -> forwarder.start(ForwardSpec.tcp("pod-b", null, port, POD_IP, 9)))
                .isInstanceOfSatisfying(ForwardException.class, e -> assertThat(e.reason()).isEqualTo("HostPortInUse"));
        // taken by someone else in the host namespace
        try (var other = sandbox.netns().run(() -> new java.net.ServerSocket(0, 1, LOOPBACK))) {
            assertThatThrownBy(() -> forwarder.start(ForwardSpec.tcp("pod-b", LOOPBACK, other.getLocalPort(), POD_IP, 9)))
                    .isInstanceOfSatisfying(ForwardException.class, e -> assertThat(e.reason()).isEqualTo("HostPortInUse"))
                    // the condition names the holder: this JVM, found from the sandbox's sockets and /proc/PID/fd
                    .hasMessageContaining(other.getLocalPort() + " by pid " + ProcessHandle.current().pid() + " (java)");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertThat(forwarder.active()).containsExactly(spec);
        // 0.0.0.0 is every IPv4 address: a second forward on 127.0.0.1 is refused before any bind
        int free = sandbox.netns().run(() -> {
            try (var probe = new java.net.ServerSocket(0, 1, LOOPBACK)) {
                return probe.getLocalPort();
            }
        });
        ForwardSpec wildcard = ForwardSpec.tcp("pod-c", io.podnet.inet.IpAddresses.parse("0.0.0.0"), free, POD_IP, servers.port());
        forwarder.start(wildcard);
        assertThatThrownBy(() -> forwarder.start(ForwardSpec.tcp("pod-d", LOOPBACK, free, POD_IP, 9)))
                .isInstanceOfSatisfying(ForwardException.class, e -> assertThat(e).hasMessageContaining("already forwarded by"));
        forwarder.stop(wildcard);

        // nothing listens on the pod's port 9: the client sees its connection end, the counter says why
        ForwardSpec dead = ForwardSpec.tcp("pod-b", LOOPBACK, 0, POD_IP, 9);
        int deadPort = forwarder.start(dead).get(0).getPort();
        assertThatThrownBy(() -> {
            byte[] got = exchange(deadPort, "anyone?".getBytes(StandardCharsets.UTF_8));
            if (got.length == 0) {
                throw new IOException("closed without data");
            }
        }).satisfies(e -> assertThat(java.util.stream.Stream.iterate(e, t -> t != null, Throwable::getCause).anyMatch(IOException.class::isInstance))
                .as("closed or reset, never an answer: %s", e).isTrue());
        assertThat(forwarder.counters(dead).orElseThrow().connectFailures()).isEqualTo(1);
        forwarder.stopAll();
        assertThat(forwarder.active()).isEmpty();
        assertThat(forwarder.counters().connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void aRangeForwardsEachPortToItsPodPort() {
        // the pod's second server on the port after the first one's; host ports from the sandbox's free ones
        try (EchoServers second = EchoServers.openIn(pod, POD_IP, servers.port() + 1)) {
            int base = forwarder.start(ForwardSpec.tcp("probe", LOOPBACK, 0, POD_IP, 1)).get(0).getPort();
            forwarder.stopOwner("probe");
            ForwardSpec range = new ForwardSpec("pod-a", Protocol.TCP, LOOPBACK, base, POD_IP, servers.port(), 2);
            List<InetSocketAddress> bound = forwarder.start(range);
            assertThat(bound).extracting(InetSocketAddress::getPort).containsExactly(base, base + 1);
            assertThat(exchange(base, "a".getBytes())).isEqualTo(expectedEcho("a".getBytes()));
            assertThat(exchange(base + 1, "b".getBytes())).isEqualTo(expectedEcho("b".getBytes()));
            assertThat(servers.lastTcpPeer).isNotNull();
            assertThat(second.lastTcpPeer).isNotNull();
        }
    }

    @Test
    void aPodThatDoesNotReadStopsTheClientInsteadOfFillingMemory() throws Exception {
        java.util.concurrent.CountDownLatch startReading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        try (java.net.ServerSocket slow = pod.run(() -> new java.net.ServerSocket(0, 1, POD_IP))) {
            Thread reader = new Thread(() -> {
                try (Socket c = slow.accept()) {
                    startReading.await();
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = c.getInputStream().read(buf)) > 0) {
                        received.addAndGet(n);
                    }
                } catch (Exception e) {
                    // the test checks the count
                }
            });
            reader.setDaemon(true);
            reader.start();
            ForwardSpec spec = ForwardSpec.tcp("pod-a", LOOPBACK, 0, POD_IP, slow.getLocalPort());
            int port = forwarder.start(spec).get(0).getPort();

            long sent = sandbox.netns().run(() -> {
                try (java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open(new InetSocketAddress(LOOPBACK, port))) {
                    c.configureBlocking(false);
                    java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(1 << 20);
                    long total = 0;
                    long lastProgress = System.nanoTime();
                    // write until nothing more is taken for half a second (bounded: 256 MiB or 20 s)
                    long deadline = System.nanoTime() + 20_000_000_000L;
                    while (total < (256L << 20) && System.nanoTime() - lastProgress < 500_000_000L && System.nanoTime() < deadline) {
                        chunk.clear();
                        int n = c.write(chunk);
                        if (n > 0) {
                            total += n;
                            lastProgress = System.nanoTime();
                        } else {
                            Thread.sleep(5);
                        }
                    }
                    long stalled = total;
                    // the pod starts reading: everything written so far, and more, gets through
                    startReading.countDown();
                    long more = 0;
                    while (more < (8L << 20) && System.nanoTime() < deadline) {
                        chunk.clear();
                        int n = c.write(chunk);
                        more += n;
                        if (n == 0) {
                            Thread.sleep(1);
                        }
                    }
                    c.shutdownOutput();
                    return stalled;
                }
            });
            // what the kernel's socket buffers on both sides and one kept chunk can hold, not 256 MiB
            assertThat(sent).isLessThan(64L << 20);
            long stalledToPod = sent;
            assertThat(waitFor(() -> received.get() >= stalledToPod + (8L << 20))).isTrue();
            assertThat(forwarder.counters(spec).orElseThrow().bytesToPod()).isEqualTo(received.get());
        }
    }

    @Test
    void aResetFromThePodResetsTheClient() throws Exception {
        try (java.net.ServerSocket resetting = pod.run(() -> new java.net.ServerSocket(0, 1, POD_IP))) {
            Thread server = new Thread(() -> {
                try (Socket c = resetting.accept()) {
                    c.setSoTimeout(10_000);
                    c.getInputStream().read();
                    c.setSoLinger(true, 0); // the close sends a RST
                } catch (IOException e) {
                    // the client's assertion says what happened
                }
            });
            server.setDaemon(true);
            server.start();
            int port = forwarder.start(ForwardSpec.tcp("pod-a", LOOPBACK, 0, POD_IP, resetting.getLocalPort())).get(0).getPort();
            Throwable seen = sandbox.netns().run(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(LOOPBACK, port), 3000);
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write('x');
                    s.getInputStream().read();
                    return null;
                } catch (IOException e) {
                    return e;
                }
            });
            assertThat(seen).as("a reset, not an orderly end").isInstanceOf(java.net.SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @Test
    void aResetFromTheClientResetsThePod() throws Exception {
        CompletableFuture<Throwable> podSaw = new CompletableFuture<>();
        try (java.net.ServerSocket server = pod.run(() -> new java.net.ServerSocket(0, 1, POD_IP))) {
            Thread t = new Thread(() -> {
                try (Socket c = server.accept()) {
                    c.setSoTimeout(10_000);
                    c.getOutputStream().write('y'); // the client reads it, then resets
                    int r = c.getInputStream().read();
                    podSaw.complete(new AssertionError("read returned " + r));
                } catch (IOException e) {
                    podSaw.complete(e);
                }
            });
            t.setDaemon(true);
            t.start();
            int port = forwarder.start(ForwardSpec.tcp("pod-a", LOOPBACK, 0, POD_IP, server.getLocalPort())).get(0).getPort();
            sandbox.netns().run(() -> {
                Socket s = new Socket();
                s.connect(new InetSocketAddress(LOOPBACK, port), 3000);
                s.setSoTimeout(10_000);
                assertThat(s.getInputStream().read()).isEqualTo('y');
                s.setSoLinger(true, 0);
                s.close();
                return null;
            });
            assertThat(podSaw.get(15, TimeUnit.SECONDS)).isInstanceOf(java.net.SocketException.class).hasMessageContaining("reset");
        }
    }

    @Test
    void manyConnectionsLeaveNoDescriptorsBehind() throws Exception {
        forwarder.close();
        long beforeForwarder = openDescriptors();
        long pipesBefore = openPipes();
        forwarder = new PortForwarder(sandbox.path(), rootless.netnsPath(), PortForwarder.Settings.defaults());
        ForwardSpec spec = ForwardSpec.tcp("pod-a", LOOPBACK, 0, POD_IP, servers.port());
        int port = forwarder.start(spec).get(0).getPort();
        byte[] bulk = new byte[256 << 10];
        ThreadLocalRandom.current().nextBytes(bulk);
        byte[] small = "hello".getBytes(StandardCharsets.US_ASCII);
        // a warm-up fills the socket source's pool and the loops' spare pipes, which stay
        for (int i = 0; i < 8; i++) {
            assertThat(exchange(port, bulk)).isEqualTo(expectedEcho(bulk));
        }
        assertThat(waitFor(() -> forwarder.counters(spec).orElseThrow().connectionsActive() == 0)).isTrue();
        long warm = openDescriptors();
        for (int i = 0; i < 200; i++) {
            byte[] payload = i % 4 == 0 ? bulk : small;
            assertThat(exchange(port, payload)).isEqualTo(expectedEcho(payload));
        }
        assertThat(waitFor(() -> forwarder.counters(spec).orElseThrow().connectionsActive() == 0)).isTrue();
        // what may differ: the loops' spare pipes (up to 8 a loop, 2 descriptors each) and the socket
        // source's pool refilling; a leak of one descriptor per connection would be 200 or more
        assertThat(waitFor(() -> openDescriptors() <= warm + 2 * 8 * PortForwarder.Settings.defaults().selectorThreads() + 4))
                .as("descriptors %d after, %d before", openDescriptors(), warm).isTrue();
        assertThat(forwarder.counters(spec).orElseThrow().connectionsAccepted()).isEqualTo(208);
        forwarder.close();
        assertThat(waitFor(() -> openDescriptors() <= beforeForwarder))
                .as("descriptors %d after close, %d before the forwarder", openDescriptors(), beforeForwarder).isTrue();
        assertThat(openPipes()).isEqualTo(pipesBefore);
    }

    private static long openDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long openPipes() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(f -> {
                try {
                    return Files.readSymbolicLink(f).toString().startsWith("pipe:");
                } catch (IOException e) {
                    return false; // closed meanwhile
                }
            }).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Drains and expiries: at once when they happen, 15 s at the most (a busy 2-core machine is slow, not wrong). */
    private static boolean waitFor(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return condition.getAsBoolean();
    }
}
