package io.podnet.testing.kube;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.podnet.testing.Sandbox;

/**
 * The packaged agent (target/quarkus-app/quarkus-run.jar) as its own process, for one node: its
 * own sandbox host namespace, state, run and network-definition dirs, and HTTP port. Used where
 * one JVM cannot be two agents (two nodes on one API server), and by benchmarks.
 */
public final class AgentProcess implements AutoCloseable {
    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final String node;
    private final Sandbox sandbox;
    private final Path dir;
    private final int httpPort;
    private final Process process;

    private AgentProcess(String node, Sandbox sandbox, Path dir, int httpPort, Process process) {
        this.node = node;
        this.sandbox = sandbox;
        this.dir = dir;
        this.httpPort = httpPort;
        this.process = process;
    }

    /**
     * Starts an agent for {@code node}; {@code env} adds to (or overrides) the agent's environment,
     * for example the API server URL and token.
     */
    public static AgentProcess start(String node, Map<String, String> env) {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: the package phase must run first");
        }
        Sandbox sandbox = new Sandbox();
        try {
            Path dir = Files.createTempDirectory("podnet-agent-" + node + "-");
            Path networks = Files.createDirectories(dir.resolve("networks"));
            Files.writeString(networks.resolve("podnet.json"), """
                    {"name": "podnet", "driver": "bridge", "network_interface": "podnet0",
                     "subnets": [{"subnet": "10.89.0.0/24", "gateway": "10.89.0.1"}]}
                    """);
            int port = Processes.freeLoopbackPort();
            Map<String, String> environment = new HashMap<>();
            environment.put("PODNET_NODE_NAME", node);
            environment.put("PODNET_HOST_NETNS", sandbox.path().toString());
            environment.put("PODNET_STATE_DIR", dir.resolve("state").toString());
            environment.put("PODNET_RUN_DIR", dir.resolve("run").toString());
            environment.put("PODNET_NETWORKS_DIR", networks.toString());
            environment.put("PODNET_RESYNC_INTERVAL", "2s");
            environment.put("QUARKUS_HTTP_PORT", String.valueOf(port));
            environment.putAll(env);
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toAbsolutePath().toString()));
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("agent.log").toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("PODNET_") || k.startsWith("QUARKUS_") || k.equals("KUBECONFIG"));
            builder.environment().putAll(environment);
            AgentProcess agent = new AgentProcess(node, sandbox, dir, port, builder.start());
            agent.awaitReady();
            return agent;
        } catch (IOException | RuntimeException e) {
            sandbox.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    public String node() {
        return node;
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    public Path log() {
        return dir.resolve("agent.log");
    }

    public Path runDir() {
        return dir.resolve("run");
    }

    public int status(String path) {
        try {
            HttpResponse<Void> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the agent of " + node + " exited with " + process.exitValue() + ":\n" + tail());
            }
            if (status("/q/health/ready") == 200) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("the agent of " + node + " was not ready after " + READY_TIMEOUT.toSeconds() + " s:\n" + tail());
    }

    public String tail() {
        return Processes.tail(log(), 40);
    }

    /** Stops the agent (SIGTERM, as the kubelet does), then its sandbox and folders. */
    @Override
    public void close() {
        Processes.end(process);
        sandbox.close();
        io.podnet.testing.Trees.delete(dir);
    }
}
