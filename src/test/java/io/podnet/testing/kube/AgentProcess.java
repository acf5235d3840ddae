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
 * one JVM cannot be two agents (two nodes on one API server), by restart tests ({@link #stop()},
 * {@link #restart()}: the same sandbox and dirs, a new process), and by benchmarks.
 */
public final class AgentProcess implements AutoCloseable {
    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

    private final String node;
    private final Sandbox sandbox;
    private final Path dir;
    private final Map<String, String> environment;
    private int httpPort;
    private Process process;
    /** How many processes ran before this one; names the current log. */
    private int run;

    private AgentProcess(String node, Sandbox sandbox, Path dir, Map<String, String> environment) {
        this.node = node;
        this.sandbox = sandbox;
        this.dir = dir;
        this.environment = environment;
    }

    /**
     * Starts an agent for {@code node}; {@code env} adds to (or overrides) the agent's environment,
     * for example the API server URL and token.
     */
    public static AgentProcess start(String node, Map<String, String> env) {
        return start(node, env, Map.of());
    }

    /**
     * As {@link #start(String, Map)}, with more network definitions ({@code name.json} -> its JSON)
     * beside podnet and the examples: a benchmark of 1000 pods needs a subnet larger than a /24.
     */
    public static AgentProcess start(String node, Map<String, String> env, Map<String, String> networkFiles) {
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
            try (var examples = Files.list(Path.of("examples", "networks"))) { // "backend" and the other examples
                for (Path example : examples.filter(p -> p.toString().endsWith(".json")).toList()) {
                    Files.copy(example, networks.resolve(example.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            for (Map.Entry<String, String> file : networkFiles.entrySet()) {
                Files.writeString(networks.resolve(file.getKey()), file.getValue());
            }
            Map<String, String> environment = new HashMap<>();
            environment.put("PODNET_NODE_NAME", node);
            environment.put("PODNET_HOST_NETNS", sandbox.path().toString());
            environment.put("PODNET_STATE_DIR", dir.resolve("state").toString());
            environment.put("PODNET_RUN_DIR", dir.resolve("run").toString());
            environment.put("PODNET_NETWORKS_DIR", networks.toString());
            environment.put("PODNET_RESYNC_INTERVAL", "2s");
            environment.putAll(env);
            AgentProcess agent = new AgentProcess(node, sandbox, dir, Map.copyOf(environment));
            agent.launch();
            return agent;
        } catch (IOException | RuntimeException e) {
            sandbox.close();
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    /** A new process with the same environment, sandbox and dirs, on a free port; returns when it is ready. */
    private void launch() throws IOException {
        if (process != null) {
            run++;
        }
        Map<String, String> env = new HashMap<>(environment);
        env.putIfAbsent("QUARKUS_HTTP_PORT", String.valueOf(Processes.freeLoopbackPort()));
        httpPort = Integer.parseInt(env.get("QUARKUS_HTTP_PORT"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-jar", JAR.toAbsolutePath().toString()));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log().toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("PODNET_") || k.startsWith("QUARKUS_") || k.equals("KUBECONFIG"));
        builder.environment().putAll(env);
        process = builder.start();
        awaitReady();
    }

    public String node() {
        return node;
    }

    /** The agent process's pid, for its memory (/proc/pid/status) and jcmd. */
    public long pid() {
        return process.pid();
    }

    public Sandbox sandbox() {
        return sandbox;
    }

    /** The log of the current (or last) process: agent.log for the first, agent-<n>.log after the n-th restart. */
    public Path log() {
        return logs().get(run);
    }

    /** The logs of every process so far, oldest first. */
    public List<Path> logs() {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i <= run; i++) {
            out.add(dir.resolve(i == 0 ? "agent.log" : "agent-" + i + ".log"));
        }
        return out;
    }

    public Path runDir() {
        return dir.resolve("run");
    }

    public boolean isAlive() {
        return process.isAlive();
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

    /** The body of a GET on the agent's HTTP port (its /q/metrics, say); empty when it does not answer. */
    public String body(String path) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
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
        String tail = tail(); // before close() deletes the log
        close();
        throw new IllegalStateException("the agent of " + node + " was not ready after " + READY_TIMEOUT.toSeconds() + " s:\n" + tail);
    }

    public String tail() {
        return Processes.tail(log(), 40);
    }

    /**
     * Stops the agent (SIGTERM, as the kubelet does) and keeps what it built: the sandbox, the
     * state and run dirs and the pod namespaces stay, as they do on a node whose agent is down.
     */
    public void stop() {
        Processes.end(process);
    }

    /** Kills the agent with SIGKILL, as a crash or the OOM killer would: it gets no chance to clean up. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the agent if it runs, and starts a new process on the same sandbox, dirs and
     * environment (a fresh HTTP port unless the environment fixes one); returns when it is ready.
     * Its output goes to a new {@link #log()}.
     */
    public void restart() {
        stop();
        try {
            launch();
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart the agent of " + node + ": " + e.getMessage(), e);
        }
    }

    /** Stops the agent (SIGTERM, as the kubelet does), then its sandbox and folders. */
    @Override
    public void close() {
        Processes.end(process);
        sandbox.close();
        removePodNamespacesLeftBehind();
        io.podnet.testing.Trees.delete(dir);
    }

    /**
     * The pod namespaces its state still names: after a failed test the agent stopped before
     * tearing them down, and they live in the host's /run/netns, outside the sandbox.
     */
    private void removePodNamespacesLeftBehind() {
        Path pods = dir.resolve("run").resolve("state").resolve("pods");
        if (!Files.isDirectory(pods)) {
            return;
        }
        io.podnet.netns.NetnsManager netns = new io.podnet.netns.NetnsManager(Sandbox.NETNS_DIR);
        try (java.util.stream.Stream<Path> states = Files.list(pods)) {
            states.map(p -> p.getFileName().toString()).filter(n -> n.matches("[0-9a-f-]{36}\\.json"))
                    .map(n -> "podnet-" + n.substring(0, 36)).filter(netns::exists).forEach(netns::delete);
        } catch (IOException e) {
            // nothing listed, nothing to remove
        }
    }
}
