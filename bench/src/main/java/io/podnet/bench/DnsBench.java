package io.podnet.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

import io.podnet.dns.DnsRecords;
import io.podnet.dns.NameServer;
import io.podnet.dns.QueryCounts;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.testing.Shell;
import io.podnet.testing.UpstreamDns;

/**
 * The name server of dns_enabled networks against aardvark-dns 1.4 (Debian's, the one netavark
 * 1.4 starts), in one run, on the same topology: a sandbox namespace playing the host with a
 * bridge whose gateway 10.95.0.1 the server listens on, and a client namespace on that bridge.
 * The table has 100 pods. Each server first gets an unmeasured round. Each row is a closed loop of
 * UDP queries for 5 s (after 1 s of warm-up)
 * by 1 or 4 client threads in the client namespace, each with one query outstanding; a query not
 * answered within 1 s is lost (and counted). Rows:
 * <ul>
 * <li>a pod's name (A), answered from the table;</li>
 * <li>a name forwarded to the upstream, a small resolver this benchmark runs in the sandbox host
 * (aardvark-dns is started with a resolv.conf naming it mounted over /etc/resolv.conf, so it
 * never asks the machine's real resolver);</li>
 * <li>a pod's name while the records change every 50 ms (podnet: a new table published; aardvark:
 * its config file rewritten and SIGHUP, as netavark does on every container start and stop).</li>
 * </ul>
 * Not a test: run it by hand, as root, from the repository root:
 *
 * <pre>
 * bench/run DnsBench [--no-aardvark]
 * </pre>
 *
 * Both servers run on the same 2 cores as the clients, so the rates are bounded by the CPU they
 * share; only the ratio within one run holds.
 */
public final class DnsBench {
    private static final Path AARDVARK = Path.of("/usr/lib/podman/aardvark-dns");
    private static final NetnsManager MANAGER = new NetnsManager(Path.of("/run/netns"));
    private static final InetAddress GATEWAY = IpAddresses.parse("10.95.0.1");
    private static final InetAddress UPSTREAM = IpAddresses.parse("198.51.100.53");
    private static final int PODS = 100;
    private static final Duration WARMUP = Duration.ofSeconds(1);
    private static final Duration RUN = Duration.ofSeconds(5);

    private DnsBench() {
    }

    /** What a row measured: queries answered, lost, and each answered query's latency. */
    private record Result(long answered, long lost, long[] latencies, double seconds) {
        double rate() {
            return answered / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        boolean aardvark = !Arrays.asList(args).contains("--no-aardvark");
        String id = UUID.randomUUID().toString().substring(0, 8);
        String hostName = "podnet-test-bench-" + id + "-dh";
        String clientName = "podnet-test-bench-" + id + "-dc";
        Path dir = Files.createTempDirectory("podnet-bench-dns");
        System.out.printf("name server on a dns_enabled network, %d pods, UDP, closed loop (%s, %s)%n", PODS,
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf("%-34s %-34s %8s %12s %10s %10s %6s%n", "server", "query", "clients", "queries/s", "median ms", "p90 ms",
                "lost");
        try (Netns host = MANAGER.createOrOpen(hostName); Netns client = MANAGER.createOrOpen(clientName)) {
            topology(hostName, clientName);
            try (UpstreamDns upstream = new UpstreamDns(host, UPSTREAM, Map.of("example.test.", IpAddresses.parse("192.0.2.10")))) {
                podnet(host, client);
                if (aardvark) {
                    if (Files.isExecutable(AARDVARK)) {
                        aardvark(host, client, dir);
                    } else {
                        System.out.println("aardvark-dns: " + AARDVARK + " is not installed (Debian package aardvark-dns); skipped");
                    }
                }
            }
        } finally {
            MANAGER.delete(clientName);
            MANAGER.delete(hostName);
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The bridge with the gateway in the host, the client on it, the upstream's address on the host's loopback. */
    private static void topology(String host, String client) {
        Shell.ok("ip", "-n", host, "link", "set", "lo", "up");
        Shell.ok("ip", "-n", client, "link", "set", "lo", "up");
        Shell.ok("ip", "-n", host, "addr", "add", IpAddresses.format(UPSTREAM) + "/32", "dev", "lo");
        Shell.ok("ip", "-n", host, "link", "add", "pnbench0", "type", "bridge");
        Shell.ok("ip", "-n", host, "addr", "add", IpAddresses.format(GATEWAY) + "/24", "dev", "pnbench0");
        Shell.ok("ip", "-n", host, "link", "set", "pnbench0", "up");
        Shell.ok("ip", "-n", host, "link", "add", "vbench0", "type", "veth", "peer", "name", "eth0", "netns", client);
        Shell.ok("ip", "-n", host, "link", "set", "vbench0", "master", "pnbench0", "up");
        Shell.ok("ip", "-n", client, "addr", "add", "10.95.0.2/24", "dev", "eth0");
        Shell.ok("ip", "-n", client, "link", "set", "eth0", "up");
        Shell.ok("ip", "-n", client, "route", "add", "default", "via", IpAddresses.format(GATEWAY));
    }

    private static InetAddress podAddress(int i) {
        return IpAddresses.add(IpAddresses.parse("10.95.0.10"), i);
    }

    /** The table: the client (10.95.0.2) and 100 pods web0..web99, plus "churn" when {@code extra}. */
    private static DnsRecords records(boolean extra) {
        DnsRecords.Builder b = DnsRecords.builder().defaultUpstreams(List.of(UPSTREAM)).network(new DnsRecords.Network("bench",
                List.of(Cidr.parse("10.95.0.0/24")), List.of(GATEWAY), 53, List.of(), false));
        b.pod("client", "bench", List.of(IpAddresses.parse("10.95.0.2")), List.of("client"), List.of());
        for (int i = 0; i < PODS; i++) {
            b.pod("pod" + i, "bench", List.of(podAddress(i)), List.of("web" + i), List.of());
        }
        if (extra) {
            b.pod("churn", "bench", List.of(IpAddresses.parse("10.95.0.250")), List.of("churn"), List.of());
        }
        return b.build();
    }

    // ---- podnet ----

    private static void podnet(Netns host, Netns client) throws Exception {
        String label = "podnet NameServer";
        try (NameServer server = NameServer.open(host.path(), "bench", NameServer.Settings.defaults(), new QueryCounts())) {
            server.publish(records(false));
            if (server.listening().isEmpty()) {
                throw new IllegalStateException("podnet's name server does not listen on " + IpAddresses.format(GATEWAY));
            }
            rows(label, client, () -> { }, new Runnable() {
                private boolean extra;

                @Override
                public void run() {
                    extra = !extra;
                    server.publish(records(extra));
                }
            });
        }
    }

    // ---- aardvark-dns ----

    private static void aardvark(Netns host, Netns client, Path dir) throws Exception {
        Path config = Files.createDirectories(dir.resolve("aardvark"));
        Path resolvConf = dir.resolve("resolv.conf");
        Files.writeString(resolvConf, "nameserver " + IpAddresses.format(UPSTREAM) + "\n");
        writeAardvarkConfig(config, false);
        Process p = new ProcessBuilder("nsenter", "--net=" + host.path(), "unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount --bind \"$0\" /etc/resolv.conf && exec \"$1\" --config \"$2\" -p 53 run", resolvConf.toString(),
                AARDVARK.toString(), config.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("aardvark.log").toFile())
                .start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            System.out.println("aardvark-dns did not start: " + Files.readString(dir.resolve("aardvark.log")));
            return;
        }
        long pid = Long.parseLong(Files.readString(config.resolve("aardvark.pid")).trim());
        try {
            rows("aardvark-dns 1.4", client, () -> { }, new Runnable() {
                private boolean extra;

                @Override
                public void run() {
                    extra = !extra;
                    try {
                        writeAardvarkConfig(config, extra);
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    Shell.ok("kill", "-HUP", Long.toString(pid));
                }
            });
        } finally {
            Shell.run("kill", Long.toString(pid));
            for (int i = 0; i < 50 && Files.exists(Path.of("/proc", Long.toString(pid))); i++) {
                Thread.sleep(100);
            }
        }
    }

    /** aardvark-dns's format: the gateway, then "id ipv4 ipv6 names" per container, as netavark writes it. */
    private static void writeAardvarkConfig(Path config, boolean extra) throws IOException {
        StringBuilder sb = new StringBuilder(IpAddresses.format(GATEWAY)).append('\n');
        sb.append("client").append(" 10.95.0.2  client\n");
        for (int i = 0; i < PODS; i++) {
            sb.append("pod").append(i).append(' ').append(IpAddresses.format(podAddress(i))).append("  web").append(i).append('\n');
        }
        if (extra) {
            sb.append("churn 10.95.0.250  churn\n");
        }
        Path tmp = config.resolve(".bench.tmp");
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, config.resolve("bench"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    // ---- the rows ----

    private static void rows(String server, Netns client, Runnable noChange, Runnable change) throws Exception {
        load(client, 4, "web42", noChange); // unmeasured: the JIT warms up the clients (and podnet's server) first
        print(server, "pod name (A), from the table", 1, load(client, 1, "web42", noChange));
        print(server, "pod name (A), from the table", 4, load(client, 4, "web42", noChange));
        print(server, "forwarded to the upstream", 4, load(client, 4, "example.test", noChange));
        print(server, "pod name, records change / 50 ms", 4, load(client, 4, "web42", change));
    }

    private static void print(String server, String query, int clients, Result r) {
        System.out.printf("%-34s %-34s %8d %12.0f %10.3f %10.3f %6d%n", server, query, clients, r.rate(),
                r.latencies().length == 0 ? Double.NaN : Stats.percentile(r.latencies(), 50) / 1e6,
                r.latencies().length == 0 ? Double.NaN : Stats.percentile(r.latencies(), 90) / 1e6, r.lost());
    }

    /**
     * {@code clients} threads in the client namespace ask for {@code name} in a closed loop for the
     * warm-up and then the measured time; {@code change} runs every 50 ms meanwhile.
     */
    private static Result load(Netns client, int clients, String name, Runnable change) throws Exception {
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong lost = new AtomicLong();
        List<CompletableFuture<long[]>> threads = new ArrayList<>();
        // one waiting thread per client (the common pool has a single thread on 2 cores); each hands its loop to a namespace worker
        java.util.concurrent.ExecutorService waiters = java.util.concurrent.Executors.newFixedThreadPool(clients);
        double seconds;
        List<long[]> all = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                threads.add(CompletableFuture.supplyAsync(() -> client.run(() -> ask(name, measuring, stop, lost)), waiters));
            }
            Thread.sleep(WARMUP.toMillis());
            measuring.set(true);
            long start = System.nanoTime();
            long end = start + RUN.toNanos();
            while (System.nanoTime() < end) {
                change.run();
                Thread.sleep(50);
            }
            stop.set(true);
            seconds = (System.nanoTime() - start) / 1e9;
            for (CompletableFuture<long[]> f : threads) {
                all.add(f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            stop.set(true);
            waiters.shutdown();
        }
        long[] latencies = all.stream().flatMapToLong(Arrays::stream).toArray();
        return new Result(latencies.length, lost.get(), latencies, seconds);
    }

    /** One client: a query outstanding at a time; the latencies of those answered while measuring. */
    private static long[] ask(String name, AtomicBoolean measuring, AtomicBoolean stop, AtomicLong lost) throws IOException {
        long[] latencies = new long[1 << 16];
        int n = 0;
        byte[] query = Message.newQuery(Record.newRecord(Name.fromString(name + "."), Type.A, DClass.IN)).toWire();
        byte[] buf = new byte[1232];
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(1000);
            s.connect(new InetSocketAddress(GATEWAY, 53));
            int id = 0;
            while (!stop.get()) {
                id = (id + 1) & 0xffff;
                query[0] = (byte) (id >>> 8);
                query[1] = (byte) id;
                long t0 = System.nanoTime();
                s.send(new DatagramPacket(query, query.length));
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                boolean answered = false;
                try {
                    while (!answered) {
                        s.receive(p);
                        answered = p.getLength() >= 2 && (((buf[0] & 0xff) << 8) | (buf[1] & 0xff)) == id;
                    }
                } catch (SocketTimeoutException | java.net.PortUnreachableException e) {
                    if (measuring.get()) {
                        lost.incrementAndGet();
                    }
                    continue;
                }
                long t = System.nanoTime() - t0;
                if (measuring.get() && !stop.get()) {
                    if (n == latencies.length) {
                        latencies = Arrays.copyOf(latencies, n * 2);
                    }
                    latencies[n++] = t;
                }
            }
        }
        return Arrays.copyOf(latencies, n);
    }
}
