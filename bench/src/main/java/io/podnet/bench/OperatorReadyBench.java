package io.podnet.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.podnet.api.NetworkAttachment;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkSpec;
import io.podnet.netns.NetnsManager;

/**
 * Create -> Ready through the whole agent: the packaged agent runs as its own process with the
 * embedded API and a sandbox namespace playing the host; a client creates PodNetworks one at a
 * time and watches until each one's Ready condition is True. Run as root:
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
        Path jar = Path.of("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: bench/run packages the agent first");
        }
        NetnsManager manager = new NetnsManager(Path.of("/run/netns"));
        String sandbox = "podnet-bench-" + UUID.randomUUID().toString().substring(0, 8);
        Path dir = Files.createTempDirectory("podnet-bench-agent");
        Path kubeconfig = dir.resolve("kubeconfig");
        Process agent = null;
        try (var host = manager.createOrOpen(sandbox)) {
            ProcessBuilder pb = new ProcessBuilder("java", "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
            pb.environment().put("PODNET_HOST_NETNS", host.path().toString());
            pb.environment().put("PODNET_STATE_DIR", dir.resolve("state").toString());
            pb.environment().put("PODNET_RUN_DIR", dir.resolve("run").toString());
            pb.environment().put("PODNET_NETWORKS_DIR", dir.resolve("networks").toString());
            pb.environment().put("PODNET_EMBEDDED_ENABLED", "true");
            pb.environment().put("PODNET_EMBEDDED_KUBECONFIG", kubeconfig.toString());
            pb.environment().put("QUARKUS_HTTP_PORT", "0");
            pb.environment().put("QUARKUS_LOG_CATEGORY__IO_FABRIC8_MOCKWEBSERVER__LEVEL", "WARN");
            agent = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(kubeconfig)) {
                if (System.nanoTime() > deadline || !agent.isAlive()) {
                    throw new IllegalStateException("the agent did not start; see " + dir.resolve("agent.log"));
                }
                Thread.sleep(100);
            }
            Thread.sleep(1000); // the operator starts its informer after the API is up
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(Files.readString(kubeconfig))).build()) {
                for (int i = 0; i < 5; i++) { // warm-up
                    createAndAwaitReady(client, "warmup-" + i);
                }
                long[] ready = new long[count];
                for (int i = 0; i < count; i++) {
                    ready[i] = createAndAwaitReady(client, "bench-" + i);
                }
                System.out.printf("create -> Ready through the agent (embedded API, sandbox host), %d PodNetworks one at a time%n", count);
                System.out.println(Stats.header());
                System.out.println(Stats.row("create -> Ready", ready));
                client.resources(PodNetwork.class).inNamespace("default").delete();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!client.resources(PodNetwork.class).inNamespace("default").list().getItems().isEmpty() && System.nanoTime() < until) {
                    Thread.sleep(100);
                }
            }
        } finally {
            if (agent != null) {
                agent.destroy();
                agent.waitFor(30, TimeUnit.SECONDS);
            }
            manager.delete(sandbox);
            deleteTree(dir.toFile());
        }
    }

    /** Nanoseconds from the create request to the watch event that shows Ready=True. */
    private static long createAndAwaitReady(KubernetesClient client, String name) throws Exception {
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
            PodNetwork pn = new PodNetwork();
            pn.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("default").build());
            PodNetworkSpec spec = new PodNetworkSpec();
            spec.setNodeName("local");
            NetworkAttachment a = new NetworkAttachment();
            a.setName("podnet");
            spec.setNetworks(List.of(a));
            pn.setSpec(spec);
            long start = System.nanoTime();
            resources.resource(pn).create();
            return readyAt.get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS) - start;
        }
    }

    private static void deleteTree(File f) {
        File[] children = f.listFiles();
        if (children != null) {
            for (File c : children) {
                deleteTree(c);
            }
        }
        f.delete();
    }
}
