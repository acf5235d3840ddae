package io.podnet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.podnet.api.PodNetwork;
import io.podnet.apiserver.ChartRbac;
import io.podnet.apiserver.Crds;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.kube.AgentProcess;
import io.podnet.testing.kube.KubeBinaries;
import io.podnet.testing.kube.LocalApiServer;

/**
 * Many PodNetworks at once through the whole agent, with the chart's JVM settings: a client creates
 * {@code count} PodNetworks from a few threads, one watch notes when each one is Ready, then one
 * delete of them all waits until the last is gone. Prints the client's create time, the time until
 * all are Ready, each pod's create -> Ready p50/p90, the delete time, and the agent's RSS idle and at
 * {@code count}. Against the embedded API the agent's RSS includes the API's store. Run as root:
 *
 * <pre>
 * bench/run OperatorScaleBench [count, default 1000] [client threads, default 4] [embedded|real|both, default both]
 * </pre>
 *
 * BENCH_JVM_EXTRA adds JVM options (e.g. a JFR recording) to the chart's; with
 * {@code -XX:NativeMemoryTracking=summary} the JVM's memory by area and a heap histogram are
 * printed at {@code count} Ready.
 */
public final class OperatorScaleBench {
    private static final String NETWORK = "scale";
    private static final String NAMESPACE = "default";
    private static final long TIMEOUT_S = 240;
    /** The chart's daemonset sets it to 2 beside the JVM options. */
    private static final String CHART_MALLOC_ARENAS = "MALLOC_ARENA_MAX";

    private OperatorScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (Exception | Error e) {
            e.printStackTrace(); // before the exit below, which would hide it
        } finally {
            System.exit(0); // the HTTP client's event-loop threads would keep the JVM alive
        }
    }

    private static void run(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        String which = args.length > 2 ? args[2] : "both";
        String jvm = chartJvmOptions() + " " + System.getenv().getOrDefault("BENCH_JVM_EXTRA", "");
        System.out.printf("%d PodNetworks created at once from %d client threads, agent JVM: %s%n", count, threads, jvm.trim());
        Map<String, String> networks = Map.of(NETWORK + ".json", """
                {"name": "scale", "driver": "bridge", "network_interface": "pnscale0",
                 "subnets": [{"subnet": "10.100.0.0/16", "gateway": "10.100.0.1"}]}
                """);
        if (!which.equals("real")) {
            Map<String, String> env = new HashMap<>(Map.of("PODNET_EMBEDDED_ENABLED", "true",
                    "QUARKUS_LOG_CATEGORY__IO_FABRIC8_MOCKWEBSERVER__LEVEL", "WARN", "JDK_JAVA_OPTIONS", jvm, CHART_MALLOC_ARENAS, "2"));
            try (AgentProcess agent = AgentProcess.start("local", env, networks);
                    KubernetesClient client = new KubernetesClientBuilder()
                            .withConfig(Config.fromKubeconfig(Files.readString(agent.runDir().resolve("kubeconfig")))).build()) {
                measure("embedded API (agent RSS includes the API)", agent, client, "local", count, threads);
            }
        }
        if (which.equals("embedded")) {
            return;
        }
        if (KubeBinaries.find().isEmpty()) {
            System.out.println("real kube-apiserver: skipped, " + KubeBinaries.HOW_TO_BUILD);
            return;
        }
        LocalApiServer server = LocalApiServer.shared();
        try (KubernetesClient admin = server.adminClient()) {
            Crds.apply(admin);
            Map<String, String> env = Map.of("PODNET_EMBEDDED_ENABLED", "false",
                    "QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", server.url(),
                    "QUARKUS_KUBERNETES_CLIENT_CA_CERT_FILE", server.caFile().toString(),
                    "QUARKUS_KUBERNETES_CLIENT_TOKEN", ChartRbac.agentToken(admin),
                    "PODNET_NODE_GONE_LEASE_NAMESPACE", ChartRbac.NAMESPACE,
                    "JDK_JAVA_OPTIONS", jvm, CHART_MALLOC_ARENAS, "2");
            try (AgentProcess agent = AgentProcess.start("bench-node", env, networks)) {
                measure("kube-apiserver " + server.version() + " (chart RBAC)", agent, admin, "bench-node", count, threads);
            }
        } finally {
            server.close();
        }
    }

    /**
     * The chart's jvmOptions, and its memory limit as MaxRAM: in a container the JVM sizes itself
     * from the cgroup limit, which this process does not have.
     */
    static String chartJvmOptions() throws IOException {
        String values = Files.readString(Path.of("helm", "podnet", "values.yaml"));
        Matcher options = Pattern.compile("(?m)^jvmOptions:\\s*\"([^\"]*)\"").matcher(values);
        Matcher limit = Pattern.compile("(?m)^  limits:\\s*\\n    memory:\\s*(\\d+)Mi").matcher(values);
        if (!options.find() || !limit.find()) {
            throw new IllegalStateException("helm/podnet/values.yaml has no jvmOptions or resources.limits.memory");
        }
        return "-XX:MaxRAM=" + limit.group(1) + "m " + options.group(1);
    }

    private static void measure(String label, AgentProcess agent, KubernetesClient client, String node, int count, int threads)
            throws Exception {
        Thread.sleep(3000); // idle: started, informers synced
        long idleRss = rssKib(agent.pid());
        long cpuStart = cpuMillis(agent.pid());
        var resources = client.resources(PodNetwork.class).inNamespace(NAMESPACE);
        Map<String, Long> sent = new ConcurrentHashMap<>();
        Map<String, Long> ready = new ConcurrentHashMap<>();
        CountDownLatch allReady = new CountDownLatch(count);
        CountDownLatch allGone = new CountDownLatch(count);
        try (Watch watch = resources.watch(new Watcher<PodNetwork>() {
            @Override
            public void eventReceived(Action action, PodNetwork pn) {
                String name = pn.getMetadata().getName();
                if (action == Action.DELETED) {
                    allGone.countDown();
                } else if (isReady(pn) && ready.putIfAbsent(name, System.nanoTime()) == null) {
                    allReady.countDown();
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            long start = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            List<Future<?>> creates = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                creates.add(pool.submit(() -> {
                    for (int i = first; i < count; i += threads) {
                        String name = "scale-" + i;
                        sent.put(name, System.nanoTime());
                        resources.resource(PodNetworks.of(NAMESPACE, name, node, NETWORK)).create();
                    }
                    return null;
                }));
            }
            for (Future<?> f : creates) {
                f.get(TIMEOUT_S, TimeUnit.SECONDS);
            }
            long created = System.nanoTime();
            pool.shutdown();
            boolean done = allReady.await(TIMEOUT_S, TimeUnit.SECONDS);
            long readyAll = System.nanoTime();
            long[] perPod = ready.entrySet().stream().mapToLong(e -> e.getValue() - sent.get(e.getKey())).toArray();
            Thread.sleep(2000); // the status writes and events settle
            long cpuReady = cpuMillis(agent.pid());
            long loadedRss = rssKib(agent.pid());
            long peakRss = hwmKib(agent.pid());
            String memory = whereMemoryIs(agent.pid());
            long deleteStart = System.nanoTime();
            try {
                resources.delete();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                // a collection delete of 1000 may outlast the client's 30 s request timeout; the server goes on
                System.out.printf("  (the delete request itself timed out on the client: %s; waiting for the objects to go)%n", e.getMessage());
            }
            long deleteSent = System.nanoTime();
            boolean gone = allGone.await(TIMEOUT_S, TimeUnit.SECONDS);
            long deleted = System.nanoTime();
            long cpuDeleted = cpuMillis(agent.pid());
            System.out.printf("%s%n", label);
            System.out.printf("  client create of %d: %.1f s (%d threads)%n", count, (created - start) / 1e9, threads);
            System.out.printf("  all Ready after %.1f s from the first create%s%n", (readyAll - start) / 1e9,
                    done ? "" : " (TIMED OUT: " + ready.size() + " Ready)");
            if (perPod.length > 0) {
                System.out.printf("  create -> Ready per pod: p50 %.1f s, p90 %.1f s%n", Stats.percentile(perPod, 50) / 1e9,
                        Stats.percentile(perPod, 90) / 1e9);
            }
            System.out.printf("  delete all: request %.1f s, all gone after %.1f s%s%n", (deleteSent - deleteStart) / 1e9,
                    (deleted - deleteStart) / 1e9, gone ? "" : " (TIMED OUT: " + (count - allGone.getCount()) + " gone)");
            // the machine is shared: the agent's own CPU time is what another load does not inflate much
            System.out.printf("  agent CPU: %.1f s for create -> all Ready (+2 s settle), %.1f s for the delete%n",
                    (cpuReady - cpuStart) / 1e3, (cpuDeleted - cpuReady) / 1e3);
            System.out.printf("  agent RSS: idle %d MiB, at %d Ready %d MiB, peak %d MiB%n", idleRss / 1024, count,
                    loadedRss / 1024, peakRss / 1024);
            System.out.print(memory);
        }
    }

    /**
     * At {@code count} Ready, when BENCH_JVM_EXTRA turned on native memory tracking: the JVM's own
     * account of its committed memory by area, and the classes holding most of the heap.
     */
    private static final Pattern TOTAL = Pattern.compile("^Total: reserved=\\d+KB, committed=(\\d+)KB");

    private static String whereMemoryIs(long pid) throws IOException, InterruptedException {
        if (!System.getenv().getOrDefault("BENCH_JVM_EXTRA", "").contains("NativeMemoryTracking")) {
            return "";
        }
        StringBuilder out = new StringBuilder("  agent native memory (committed, KiB):\n");
        Pattern area = Pattern.compile("^(?:-\\s*)?([A-Z][A-Za-z ]+?) \\(reserved=\\d+KB, committed=(\\d+)KB\\)");
        for (String line : jcmd(pid, "VM.native_memory", "summary")) {
            Matcher m = area.matcher(line.trim());
            Matcher total = TOTAL.matcher(line.trim());
            if (m.find() && Long.parseLong(m.group(2)) >= 1024) {
                out.append(String.format("    %-24s %8s%n", m.group(1), m.group(2)));
            } else if (total.find()) {
                out.append(String.format("    %-24s %8s%n", "Total", total.group(1)));
            }
        }
        out.append("  agent heap, the largest classes (instances, bytes):\n");
        List<String> histogram = jcmd(pid, "GC.class_histogram");
        histogram.stream().filter(l -> l.matches("\\s*\\d+:.*")).limit(12).forEach(l -> out.append("   ").append(l).append('\n'));
        histogram.stream().filter(l -> l.startsWith("Total")).forEach(l -> out.append("   ").append(l).append('\n'));
        return out.toString();
    }

    private static List<String> jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("jcmd", String.valueOf(pid)));
        args.addAll(List.of(command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
        p.waitFor(60, TimeUnit.SECONDS);
        return lines;
    }

    private static boolean isReady(PodNetwork pn) {
        return pn.getStatus() != null && pn.getStatus().getConditions() != null && pn.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    /** User and system CPU time of the process, from /proc/pid/stat (clock ticks of 10 ms). */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    private static long rssKib(long pid) throws IOException {
        return statusKib(pid, "VmRSS:");
    }

    private static long hwmKib(long pid) throws IOException {
        return statusKib(pid, "VmHWM:");
    }

    private static long statusKib(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith(field)) {
                return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
            }
        }
        return -1;
    }
}
