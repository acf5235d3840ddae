package io.podnet.bench;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
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
 * Create -> Ready through the whole agent, against the embedded API and against a real
 * kube-apiserver in the same run (these machines' speed drifts between days, so only the
 * same-run ratio holds). Each time the packaged agent runs as its own process with a sandbox
 * namespace playing the host; a client creates PodNetworks one at a time and watches until each
 * one's Ready condition is True. The real API server row needs tools/kube/build. Run as root:
 *
 * <pre>
 * bench/run OperatorReadyBench [count, default 20]
 * </pre>
 */
public final class OperatorReadyBench {
    private OperatorReadyBench() {
    }

    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } finally {
            System.exit(0); // the HTTP client's event-loop threads would keep the JVM alive
        }
    }

    private static void run(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        System.out.printf("create -> Ready through the agent (sandbox host), %d PodNetworks one at a time, after 5 warm-ups%n", count);
        System.out.println(Stats.header());
        try (AgentProcess agent = AgentProcess.start("local", Map.of("PODNET_EMBEDDED_ENABLED", "true",
                "QUARKUS_LOG_CATEGORY__IO_FABRIC8_MOCKWEBSERVER__LEVEL", "WARN"));
                KubernetesClient client = new KubernetesClientBuilder()
                        .withConfig(Config.fromKubeconfig(Files.readString(agent.runDir().resolve("kubeconfig")))).build()) {
            System.out.println(Stats.row("embedded API", measure(client, "local", count)));
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
                    "PODNET_NODE_GONE_LEASE_NAMESPACE", ChartRbac.NAMESPACE);
            try (AgentProcess agent = AgentProcess.start("bench-node", env)) {
                System.out.println(Stats.row("kube-apiserver " + server.version() + " (chart RBAC)", measure(admin, "bench-node", count)));
            }
        } finally {
            server.close();
        }
    }

    private static long[] measure(KubernetesClient client, String node, int count) throws Exception {
        for (int i = 0; i < 5; i++) {
            createAndAwaitReady(client, node, "warmup-" + i);
        }
        long[] ready = new long[count];
        for (int i = 0; i < count; i++) {
            ready[i] = createAndAwaitReady(client, node, "bench-" + i);
        }
        client.resources(PodNetwork.class).inNamespace("default").delete();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!client.resources(PodNetwork.class).inNamespace("default").list().getItems().isEmpty() && System.nanoTime() < until) {
            Thread.sleep(100);
        }
        return ready;
    }

    /** Nanoseconds from the create request to the watch event that shows Ready=True. */
    private static long createAndAwaitReady(KubernetesClient client, String node, String name) throws Exception {
        CompletableFuture<Long> readyAt = new CompletableFuture<>();
        var resources = client.resources(PodNetwork.class).inNamespace("default");
        try (var watch = resources.withField("metadata.name", name).watch(new Watcher<PodNetwork>() {
            @Override
            public void eventReceived(Action action, PodNetwork pn) {
                if (pn.getStatus() != null && pn.getStatus().getConditions().stream()
                        .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"))) {
                    readyAt.complete(System.nanoTime());
                }
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            PodNetwork pn = PodNetworks.of("default", name, node, "podnet");
            long start = System.nanoTime();
            resources.resource(pn).create();
            return readyAt.get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS) - start;
        }
    }
}
