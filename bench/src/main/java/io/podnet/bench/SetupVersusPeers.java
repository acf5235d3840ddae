package io.podnet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.DnsRequest;
import io.podnet.engine.EngineSettings;
import io.podnet.engine.NetnsRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.core.NetworkEngine;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.policy.Tenant;

/**
 * One pod shape through four paths, side by side in one run: podnet's engine; netavark 1.4
 * (Debian's podman package, driving iptables); the CNI chain bridge + host-local + portmap
 * (Debian's containernetworking-plugins, chained here as libcni would: portmap gets the bridge's
 * result as prevResult); and an iproute2 + nft shell script. The shape: a veth from the pod's
 * namespace to a bridge, one IPv4 address, a default route and one TCP host port (DNAT).
 *
 * <p>Each path has a sandbox namespace of its own playing the host (bridge, firewall), and its
 * config and state dirs in temporary dirs; the peers run inside their sandbox (the process is
 * spawned from a thread switched into it with setns, so no nsenter is timed). The peers get
 * their pod namespace made beforehand (untimed); podnet's engine creates the pod's namespace
 * itself within its setup, which is more work than the peers do. Pods are added one round at a
 * time, each round setting up pod i on every path in a rotating order, so load on the shared
 * machine hits all four alike; the ramp stops early at a bound in minutes (the peers take a
 * few hundred ms a pod on a loaded machine). Then the last 100 pods are torn down in reverse, also
 * interleaved and timed; the rest go with the sandboxes. Printed: medians and p90s of the setups
 * of pods 1–50, 76–125 and the last 50 (the pods already on the node: ~1, ~100, ~N), the growth
 * from the first to the last window, podnet's ratio to each peer, the same for teardown (at ~N
 * pods), and podnet's own steps. Run as root:
 *
 * <pre>
 * bench/run SetupVersusPeers [pods, default 1000] [ramp bound in minutes, default 25]
 * </pre>
 *
 * Everything is removed afterwards, also after a failure or an interrupt.
 */
public final class SetupVersusPeers {
    private static final Path NETAVARK = Path.of("/usr/lib/podman/netavark");
    private static final Path CNI_BIN = Path.of("/usr/lib/cni");
    private static final int HOST_PORT_BASE = 20000;
    private static final NetnsManager NETNS = new NetnsManager(Path.of("/run/netns"));
    private static final String TAG = "pnvs-" + UUID.randomUUID().toString().substring(0, 6);

    private SetupVersusPeers() {
    }

    /** One way of building the shape. */
    interface Path4 extends AutoCloseable {
        String name();

        void setup(int pod) throws Exception;

        void teardown(int pod) throws Exception;

        /** A line saying the pod's shape is there (address, route, host port), or throws. */
        String verify(int pod) throws Exception;

        @Override
        void close();
    }

    private static final List<Runnable> CLEANUP = new ArrayList<>();

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        double rampMinutes = args.length > 1 ? Double.parseDouble(args[1]) : 25;
        if (pods < 1 || pods > 4000) {
            throw new IllegalArgumentException("pods must be 1..4000 (a /20 per path)");
        }
        Thread hook = new Thread(SetupVersusPeers::cleanUp, "cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        // the process reaper thread inherits the namespace of the thread that first spawns: start it here, at home
        run(null, Map.of(), null, "true");
        List<Path4> paths = new ArrayList<>();
        try {
            paths.add(new Podnet());
            paths.add(new NetavarkPath(pods));
            paths.add(new CniPath(pods));
            paths.add(new ShellPath(pods));
            Map<String, long[]> setups = new LinkedHashMap<>();
            Map<String, long[]> teardowns = new LinkedHashMap<>();
            paths.forEach(p -> {
                setups.put(p.name(), new long[pods]);
                teardowns.put(p.name(), new long[pods]);
            });
            // JIT warm-up for podnet (pods past the measured ones, set up and torn down), one round for the peers' page cache
            Podnet podnet = (Podnet) paths.get(0);
            for (int w = 0; w < 30; w++) {
                podnet.setup(pods + w);
                podnet.teardown(pods + w);
            }
            long start = System.nanoTime();
            long rampDeadline = start + (long) (rampMinutes * 60e9);
            int reached = 0;
            for (int i = 0; i < pods; i++) {
                for (int k = 0; k < paths.size(); k++) {
                    Path4 p = paths.get((i + k) % paths.size());
                    long t0 = System.nanoTime();
                    p.setup(i);
                    setups.get(p.name())[i] = System.nanoTime() - t0;
                }
                reached = i + 1;
                if ((i + 1) % 100 == 0) {
                    System.err.printf("%d pods on each path after %.0f s%n", i + 1, (System.nanoTime() - start) / 1e9);
                }
                if (System.nanoTime() > rampDeadline) {
                    System.err.printf("ramp stopped at %d pods: the %.0f minute bound%n", reached, rampMinutes);
                    break;
                }
            }
            int n0 = reached;
            setups.replaceAll((k, v) -> Arrays.copyOf(v, n0));
            System.out.println("checks of the first and the last pod of each path:");
            for (Path4 p : paths) {
                System.out.println("  " + p.name() + " pod 1: " + p.verify(0));
                System.out.println("  " + p.name() + " pod " + reached + ": " + p.verify(reached - 1));
            }
            // teardown timed for the last 100 pods set up (at ~N pods on the node); the rest go with the sandboxes
            int timedTeardowns = Math.min(100, reached);
            teardowns.replaceAll((k, v) -> new long[timedTeardowns]);
            for (int n = 0, i = reached - 1; n < timedTeardowns; i--, n++) {
                for (int k = 0; k < paths.size(); k++) {
                    Path4 p = paths.get((i + k) % paths.size());
                    long t0 = System.nanoTime();
                    p.teardown(i);
                    teardowns.get(p.name())[n] = System.nanoTime() - t0;
                }
            }
            System.out.printf("%nSetupVersusPeers: %d pods per path, interleaved rounds, %.0f s (%s %s); command: bench/run SetupVersusPeers %d %s%n",
                    reached, (System.nanoTime() - start) / 1e9, System.getProperty("java.vm.name"), System.getProperty("java.version"), pods,
                    args.length > 1 ? args[1] : "");
            System.out.println("podnet's setup includes creating the pod's namespace; the peers' namespaces exist beforehand.");
            System.out.println("podnet's steps (all setups and teardowns, warm-up included):");
            new java.util.TreeMap<>(podnet.byStep).forEach((step, list) -> System.out.println(
                    Stats.row("  " + step, list.stream().mapToLong(Long::longValue).toArray())));
            print("setup", setups, reached, new String[] {"pods 1-50", "pods 76-125", "last 50"});
            print("teardown", teardowns, timedTeardowns, new String[] {"first 50 (~N pods)", "", "next 50"});
        } finally {
            for (Path4 p : paths) {
                try {
                    p.close();
                } catch (RuntimeException e) {
                    System.err.println("cleanup of " + p.name() + ": " + e);
                }
            }
            cleanUp();
            Runtime.getRuntime().removeShutdownHook(hook);
        }
    }

    private static synchronized void cleanUp() {
        for (int i = CLEANUP.size() - 1; i >= 0; i--) {
            try {
                CLEANUP.get(i).run();
            } catch (RuntimeException e) {
                System.err.println("cleanup: " + e);
            }
        }
        CLEANUP.clear();
    }

    private static long[] window(long[] all, int from, int count) {
        int end = Math.min(all.length, from + count);
        int start = Math.max(0, Math.min(from, end - 1));
        return Arrays.copyOfRange(all, start, end);
    }

    private static void print(String what, Map<String, long[]> byPath, int pods, String[] labels) {
        int[] from = {0, 75, Math.max(0, pods - 50)};
        System.out.printf("%n%-10s %-20s %10s %10s %10s%n", what, "window", "median ms", "p90 ms", "podnet x");
        long[] podnet = byPath.get("podnet");
        for (int w = 0; w < 3; w++) {
            if (w == 1 && (pods < 175 || labels[1].isEmpty())) {
                continue;
            }
            double podnetMedian = Stats.percentile(window(podnet, from[w], 50), 50);
            for (Map.Entry<String, long[]> e : byPath.entrySet()) {
                long[] sample = window(e.getValue(), from[w], 50);
                double median = Stats.percentile(sample, 50);
                System.out.printf("%-10s %-20s %10.3f %10.3f %10s%n", e.getKey(), labels[w], median / 1e6, Stats.percentile(sample, 90) / 1e6,
                        e.getKey().equals("podnet") ? "" : String.format("%.1f", median / podnetMedian));
            }
        }
        System.out.printf("%-10s growth of the median from the first to the last window:", what);
        for (Map.Entry<String, long[]> e : byPath.entrySet()) {
            double first = Stats.percentile(window(e.getValue(), from[0], 50), 50);
            double last = Stats.percentile(window(e.getValue(), from[2], 50), 50);
            System.out.printf("  %s %.2fx", e.getKey(), last / first);
        }
        System.out.println();
    }

    // ------------------------------------------------------------------ shared pieces

    /** A sandbox namespace playing the host, removed at cleanup. */
    private static Netns sandbox(String role) {
        String name = TAG + "-" + role;
        Netns ns = NETNS.createOrOpen(name);
        CLEANUP.add(() -> {
            ns.close();
            NETNS.delete(name);
        });
        run(ns, Map.of(), null, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        run(ns, Map.of(), null, "ip", "link", "set", "lo", "up");
        return ns;
    }

    /** The peers' pod namespaces, made before timing (the shape says the netns exists). */
    private static List<String> podNamespaces(String role, int pods) {
        List<String> names = new ArrayList<>();
        CLEANUP.add(() -> names.forEach(NETNS::delete));
        for (int i = 0; i < pods; i++) {
            String name = TAG + "-" + role + "-" + i;
            NETNS.createOrOpen(name).close();
            names.add(name);
        }
        return names;
    }

    private static Path tempDir(String prefix) throws IOException {
        Path dir = Files.createTempDirectory(prefix);
        CLEANUP.add(() -> deleteTree(dir));
        return dir;
    }

    private static void deleteTree(Path dir) {
        try (var files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("cannot remove " + dir + ": " + e.getMessage());
        }
    }

    /** Pod i's address in 10.X.0.0/20 (the gateway is .1). */
    private static String ip(int second, int pod) {
        int host = pod + 2;
        return "10." + second + "." + (host >> 8) + "." + (host & 255);
    }

    /**
     * Runs a command inside {@code ns} (spawned from a thread switched into it, so the child is
     * born there), feeding it {@code stdin}; returns stdout, or throws with stderr. Bounded: 60 s.
     */
    static String run(Netns ns, Map<String, String> env, String stdin, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            Process p = ns == null ? builder.start() : ns.run(builder::start);
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " timed out");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": "
                        + new String(out, StandardCharsets.UTF_8) + new String(err, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String defaultRoute(String podNetns) {
        return run(null, Map.of(), null, "ip", "-n", podNetns, "route", "show", "default").trim();
    }

    private static String require(String what, String text, String needle) {
        if (!text.contains(needle)) {
            throw new IllegalStateException(what + ": \"" + needle + "\" not in: " + text);
        }
        return needle;
    }

    // ------------------------------------------------------------------ the four paths

    /** podnet's engine in this process, rootful, one network; the pod's namespace made by the engine. */
    private static final class Podnet implements Path4 {
        /** The engine's own steps, to say what dominates podnet's time. */
        final Map<String, List<Long>> byStep = new java.util.concurrent.ConcurrentHashMap<>();
        private final io.podnet.engine.EngineObserver steps = new io.podnet.engine.EngineObserver() {
            @Override
            public void step(Operation operation, PodMode mode, String step, long nanos) {
                byStep.computeIfAbsent(operation.lower() + " / " + step, k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(nanos);
            }
        };
        private final NetworkEngine engine;
        private final Netns host;
        private final List<String> ids = new ArrayList<>();

        Podnet() throws IOException {
            host = sandbox("podnet");
            Path networks = tempDir("pnvs-networks");
            Files.writeString(networks.resolve("vs.json"), """
                    {"name": "vs", "driver": "bridge", "network_interface": "pnvs0",
                     "subnets": [{"subnet": "10.89.0.0/20", "gateway": "10.89.0.1"}]}
                    """);
            Path shm = Path.of("/dev/shm");
            Path run = Files.isDirectory(shm) ? Files.createTempDirectory(shm, "pnvs-run") : Files.createTempDirectory("pnvs-run");
            CLEANUP.add(() -> deleteTree(run));
            engine = NetworkEngine.open(EngineSettings.of(host.path(), NETNS.dir(), tempDir("pnvs-state"), run,
                    NetworkDefinitions.load(networks)), steps);
            CLEANUP.add(() -> {
                for (String id : ids) {
                    NETNS.delete("podnet-" + id);
                }
            });
        }

        @Override
        public String name() {
            return "podnet";
        }

        private PodRequest request(int pod) {
            while (ids.size() <= pod) {
                ids.add(UUID.randomUUID().toString());
            }
            String id = ids.get(pod);
            return new PodRequest(id, "bench/" + id, "bench", Tenant.named("bench"), PodMode.ROOTFUL, NetnsRequest.NEW,
                    List.of(AttachmentRequest.of("vs")),
                    List.of(new PortMapping(null, HOST_PORT_BASE + pod, 80, Protocol.TCP, 1)), DnsRequest.NONE);
        }

        @Override
        public void setup(int pod) {
            engine.setup(request(pod));
        }

        @Override
        public void teardown(int pod) {
            engine.teardown(ids.get(pod));
        }

        @Override
        public String verify(int pod) {
            String route = defaultRoute("podnet-" + ids.get(pod));
            String rules = run(host, Map.of(), null, "nft", "list", "ruleset");
            return require("route", route, "via 10.89.0.1") + ", " + require("dnat", rules, Integer.toString(HOST_PORT_BASE + pod));
        }

        @Override
        public void close() {
            engine.close();
        }
    }

    /** netavark 1.4 setup/teardown, options on stdin as Podman passes them; IPAM is Podman's, so the address is a static IP. */
    private static final class NetavarkPath implements Path4 {
        private final Netns host;
        private final Path config;
        NetavarkPath(int pods) throws IOException {
            if (!Files.isExecutable(NETAVARK)) {
                throw new IllegalStateException(NETAVARK + " is not installed (apt-get install netavark iptables)");
            }
            host = sandbox("netavark");
            config = tempDir("pnvs-netavark");
            podNamespaces("nv", pods);
        }

        private String podNs(int pod) {
            return TAG + "-nv-" + pod;
        }

        private String options(int pod) {
            String id = String.format("%064x", pod + 1L);
            return """
                    {"container_id": "%s", "container_name": "pod%d",
                     "port_mappings": [{"host_ip": "", "container_port": 80, "host_port": %d, "range": 1, "protocol": "tcp"}],
                     "networks": {"vs": {"static_ips": ["%s"], "interface_name": "eth0", "aliases": []}},
                     "network_info": {"vs": {"name": "vs", "id": "%064x", "driver": "bridge", "network_interface": "nvvs0",
                       "subnets": [{"subnet": "10.90.0.0/20", "gateway": "10.90.0.1"}], "ipv6_enabled": false, "internal": false,
                       "dns_enabled": false, "options": {}, "ipam_options": {"driver": "host-local"}}},
                     "dns_servers": null}
                    """.formatted(id, pod, HOST_PORT_BASE + pod, ip(90, pod), 7L);
        }

        @Override
        public String name() {
            return "netavark";
        }

        @Override
        public void setup(int pod) {
            run(host, Map.of(), options(pod), NETAVARK.toString(), "--config", config.toString(), "setup", NETNS.pathOf(podNs(pod)).toString());
        }

        @Override
        public void teardown(int pod) {
            run(host, Map.of(), options(pod), NETAVARK.toString(), "--config", config.toString(), "teardown",
                    NETNS.pathOf(podNs(pod)).toString());
        }

        @Override
        public String verify(int pod) {
            String rules = run(host, Map.of(), null, "iptables-save", "-t", "nat");
            return require("route", defaultRoute(podNs(pod)), "via 10.90.0.1") + ", " + require("dnat", rules, "--dport " + (HOST_PORT_BASE + pod));
        }

        @Override
        public void close() {
        }
    }

    /** The CNI chain bridge (with host-local) then portmap, chained as libcni does. */
    private static final class CniPath implements Path4 {
        private final Netns host;
        private final Path ipamDir;
        private final String[] results = new String[4000];

        CniPath(int pods) throws IOException {
            for (String plugin : List.of("bridge", "host-local", "portmap")) {
                if (!Files.isExecutable(CNI_BIN.resolve(plugin))) {
                    throw new IllegalStateException(CNI_BIN.resolve(plugin) + " is missing (apt-get install containernetworking-plugins)");
                }
            }
            host = sandbox("cni");
            ipamDir = tempDir("pnvs-cni-ipam");
            podNamespaces("cni", pods);
        }

        private String podNs(int pod) {
            return TAG + "-cni-" + pod;
        }

        private Map<String, String> env(String command, int pod) {
            return Map.of("CNI_COMMAND", command, "CNI_CONTAINERID", String.format("%064x", pod + 1L), "CNI_NETNS",
                    NETNS.pathOf(podNs(pod)).toString(), "CNI_IFNAME", "eth0", "CNI_PATH", CNI_BIN.toString());
        }

        private String bridgeConf() {
            return """
                    {"cniVersion": "1.0.0", "name": "vs", "type": "bridge", "bridge": "cnivs0", "isGateway": true, "ipMasq": true,
                     "hairpinMode": true, "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.91.0.0/20", "gateway": "10.91.0.1"}]],
                     "routes": [{"dst": "0.0.0.0/0"}], "dataDir": "%s"}}
                    """.formatted(ipamDir);
        }

        private String portmapConf(int pod, String prevResult) {
            return """
                    {"cniVersion": "1.0.0", "name": "vs", "type": "portmap", "capabilities": {"portMappings": true}, "snat": true,
                     "runtimeConfig": {"portMappings": [{"hostPort": %d, "containerPort": 80, "protocol": "tcp"}]},
                     "prevResult": %s}
                    """.formatted(HOST_PORT_BASE + pod, prevResult);
        }

        @Override
        public String name() {
            return "cni";
        }

        @Override
        public void setup(int pod) {
            String result = run(host, env("ADD", pod), bridgeConf(), CNI_BIN.resolve("bridge").toString());
            results[pod] = run(host, env("ADD", pod), portmapConf(pod, result), CNI_BIN.resolve("portmap").toString());
        }

        @Override
        public void teardown(int pod) {
            run(host, env("DEL", pod), portmapConf(pod, results[pod]), CNI_BIN.resolve("portmap").toString());
            run(host, env("DEL", pod), bridgeConf(), CNI_BIN.resolve("bridge").toString());
        }

        @Override
        public String verify(int pod) {
            String rules = run(host, Map.of(), null, "iptables-save", "-t", "nat");
            return require("route", defaultRoute(podNs(pod)), "via 10.91.0.1") + ", " + require("dnat", rules, "--dport " + (HOST_PORT_BASE + pod));
        }

        @Override
        public void close() {
        }
    }

    /** What the shape takes by hand: ip commands for the link, address and route, one nft element for the port. */
    private static final class ShellPath implements Path4 {
        private final Netns host;

        ShellPath(int pods) {
            host = sandbox("shell");
            podNamespaces("sh", pods);
            run(host, Map.of(), """
                    ip link add refbr0 type bridge
                    ip addr add 10.92.0.1/20 dev refbr0
                    ip link set refbr0 up
                    """, "sh", "-e");
            run(host, Map.of(), """
                    table ip podnetref {
                      map ports { type inet_service : ipv4_addr . inet_service; }
                      chain pre { type nat hook prerouting priority dstnat; fib daddr type local dnat ip to tcp dport map @ports; }
                      chain out { type nat hook output priority -100; fib daddr type local dnat ip to tcp dport map @ports; }
                      chain post { type nat hook postrouting priority srcnat; ip saddr 10.92.0.0/20 ip daddr != 10.92.0.0/20 masquerade; }
                    }
                    """, "nft", "-f", "-");
        }

        private String podNs(int pod) {
            return TAG + "-sh-" + pod;
        }

        @Override
        public String name() {
            return "shell";
        }

        @Override
        public void setup(int pod) {
            String ns = podNs(pod);
            String veth = "refvs" + pod;
            run(host, Map.of(), """
                    ip link add %1$s type veth peer name eth0 netns %2$s
                    ip link set %1$s master refbr0 up
                    ip -n %2$s link set lo up
                    ip -n %2$s addr add %3$s/20 dev eth0
                    ip -n %2$s link set eth0 up
                    ip -n %2$s route add default via 10.92.0.1
                    nft add element ip podnetref ports '{ %4$d : %3$s . 80 }'
                    """.formatted(veth, ns, ip(92, pod), HOST_PORT_BASE + pod), "sh", "-e");
        }

        @Override
        public void teardown(int pod) {
            run(host, Map.of(), """
                    nft delete element ip podnetref ports '{ %2$d }'
                    ip link del %1$s
                    """.formatted("refvs" + pod, HOST_PORT_BASE + pod), "sh", "-e");
        }

        @Override
        public String verify(int pod) {
            String map = run(host, Map.of(), null, "nft", "list", "map", "ip", "podnetref", "ports");
            return require("route", defaultRoute(podNs(pod)), "via 10.92.0.1") + ", " + require("dnat", map, (HOST_PORT_BASE + pod) + " : " + ip(92, pod));
        }

        @Override
        public void close() {
        }
    }
}
