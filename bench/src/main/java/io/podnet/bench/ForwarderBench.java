package io.podnet.bench;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.rootless.PortForwarder;
import io.podnet.rootless.RootlessConfig;
import io.podnet.rootless.RootlessNetns;
import io.podnet.testing.Sandbox;
import io.podnet.testing.Shell;
import io.podnet.testing.SandboxUplink;

/**
 * The rootless port forwarder against rootlessport (Podman 4's, /usr/lib/podman/rootlessport)
 * and pasta's own port forwarding, side by side in one run. Not a test: run it by hand, as root,
 * from the repository root:
 *
 * <pre>
 * bench/run ForwarderBench [rounds [selector threads [buffer KiB]]]
 * </pre>
 *
 * <p>Everything happens on loopback inside namespaces it creates and removes: a sandbox H plays
 * the host; a rootless netns R (with its pasta egress helper) is where PortForwarder and
 * rootlessport connect to; a namespace P is served by a second pasta started with {@code -t}.
 * The client always connects to 127.0.0.1 in H, and the proxy connects to 127.0.0.1 in R (or P),
 * where the servers listen. A "direct" row, client and server both in R with no proxy, shows
 * the ceiling. The proxy's own CPU time (its threads' or processes' time on a CPU) per GiB
 * moved and per connection is printed too: it depends less than the rates on what else the
 * machine is doing. podnet's forwarder runs twice, each in a JVM of its own
 * ({@link ForwarderProcess}, -XX:+UseSerialGC as bench/run), so its CPU time (schedstat of every
 * thread, JIT and GC included) and memory are a process's as the peers' are: splicing (the
 * default) and copying through Java buffers (as before splice), with the default settings unless
 * the arguments say otherwise.
 *
 * <ul>
 * <li>throughput: {@code iperf3 -c 127.0.0.1 -p PORT -t 2 -P 1} and {@code -P 4}, client in H,
 * {@code iperf3 -s} in R or P; {@code rounds} runs each (default 5), median and range of the
 * receiver's rate;</li>
 * <li>connections per second: 8 client threads in this JVM, in H, each connecting, sending one
 * byte, reading one byte and the server's EOF, then closing; the server (in this JVM, in R or P)
 * answers and closes first. {@code rounds} rounds of 2 s after a warm-up of 3 s (the JIT
 * compiles the forwarder's paths meanwhile); the median rate, and the median and p90 of the
 * per-connection time;</li>
 * <li>memory: last, each proxy in turn holds 1000 idle connections (connected, nothing sent) to a
 * server in R or P; the growth of its resident memory (VmRSS, children included), in MiB.</li>
 * </ul>
 *
 * rootlessport is driven standalone: it reads its JSON configuration on stdin (Mappings,
 * NetNSPath of the child netns, ExitFD, ReadyFD, TmpDir, ChildIP), writes "1" on the ready fd
 * once it listens, and exits when the exit fd reaches EOF. A /bin/sh wrapper opens fd 3 on a
 * FIFO this JVM holds open for writing, and fd 4 on a file that is polled.
 */
public final class ForwarderBench {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int IPERF_PORT = 5201;
    private static final int CPS_PORT = 6000;
    private static final int IDLE_PORT = 7000;
    private static final int IDLE_CONNECTIONS = 1000;
    private static final int CPS_THREADS = 8;
    private static final long CPS_ROUND_MS = 2000;
    /** Before the rounds: long enough for the JIT to have compiled the forwarder's paths. */
    private static final long CPS_WARMUP_MS = 3000;

    private ForwarderBench() {
    }

    /** One way from H's 127.0.0.1 to a server: which ports to use and which namespace the servers are in. */
    private record Route(String name, int iperfPort, int cpsPort, int idlePort, Netns clientNs, long pid) {
        long cpuNanos() {
            return pid == 0 ? 0 : processCpu(pid);
        }
    }

    /** Resident memory (KiB) of a process and its children (rootlessport has one in the child netns). */
    private static long processRssKib(long pid) {
        long sum = 0;
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("VmRSS:")) {
                    sum += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
                for (Path t : (Iterable<Path>) tasks::iterator) {
                    for (String child : Files.readString(t.resolve("children")).trim().split(" ")) {
                        if (!child.isEmpty()) {
                            sum += processRssKib(Long.parseLong(child));
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // a process that ended meanwhile
        }
        return sum;
    }

    /** CPU time (ns) of a process, its threads and its children's (schedstat: time on a CPU). */
    private static long processCpu(long pid) {
        long sum = 0;
        Path proc = Path.of("/proc", Long.toString(pid));
        try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    sum += Long.parseLong(Files.readString(t.resolve("schedstat")).trim().split(" ")[0]);
                    for (String child : Files.readString(t.resolve("children")).trim().split(" ")) {
                        if (!child.isEmpty()) {
                            sum += processCpu(Long.parseLong(child));
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // a thread that ended meanwhile
                }
            }
        } catch (IOException e) {
            return sum;
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        PortForwarder.Settings settings = PortForwarder.Settings.defaults();
        if (args.length > 1) {
            settings = settings.withSelectorThreads(Integer.parseInt(args[1]));
        }
        if (args.length > 2) {
            settings = settings.withBufferSize(Integer.parseInt(args[2]) << 10);
        }
        String id = UUID.randomUUID().toString().substring(0, 8);
        NetnsManager netnsDir = new NetnsManager(Sandbox.NETNS_DIR);
        String pName = "podnet-bench-" + id + "-p";
        Path runDir = Files.createTempDirectory("podnet-bench-");
        List<Process> processes = new ArrayList<>();
        List<AutoCloseable> closers = new ArrayList<>();
        try (Sandbox host = new Sandbox()) {
            SandboxUplink.add(host);
            RootlessNetns rootless = new RootlessNetns(runDir, RootlessConfig.defaults(), host.path());
            try (Netns p = netnsDir.createOrOpen(pName)) {
                rootless.ensure();
                Netns r = rootless.netns();
                for (Path ns : List.of(host.path(), rootless.netnsPath(), p.path())) {
                    // a wide port range and TIME_WAIT reuse, only in the bench's own namespaces
                    Shell.ok("nsenter", "--net=" + ns, "sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65000",
                            "net.ipv4.tcp_tw_reuse=1");
                }
                Shell.ok("nsenter", "--net=" + p.path(), "ip", "link", "set", "lo", "up");

                // servers in R and P
                for (Path ns : List.of(rootless.netnsPath(), p.path())) {
                    processes.add(start(runDir.resolve("iperf3-" + ns.getFileName() + ".log"), "nsenter", "--net=" + ns,
                            "iperf3", "-s", "-p", Integer.toString(IPERF_PORT)));
                }
                closers.add(CpsServer.open(r));
                closers.add(CpsServer.open(p));
                IdleServer idleR = IdleServer.open(r);
                IdleServer idleP = IdleServer.open(p);
                closers.add(idleR);
                closers.add(idleP);

                // podnet's forwarder, each in a JVM of its own: H -> R, splicing, and copying as before
                ForwarderChild spliced = ForwarderChild.start(runDir, "splice", host.path(), rootless.netnsPath(), settings,
                        15201, 16000, 17000);
                closers.add(spliced);
                ForwarderChild copying = ForwarderChild.start(runDir, "copy", host.path(), rootless.netnsPath(), settings,
                        45201, 46000, 47000);
                closers.add(copying);

                // rootlessport: H -> R
                Rootlessport rp = Rootlessport.start(runDir, host.path(), rootless.netnsPath(),
                        new int[][] {{25201, IPERF_PORT}, {26000, CPS_PORT}, {27000, IDLE_PORT}});
                closers.add(rp);

                // pasta's own forwarding: H -> P
                Path pastaPid = runDir.resolve("pasta-fwd.pid");
                List<String> pastaCmd = List.of("nsenter", "--net=" + host.path(), "pasta", "--config-net", "--foreground",
                        "--runas", "0", "--netns", p.path().toString(), "--pid", pastaPid.toString(), "--address", "10.0.3.100",
                        "--netmask", "24", "--gateway", "10.0.3.2", "--ns-ifname", "tap0", "--ipv4-only",
                        "-t", "127.0.0.1/35201:" + IPERF_PORT, "-t", "127.0.0.1/36000:" + CPS_PORT, "-t", "127.0.0.1/37000:" + IDLE_PORT,
                        "-u", "none", "-T", "none",
                        "-U", "none", "--log-file", runDir.resolve("pasta-fwd.log").toString());
                Process pasta = start(runDir.resolve("pasta-fwd.out"), pastaCmd.toArray(String[]::new));
                processes.add(pasta);
                try {
                    awaitFile(pastaPid, pasta);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException("pasta -t did not start: " + e.getMessage() + ": "
                            + Files.readString(runDir.resolve("pasta-fwd.out")).replaceAll("Failed to send [0-9]+ bytes to syslog\n", ""), e);
                }

                Thread.sleep(300); // iperf3 servers listening
                System.out.printf("ForwarderBench: client on 127.0.0.1 of a sandbox host -> proxy -> server on 127.0.0.1 of the target netns%n");
                System.out.printf("command: bench/run ForwarderBench %s   (%s %s, %d cores, %d rounds, forwarder %s)%n",
                        String.join(" ", args), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                        Runtime.getRuntime().availableProcessors(), rounds, settings);
                System.out.printf("load average before: %s", Files.readString(Path.of("/proc/loadavg")));
                System.out.printf("iperf3: iperf3 -c 127.0.0.1 -p PORT -t 2 -P N -J  (client in H, iperf3 -s in the target)%n");
                System.out.printf("podnet: %s%n", spliced.describe());
                System.out.printf("rootlessport: %s%n", rp.describe());
                System.out.printf("pasta: %s%n%n", String.join(" ", pastaCmd));

                List<Route> routes = List.of(
                        new Route("podnet, splice", 15201, 16000, 17000, host.netns(), spliced.pid()),
                        new Route("podnet, copy (before)", 45201, 46000, 47000, host.netns(), copying.pid()),
                        new Route("rootlessport (podman 4.3.1)", 25201, 26000, 27000, host.netns(), rp.pid()),
                        new Route("pasta -t (2023-03-09)", 35201, 36000, 37000, host.netns(), pasta.pid()),
                        new Route("direct, no proxy (in R)", IPERF_PORT, CPS_PORT, 0, r, 0));
                System.out.printf("%-30s %22s %22s %12s %18s %12s %12s %12s %12s%n", "", "1 stream Gbit/s", "4 streams Gbit/s",
                        "conn/s", "conn time ms", "CPU s/GiB", "CPU s/GiB", "CPU", "RSS MiB per");
                System.out.printf("%-30s %22s %22s %12s %18s %12s %12s %12s %12s%n", "", "median (min-max)", "median (min-max)",
                        "median", "median / p90", "1 stream", "4 streams", "us per conn", "1000 idle");
                // rounds interleave the proxies, so a change in the machine's load hits them all alike
                int n = routes.size();
                double[][] one = new double[n][rounds];
                double[][] four = new double[n][rounds];
                double[][] rates = new double[n][rounds];
                long[] bulkCpu = new long[n];
                double[] bulkBytes = new double[n];
                long[] bulkCpu4 = new long[n];
                double[] bulkBytes4 = new double[n];
                long[] cpsCpu = new long[n];
                long[] connections = new long[n];
                List<List<long[]>> times = new ArrayList<>();
                // throughput first, then connections, each with the proxies interleaved round by round
                for (int k = 0; k < n; k++) {
                    times.add(new ArrayList<>());
                    iperf(routes.get(k).clientNs() == r ? rootless.netnsPath() : host.path(), routes.get(k).iperfPort(), 1); // warm-up
                }
                for (int i = 0; i < rounds; i++) {
                    for (int k = 0; k < n; k++) {
                        Route route = routes.get(k);
                        Path clientNs = route.clientNs() == r ? rootless.netnsPath() : host.path();
                        long c0 = route.cpuNanos();
                        double[] a = iperf(clientNs, route.iperfPort(), 1);
                        long c1 = route.cpuNanos();
                        double[] b = iperf(clientNs, route.iperfPort(), 4);
                        bulkCpu[k] += c1 - c0;
                        bulkCpu4[k] += route.cpuNanos() - c1;
                        one[k][i] = a[0];
                        four[k][i] = b[0];
                        bulkBytes[k] += a[1];
                        bulkBytes4[k] += b[1];
                    }
                }
                for (int k = 0; k < n; k++) {
                    cpsRound(routes.get(k).clientNs(), new InetSocketAddress(LOOPBACK, routes.get(k).cpsPort()), CPS_WARMUP_MS);
                }
                for (int i = 0; i < rounds; i++) {
                    for (int k = 0; k < n; k++) {
                        Route route = routes.get(k);
                        long c1 = route.cpuNanos();
                        long t0 = System.nanoTime();
                        List<long[]> round = cpsRound(route.clientNs(), new InetSocketAddress(LOOPBACK, route.cpsPort()), CPS_ROUND_MS);
                        long made = round.stream().mapToLong(t -> t.length).sum();
                        rates[k][i] = made / ((System.nanoTime() - t0) / 1e9);
                        times.get(k).addAll(round);
                        cpsCpu[k] += route.cpuNanos() - c1;
                        connections[k] += made;
                    }
                }
                // memory last: each proxy holds IDLE_CONNECTIONS idle connections, one proxy at a time
                double[] idleMib = new double[n];
                for (int k = 0; k < n; k++) {
                    Route route = routes.get(k);
                    if (route.pid() == 0) {
                        idleMib[k] = Double.NaN;
                        continue;
                    }
                    idleMib[k] = idleGrowthMib(route, route.clientNs() == r || route.name().startsWith("pasta") ? idleP : idleR);
                }
                for (int k = 0; k < n; k++) {
                    long[] flat = times.get(k).stream().flatMapToLong(Arrays::stream).sorted().toArray();
                    double[] rs = rates[k].clone();
                    Arrays.sort(rs);
                    System.out.printf("%-30s %22s %22s %12.0f %18s %12.3f %12.3f %12.1f %12.1f%n", routes.get(k).name(), summary(one[k]),
                            summary(four[k]), rs[rs.length / 2], String.format("%.3f / %.3f", flat[flat.length / 2] / 1e6,
                                    flat[(int) Math.ceil(flat.length * 0.9) - 1] / 1e6),
                            bulkCpu[k] / 1e9 / (bulkBytes[k] / (1L << 30)), bulkCpu4[k] / 1e9 / (bulkBytes4[k] / (1L << 30)),
                            cpsCpu[k] / 1e3 / connections[k], idleMib[k]);
                }
                System.out.println();
                System.out.printf("ratios (median podnet splice / peer): 4 streams rootlessport %.2f, pasta %.2f; conn/s pasta %.2f%n",
                        median(four[0]) / median(four[2]), median(four[0]) / median(four[3]), median(rates[0]) / median(rates[3]));
                System.out.printf("load average after: %s", Files.readString(Path.of("/proc/loadavg")));
            } finally {
                for (int i = closers.size() - 1; i >= 0; i--) {
                    try {
                        closers.get(i).close();
                    } catch (Exception e) {
                        System.err.println("closing: " + e);
                    }
                }
                for (Process proc : processes) {
                    proc.destroy();
                    if (!proc.waitFor(5, TimeUnit.SECONDS)) {
                        proc.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                }
                rootless.cleanupIfUnused(0);
                netnsDir.delete(pName);
            }
        } finally {
            try (Stream<Path> s = Files.walk(runDir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /**
     * Opens IDLE_CONNECTIONS connections through the route's proxy to an idle server, which
     * holds them open; returns the growth of the proxy's resident memory (MiB) meanwhile.
     */
    private static double idleGrowthMib(Route route, IdleServer server) throws Exception {
        server.closeAll();
        Thread.sleep(500);
        long before = processRssKib(route.pid());
        int accepted0 = server.accepted();
        List<SocketChannel> clients = new ArrayList<>();
        try {
            route.clientNs().run(() -> {
                for (int i = 0; i < IDLE_CONNECTIONS; i++) {
                    SocketChannel c = SocketChannel.open(new InetSocketAddress(LOOPBACK, route.idlePort()));
                    clients.add(c);
                }
                return null;
            });
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (server.accepted() - accepted0 < IDLE_CONNECTIONS && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (server.accepted() - accepted0 < IDLE_CONNECTIONS) {
                throw new IllegalStateException(route.name() + ": only " + (server.accepted() - accepted0) + " idle connections arrived");
            }
            Thread.sleep(1000);
            return (processRssKib(route.pid()) - before) / 1024.0;
        } finally {
            for (SocketChannel c : clients) {
                c.close();
            }
            server.closeAll();
            Thread.sleep(500);
        }
    }

    private static String summary(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return String.format("%.2f (%.2f-%.2f)", s[s.length / 2], s[0], s[s.length - 1]);
    }

    private static Process start(Path log, String... command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    }

    private static void awaitFile(Path file, Process p) throws Exception {
        for (int i = 0; i < 1000; i++) {
            if (Files.exists(file) && Files.size(file) > 0) {
                return;
            }
            if (!p.isAlive()) {
                throw new IllegalStateException(p.info().command().orElse("process") + " exited " + p.exitValue());
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no " + file + " after 10 s");
    }

    /** iperf3's receiver rate in Gbit/s, and the bytes received. */
    private static double[] iperf(Path clientNs, int port, int streams) throws IOException {
        String out = Shell.ok("nsenter", "--net=" + clientNs, "iperf3", "-c", "127.0.0.1", "-p", Integer.toString(port), "-t", "2",
                "-P", Integer.toString(streams), "-J");
        JsonNode json = JSON.readTree(out);
        return new double[] {json.at("/end/sum_received/bits_per_second").asDouble() / 1e9,
                json.at("/end/sum_received/bytes").asDouble()};
    }

    /**
     * CPS_THREADS client threads connect one after the other for {@code millis}; returns each
     * thread's connection times. Time-bound rather than count-bound, so no thread idles at the
     * end waiting for the slowest.
     */
    private static List<long[]> cpsRound(Netns ns, InetSocketAddress to, long millis) throws Exception {
        List<CompletableFuture<long[]>> results = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        long[] deadline = new long[1];
        // the client threads are created inside ns, so the sockets they open are there
        ns.run(() -> {
            for (int t = 0; t < CPS_THREADS; t++) {
                CompletableFuture<long[]> f = new CompletableFuture<>();
                results.add(f);
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                        f.complete(connectUntil(to, deadline[0]));
                    } catch (Throwable e) {
                        f.completeExceptionally(e);
                    }
                }, "bench-client");
                th.setDaemon(true);
                th.start();
            }
            return null;
        });
        deadline[0] = System.nanoTime() + millis * 1_000_000L;
        go.countDown();
        List<long[]> out = new ArrayList<>();
        for (CompletableFuture<long[]> f : results) {
            out.add(f.get(120, TimeUnit.SECONDS));
        }
        return out;
    }

    private static long[] connectUntil(InetSocketAddress to, long deadline) throws IOException {
        long[] times = new long[1 << 16];
        int n = 0;
        while (System.nanoTime() < deadline && n < times.length) {
            times[n] = connectMany(to, 1)[0];
            n++;
        }
        return Arrays.copyOf(times, n);
    }

    private static long[] connectMany(InetSocketAddress to, int n) throws IOException {
        long[] times = new long[n];
        ByteBuffer one = ByteBuffer.allocate(1);
        ByteBuffer in = ByteBuffer.allocate(16);
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            try (SocketChannel c = SocketChannel.open()) {
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                c.connect(to);
                one.clear().put((byte) 'x').flip();
                c.write(one);
                in.clear();
                int got = 0;
                while (true) {
                    int r = c.read(in);
                    if (r < 0) {
                        break;
                    }
                    got += r;
                    in.clear();
                }
                if (got != 1) {
                    throw new IOException("connection " + i + " to " + to + " answered " + got + " bytes");
                }
            }
            times[i] = System.nanoTime() - t0;
        }
        return times;
    }

    /** Accepts, reads one byte, answers one byte, closes; acceptor threads created inside the namespace. */
    private static final class CpsServer implements AutoCloseable {
        private final ServerSocketChannel server;

        private CpsServer(ServerSocketChannel server) {
            this.server = server;
        }

        static CpsServer open(Netns ns) {
            return ns.run(() -> {
                ServerSocketChannel s = ServerSocketChannel.open();
                s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), CPS_PORT), 4096);
                CpsServer server = new CpsServer(s);
                for (int i = 0; i < 2; i++) {
                    Thread t = new Thread(server::serve, "bench-cps-server");
                    t.setDaemon(true);
                    t.start();
                }
                return server;
            });
        }

        private void serve() {
            ByteBuffer buf = ByteBuffer.allocate(1);
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    buf.clear();
                    if (c.read(buf) == 1) {
                        buf.flip();
                        c.write(buf);
                    }
                } catch (IOException e) {
                    if (!server.isOpen()) {
                        return;
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** Accepts and holds connections (idle: nothing is read or written) until told to close them. */
    private static final class IdleServer implements AutoCloseable {
        private final ServerSocketChannel server;
        private final java.util.concurrent.ConcurrentLinkedQueue<SocketChannel> held = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

        private IdleServer(ServerSocketChannel server) {
            this.server = server;
        }

        static IdleServer open(Netns ns) {
            return ns.run(() -> {
                ServerSocketChannel s = ServerSocketChannel.open();
                s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), IDLE_PORT), 4096);
                IdleServer server = new IdleServer(s);
                Thread t = new Thread(server::serve, "bench-idle-server");
                t.setDaemon(true);
                t.start();
                return server;
            });
        }

        private void serve() {
            while (server.isOpen()) {
                try {
                    held.add(server.accept());
                    accepted.incrementAndGet();
                } catch (IOException e) {
                    if (!server.isOpen()) {
                        return;
                    }
                }
            }
        }

        int accepted() {
            return accepted.get();
        }

        void closeAll() {
            SocketChannel c;
            while ((c = held.poll()) != null) {
                Channels.close(c);
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            closeAll();
        }
    }

    private static final class Channels {
        static void close(java.nio.channels.Channel c) {
            try {
                c.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /** {@link ForwarderProcess} in a JVM of its own, with the bench's classpath. */
    private static final class ForwarderChild implements AutoCloseable {
        private final Process process;
        private final String command;

        private ForwarderChild(Process process, String command) {
            this.process = process;
            this.command = command;
        }

        static ForwarderChild start(Path dir, String mode, Path hostNetns, Path rootlessNetns, PortForwarder.Settings settings,
                int iperfPort, int cpsPort, int idlePort) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), ForwarderProcess.class.getName(),
                    hostNetns.toString(), rootlessNetns.toString(), mode, Integer.toString(settings.selectorThreads()),
                    Integer.toString(settings.bufferSize() >> 10), iperfPort + ":" + IPERF_PORT, cpsPort + ":" + CPS_PORT,
                    idlePort + ":" + IDLE_PORT));
            Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("forwarder-" + mode + ".log").toFile()).start();
            CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                try {
                    return new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII)).readLine();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String ready;
            try {
                ready = line.get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                ready = null;
            }
            if (!"ready".equals(ready)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("the podnet forwarder (" + mode + ") did not start: "
                        + Files.readString(dir.resolve("forwarder-" + mode + ".log")));
            }
            String shown = String.join(" ", cmd).replace(System.getProperty("java.class.path"), "<bench classpath>");
            return new ForwarderChild(p, shown);
        }

        long pid() {
            return process.pid();
        }

        String describe() {
            return command;
        }

        @Override
        public void close() throws Exception {
            process.getOutputStream().close(); // EOF on its stdin: it stops
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** /usr/lib/podman/rootlessport driven standalone. */
    private static final class Rootlessport implements AutoCloseable {
        private final Process process;
        private final OutputStream exitFd;
        private final String config;

        private Rootlessport(Process process, OutputStream exitFd, String config) {
            this.process = process;
            this.exitFd = exitFd;
            this.config = config;
        }

        static Rootlessport start(Path dir, Path hostNetns, Path childNetns, int[][] ports) throws Exception {
            Path tmp = Files.createDirectories(dir.resolve("rootlessport"));
            Path exit = tmp.resolve("exit.fifo");
            Path ready = tmp.resolve("ready");
            Shell.ok("mkfifo", exit.toString());
            StringBuilder mappings = new StringBuilder();
            for (int[] p : ports) {
                mappings.append(mappings.length() == 0 ? "" : ",").append(String.format(
                        "{\"host_ip\":\"127.0.0.1\",\"container_port\":%d,\"host_port\":%d,\"range\":1,\"protocol\":\"tcp\"}", p[1],
                        p[0]));
            }
            String config = String.format("{\"Mappings\":[%s],\"NetNSPath\":\"%s\",\"ExitFD\":3,\"ReadyFD\":4,\"TmpDir\":\"%s\","
                    + "\"ChildIP\":\"127.0.0.1\",\"ContainerID\":\"bench\",\"RootlessCNI\":false}", mappings, childNetns, tmp);
            Path configFile = tmp.resolve("config.json");
            Files.writeString(configFile, config);
            Process p = new ProcessBuilder("/bin/sh", "-c", "exec 3<\"$0\" 4>\"$1\" && exec nsenter --net=\"$2\" /usr/lib/podman/rootlessport",
                    exit.toString(), ready.toString(), hostNetns.toString())
                    .redirectInput(configFile.toFile()).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("rootlessport.log").toFile()).start();
            // opening the FIFO for writing waits until the shell has opened it for reading
            CompletableFuture<OutputStream> opened = CompletableFuture.supplyAsync(() -> {
                try {
                    return new FileOutputStream(exit.toFile());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            OutputStream exitFd = opened.get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 1000; i++) {
                if (Files.exists(ready) && Files.readString(ready, StandardCharsets.US_ASCII).trim().equals("1")) {
                    return new Rootlessport(p, exitFd, config);
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException("rootlessport exited " + p.exitValue() + ": "
                            + Files.readString(tmp.resolve("rootlessport.log")));
                }
                Thread.sleep(10);
            }
            throw new IllegalStateException("rootlessport not ready after 10 s");
        }

        long pid() {
            return process.pid();
        }

        String describe() {
            return "/usr/lib/podman/rootlessport 3<exit.fifo 4>ready < " + config;
        }

        @Override
        public void close() throws Exception {
            exitFd.close(); // EOF on its exit fd: it stops its child and exits
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }
}
