package io.podnet.testing.kube;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.podnet.testing.Shell;

/**
 * A real single-node cluster for the cluster tier, as {@code tools/cluster/up} starts it: the node
 * "local" is a network and mount namespace of its own (kubelet, containerd, kube-proxy and the
 * control plane all run there), reached from here through one veth at {@link #nodeIp()}.
 * {@link #close()} runs {@code tools/cluster/down}, which leaves nothing behind.
 */
public final class LocalCluster implements AutoCloseable {
    static final Path UP = Path.of("tools", "cluster", "up");
    static final Path DOWN = Path.of("tools", "cluster", "down");
    static final Path ON_NODE = Path.of("tools", "cluster", "on-node");
    static final Path BUILD = Path.of("tools", "cluster", "build");
    /** What {@code ./mvnw package -Pimage} writes: the agent's image, in docker save layout. */
    public static final Path IMAGE = Path.of("target", "jib", "podnet-agent.tar");
    /** Where {@link #close()} leaves the cluster's logs, and tests their pods' logs. */
    public static final Path LOGS = Path.of("target", "cluster-logs");
    private static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));
    private static final String PREFIX = "podnet-cluster-";
    private static final String OWNER_FILE = "owner.pid";

    private final Path dir;
    private final Map<String, String> env;

    private LocalCluster(Path dir, Map<String, String> env) {
        this.dir = dir;
        this.env = env;
    }

    /** Starts a cluster and waits until its node is Ready (about half a minute). */
    public static LocalCluster start() {
        endLeftovers();
        try {
            Path dir = Files.createTempDirectory(TMP, PREFIX);
            Files.writeString(dir.resolve(OWNER_FILE), ProcessHandle.current().pid() + "\n");
            Path upLog = Files.createTempFile(TMP, PREFIX + "up-", ".log");
            try {
                Process up = new ProcessBuilder(UP.toString(), dir.toString()).redirectErrorStream(true)
                        .redirectOutput(upLog.toFile()).start();
                if (!up.waitFor(300, TimeUnit.SECONDS)) {
                    up.destroyForcibly();
                    run(DOWN.toString(), dir.toString());
                    throw new IllegalStateException("tools/cluster/up did not finish in 300 s:\n" + Processes.tail(upLog, 40));
                }
                if (up.exitValue() != 0) {
                    throw new IllegalStateException("tools/cluster/up failed:\n" + Processes.tail(upLog, 60));
                }
            } finally {
                Files.deleteIfExists(upLog);
            }
            LocalCluster cluster = new LocalCluster(dir, readEnv(dir.resolve("cluster.env")));
            Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "local-cluster-down"));
            return cluster;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the cluster: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public Path kubeconfig() {
        return dir.resolve("admin.kubeconfig");
    }

    public KubernetesClient client() {
        try {
            Config config = Config.fromKubeconfig(Files.readString(kubeconfig()));
            config.setRequestTimeout(30_000);
            return new KubernetesClientBuilder().withConfig(config).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The node's address on its veth: the API server (6443), the kubelet and hostNetwork pods listen there. */
    public String nodeIp() {
        return env.get("PODNET_CLUSTER_NODE_IP");
    }

    public String nodeName() {
        return env.get("PODNET_CLUSTER_NODE");
    }

    /** The node's network namespace, as a file of this machine's /run/netns. */
    public Path nodeNetns() {
        return Path.of("/run/netns", env.get("PODNET_CLUSTER_NETNS"));
    }

    /** A path of the node's own file system (its /run, /var/lib, ...), seen from here. */
    public Path onNodeFs(String absolute) {
        return Path.of("/proc", env.get("PODNET_CLUSTER_HOLDER"), "root", absolute.substring(1));
    }

    /** Runs a command on the node, in its network and mount namespaces. */
    public Shell.Result onNode(String... command) {
        List<String> all = new ArrayList<>(List.of(ON_NODE.toString(), dir.toString()));
        all.addAll(List.of(command));
        return Shell.run(all.toArray(String[]::new));
    }

    /** The tail of one of the cluster's logs: kubelet, containerd, kube-apiserver, ... */
    public String log(String name, int lines) {
        return Processes.tail(dir.resolve("logs").resolve(name + ".log"), lines);
    }

    /** Stops it all; the cluster's logs are kept in {@link #LOGS} (the last run's), for a failure to be read. */
    @Override
    public synchronized void close() {
        if (Files.exists(dir.resolve("cluster.env"))) {
            keepLogs();
            run(DOWN.toString(), dir.toString());
        }
    }

    private void keepLogs() {
        try {
            Files.createDirectories(LOGS);
            try (DirectoryStream<Path> logs = Files.newDirectoryStream(dir.resolve("logs"))) {
                for (Path log : logs) {
                    Files.copy(log, LOGS.resolve(log.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            // the logs are a help, not a result
        }
    }

    /** Clusters of earlier runs whose JVM is gone (killed before its shutdown hook ran). */
    private static void endLeftovers() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(TMP, PREFIX + "*")) {
            for (Path d : dirs) {
                Path owner = d.resolve(OWNER_FILE);
                if (!Files.isDirectory(d) || !Files.exists(d.resolve("cluster.env")) || !Files.exists(owner)) {
                    continue;
                }
                long pid = Long.parseLong(Files.readString(owner).strip());
                boolean alive = ProcessHandle.of(pid).flatMap(h -> h.info().command()).map(c -> c.endsWith("/java")).orElse(false);
                if (!alive) {
                    run(DOWN.toString(), d.toString());
                }
            }
        } catch (IOException | NumberFormatException e) {
            // nothing readable to end
        }
    }

    private static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }

    private static void run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
