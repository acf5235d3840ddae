package io.podnet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.podnet.firewall.DnatRule;
import io.podnet.firewall.NftFirewall;
import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;
import io.podnet.netlink.Link;
import io.podnet.netlink.LinkOptions;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.inet.Protocol;

/**
 * Per-pod cost of exposing ports, and whether the ruleset grows, as pods are added: podnet's
 * {@link NftFirewall#applyPod} (one libnftables transaction per pod) at 1, 100 and 1000 pods, and
 * netavark 1.4's {@code setup} (iptables rules per port) at 1 and 100 pods. Everything happens in
 * sandbox namespaces it creates and deletes ({@code podnet-test-bench-*}); the machine's own
 * network and firewall are not touched. Not a test: run it by hand, as root, from the repository
 * root:
 *
 * <pre>
 * bench/run PortApplyBench [--no-netavark]
 * </pre>
 *
 * Each pod maps two ports: tcp hostPort -> 80 and udp hostPort -> 53. For each size the table
 * starts empty and the pods are applied one after the other; the time of every apply is
 * recorded (after a warm-up fill of 200 pods for the JIT). Size 1 is repeated 100 times and
 * size 100 three times to get enough samples. "last 10%" is the median of the last tenth of the
 * applies at that size, which shows whether a pod gets slower to add as the table fills. Rules
 * are counted after the fill: podnet's {@link NftFirewall#ruleCount()}, netavark's
 * {@code iptables-save} rules (nat and filter) in the sandbox.
 *
 * <p>netavark's time is a whole {@code setup}: a process start, the bridge and veth, sysctls and
 * its iptables rules. It is also measured without port mappings; the difference of the medians is
 * what the two port mappings cost it. podnet's time is only the firewall step (its veths are
 * measured by RtnlRoundTripBench).
 */
public final class PortApplyBench {
    private static final Path NETAVARK = Path.of("/usr/lib/podman/netavark");
    private static final NetnsManager MANAGER = new NetnsManager(Path.of("/run/netns"));

    private PortApplyBench() {
    }

    public static void main(String[] args) throws Exception {
        boolean netavark = !Arrays.asList(args).contains("--no-netavark");
        System.out.printf("port exposure per pod, 2 mappings each (%s, %s)%n", System.getProperty("java.vm.name"),
                System.getProperty("java.version"));
        System.out.printf("%-44s %6s %11s %11s %13s %7s%n", "", "pods", "median ms", "p90 ms", "last 10% ms", "rules");
        podnet();
        if (netavark) {
            if (Files.isExecutable(NETAVARK)) {
                netavark(true);
                netavark(false);
            } else {
                System.out.println("netavark: " + NETAVARK + " is not installed; skipped");
            }
        }
    }

    // ---- podnet ----

    private static void podnet() {
        String name = "podnet-test-bench-" + UUID.randomUUID().toString().substring(0, 8) + "-h";
        try (Netns host = MANAGER.createOrOpen(name)) {
            try (RtnlClient rtnl = host.run(RtnlClient::open)) {
                Link br = rtnl.createBridge("podnet0", LinkOptions.defaults().withUp(true));
                rtnl.addAddress(br.index(), Cidr.parse("10.89.0.1/16"));
            }
            try (NftFirewall fw = NftFirewall.open(host.path())) {
                fill(fw, 200); // warm-up
                report("podnet applyPod (one transaction)", 1, fill(fw, 1, 100), fw.ruleCount(), 1);
                report("podnet applyPod (one transaction)", 100, fill(fw, 100, 3), fw.ruleCount(), 100);
                report("podnet applyPod (one transaction)", 1000, fill(fw, 1000, 1), fw.ruleCount(), 1000);
                long[] removals = removeAll(fw, 1000);
                report("podnet removePod, table of 1000 -> 0", 1000, removals, fw.ruleCount(), 1000);
                fw.deleteTable();
            }
        } finally {
            MANAGER.delete(name);
        }
    }

    /** Fills a fresh table with n pods, {@code repeat} times; every apply's time. */
    private static long[] fill(NftFirewall fw, int n, int repeat) {
        long[] all = new long[n * repeat];
        int k = 0;
        for (int r = 0; r < repeat; r++) {
            long[] one = fill(fw, n);
            System.arraycopy(one, 0, all, k, n);
            k += n;
        }
        return all;
    }

    /** Empties the table, then applies pods 0..n-1; the table keeps them until the next fill. */
    private static long[] fill(NftFirewall fw, int n) {
        fw.deleteTable();
        fw.ensureNetwork("podnet0", List.of(Cidr.parse("10.89.0.0/16")), false);
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            List<DnatRule> rules = rules(i);
            long start = System.nanoTime();
            fw.applyPod("pod-" + i, rules);
            t[i] = System.nanoTime() - start;
        }
        return t;
    }

    private static long[] removeAll(NftFirewall fw, int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            long start = System.nanoTime();
            fw.removePod("pod-" + i);
            t[i] = System.nanoTime() - start;
        }
        return t;
    }

    private static List<DnatRule> rules(int i) {
        int hostPort = 20000 + i;
        var podIp = IpAddresses.add(IpAddresses.parse("10.89.0.2"), i);
        return List.of(new DnatRule(null, Protocol.TCP, hostPort, 1, podIp, 80), new DnatRule(null, Protocol.UDP, hostPort, 1, podIp, 53));
    }

    // ---- netavark ----

    private static void netavark(boolean withPorts) throws IOException, InterruptedException {
        String label = withPorts ? "netavark 1.4 setup (iptables)" : "netavark 1.4 setup without ports";
        String id = UUID.randomUUID().toString().substring(0, 8);
        String hostName = "podnet-test-bench-" + id + "-nh";
        Path config = Files.createTempDirectory("podnet-bench-netavark");
        List<String> pods = new ArrayList<>();
        try (Netns host = MANAGER.createOrOpen(hostName)) {
            // warm-up: the binary and libraries into the page cache
            setupOne(host, config, pods, id, 0, withPorts);
            teardownAll(host, config, pods, id, withPorts);
            long[] single = new long[10];
            int rulesWithOne = 0;
            for (int r = 0; r < single.length; r++) {
                single[r] = setupOne(host, config, pods, id, 0, withPorts);
                rulesWithOne = iptablesRules(hostName);
                teardownAll(host, config, pods, id, withPorts);
            }
            report(label, 1, single, rulesWithOne, 1);
            long[] hundred = new long[100];
            for (int i = 0; i < hundred.length; i++) {
                hundred[i] = setupOne(host, config, pods, id, i, withPorts);
            }
            report(label, 100, hundred, iptablesRules(hostName), 100);
            teardownAll(host, config, pods, id, withPorts);
        } finally {
            for (String p : pods) {
                MANAGER.delete(p);
            }
            MANAGER.delete(hostName);
            try (var files = Files.walk(config)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static long setupOne(Netns host, Path config, List<String> pods, String id, int i, boolean withPorts)
            throws IOException, InterruptedException {
        String podName = "podnet-test-bench-" + id + "-p" + i;
        try (Netns pod = MANAGER.createOrOpen(podName)) {
            pods.add(podName);
            long start = System.nanoTime();
            run(host, "setup", pod.path(), options(i, withPorts), config);
            return System.nanoTime() - start;
        }
    }

    private static void teardownAll(Netns host, Path config, List<String> pods, String id, boolean withPorts)
            throws IOException, InterruptedException {
        for (String p : pods) {
            int i = Integer.parseInt(p.substring(p.lastIndexOf("-p") + 2));
            run(host, "teardown", MANAGER.pathOf(p), options(i, withPorts), config);
            MANAGER.delete(p);
        }
        pods.clear();
    }

    private static void run(Netns host, String verb, Path podNetns, String options, Path config) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nsenter", "--net=" + host.path(), NETAVARK.toString(), "--config", config.toString(), verb,
                podNetns.toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(options.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("netavark " + verb + " failed: " + out);
        }
    }

    /** netavark's options: one bridge network on 10.88.0.0/16 with a static address per pod. */
    private static String options(int i, boolean withPorts) {
        String ip = IpAddresses.format(IpAddresses.add(IpAddresses.parse("10.88.0.2"), i));
        String ports = withPorts
                ? """
                  [{"host_ip": "", "container_port": 80, "host_port": %d, "range": 1, "protocol": "tcp"},
                   {"host_ip": "", "container_port": 53, "host_port": %d, "range": 1, "protocol": "udp"}]"""
                        .formatted(20000 + i, 20000 + i)
                : "[]";
        return """
                {"container_id": "%064x", "container_name": "bench%d", "port_mappings": %s,
                 "networks": {"benchnet": {"static_ips": ["%s"], "interface_name": "eth0"}},
                 "network_info": {"benchnet": {"name": "benchnet", "id": "%s", "driver": "bridge",
                   "network_interface": "pnbench0", "subnets": [{"subnet": "10.88.0.0/16", "gateway": "10.88.0.1"}],
                   "ipv6_enabled": false, "internal": false, "dns_enabled": false}}}"""
                .formatted(i + 1, i, ports, ip, "b".repeat(64));
    }

    private static int iptablesRules(String hostName) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ip", "netns", "exec", hostName, "iptables-save").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return (int) out.lines().filter(l -> l.startsWith("-A ")).count();
    }

    // ---- output ----

    private static void report(String what, int pods, long[] nanos, int rules, int size) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2] / 1e6;
        double p90 = sorted[(int) Math.ceil(sorted.length * 0.9) - 1] / 1e6;
        // the last tenth of the applies of the last fill at this size
        int tail = Math.max(1, size / 10);
        long[] last = Arrays.copyOfRange(nanos, nanos.length - tail, nanos.length);
        Arrays.sort(last);
        double lastMedian = last[last.length / 2] / 1e6;
        System.out.printf("%-44s %6d %11.2f %11.2f %13.2f %7d%n", what, pods, median, p90, lastMedian, rules);
    }
}
