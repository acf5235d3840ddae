package io.podnet.testing.kube;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/**
 * A real kube-apiserver and etcd for the API server tier, both on 127.0.0.1 only, on free ports:
 * etcd without fsync, the API server with RBAC, a static admin token (group system:masters),
 * a service-account signing key (TokenRequest works), and its self-signed serving certificate.
 * There is no controller-manager: deleted namespaces stay Terminating and nothing is garbage
 * collected, so tests clean up what they create. One server serves the whole test run
 * ({@link #shared()}); {@link #stopApiServer()} and {@link #startApiServer()} make an outage.
 */
public final class LocalApiServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    /** Servers a killed test run left behind, ended at the next start. */
    private static final Path PID_FILE = Path.of(System.getProperty("java.io.tmpdir"), "podnet-apiserver-tier.pids");
    private static LocalApiServer shared;

    private final Path bin;
    private final Path dir;
    private final int etcdPort = Processes.freeLoopbackPort();
    private final int peerPort = Processes.freeLoopbackPort();
    private final int securePort = Processes.freeLoopbackPort();
    private final String adminToken = UUID.randomUUID().toString();
    private Process etcd;
    private Process apiServer;

    private LocalApiServer(Path bin) throws IOException {
        this.bin = bin;
        this.dir = Files.createTempDirectory("podnet-apiserver-");
    }

    /** The run's server, started on first use and stopped when the JVM exits. */
    public static synchronized LocalApiServer shared() {
        if (shared == null) {
            endLeftovers();
            try {
                LocalApiServer server = new LocalApiServer(KubeBinaries.require());
                try {
                    server.start();
                } catch (IOException | RuntimeException e) {
                    server.close(); // etcd may be up already
                    throw e;
                }
                Runtime.getRuntime().addShutdownHook(new Thread(server::close, "local-apiserver-stop"));
                shared = server;
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the API server tier: " + e.getMessage(), e);
            }
        }
        return shared;
    }

    private void start() throws IOException {
        Files.writeString(dir.resolve("tokens.csv"), adminToken + ",podnet-test-admin,podnet-test-admin,\"system:masters\"\n");
        writeServiceAccountKey(dir.resolve("sa.key"));
        // every request on podnet.io resources, for tests that assert what the agent asked (watch selectors, conflicts)
        Files.writeString(dir.resolve("audit-policy.yaml"), """
                apiVersion: audit.k8s.io/v1
                kind: Policy
                omitStages: ["RequestReceived"]
                rules:
                  - level: Metadata
                    resources: [{group: "podnet.io"}]
                  - level: None
                """);
        etcd = launch("etcd", List.of(bin.resolve("etcd").toString(),
                "--name=default",
                "--data-dir=" + dir.resolve("etcd"),
                "--listen-client-urls=http://127.0.0.1:" + etcdPort,
                "--advertise-client-urls=http://127.0.0.1:" + etcdPort,
                "--listen-peer-urls=http://127.0.0.1:" + peerPort,
                "--initial-advertise-peer-urls=http://127.0.0.1:" + peerPort,
                "--initial-cluster=default=http://127.0.0.1:" + peerPort,
                "--unsafe-no-fsync=true",
                "--log-level=warn"));
        startApiServer();
    }

    /** Starts kube-apiserver (again, after {@link #stopApiServer()}) on the same port and data, and waits until it is ready. */
    public synchronized void startApiServer() {
        if (apiServer != null && apiServer.isAlive()) {
            return;
        }
        try {
            apiServer = launch("kube-apiserver", List.of(bin.resolve("kube-apiserver").toString(),
                    "--etcd-servers=http://127.0.0.1:" + etcdPort,
                    "--secure-port=" + securePort,
                    "--bind-address=127.0.0.1",
                    "--advertise-address=127.0.0.1",
                    "--cert-dir=" + dir.resolve("certs"),
                    "--token-auth-file=" + dir.resolve("tokens.csv"),
                    "--authorization-mode=RBAC",
                    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
                    "--service-account-key-file=" + dir.resolve("sa.key"),
                    "--service-account-signing-key-file=" + dir.resolve("sa.key"),
                    "--service-cluster-ip-range=10.0.0.0/24",
                    // no controller-manager makes the default ServiceAccounts
                    "--disable-admission-plugins=ServiceAccount",
                    "--allow-privileged=true",
                    "--audit-policy-file=" + dir.resolve("audit-policy.yaml"),
                    "--audit-log-path=" + auditLog(),
                    "--audit-log-format=json",
                    "--v=0"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start kube-apiserver: " + e.getMessage(), e);
        }
        awaitReady();
    }

    /** Ends kube-apiserver (SIGTERM), leaving etcd and its data: an API outage. */
    public synchronized void stopApiServer() {
        Processes.end(apiServer);
    }

    /** What /version reports, e.g. v1.36.3. */
    public String version() {
        try (KubernetesClient c = adminClient()) {
            return c.getKubernetesVersion().getGitVersion();
        }
    }

    public String url() {
        return "https://127.0.0.1:" + securePort;
    }

    /** The CA of the API server's self-signed serving certificate (the bundle it wrote holds both). */
    public Path caFile() {
        return dir.resolve("certs").resolve("apiserver.crt");
    }

    public String adminToken() {
        return adminToken;
    }

    public Config config(String token) {
        return new ConfigBuilder(Config.empty()).withMasterUrl(url()).withCaCertFile(caFile().toString()).withOauthToken(token)
                .withNamespace("default").withRequestTimeout(30_000).withConnectionTimeout(10_000).build();
    }

    public KubernetesClient adminClient() {
        return new KubernetesClientBuilder().withConfig(config(adminToken)).build();
    }

    public KubernetesClient client(String token) {
        return new KubernetesClientBuilder().withConfig(config(token)).build();
    }

    /** A kubeconfig for kubectl with this token, written in the server's folder (mode 0600). */
    public Path kubeconfig(String name, String token) {
        Path file = dir.resolve(name + ".kubeconfig");
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters: [{name: local, cluster: {server: "%s", certificate-authority: "%s"}}]
                users: [{name: %s, user: {token: "%s"}}]
                contexts: [{name: local, context: {cluster: local, user: %s, namespace: default}}]
                current-context: local
                """.formatted(url(), caFile(), name, token, name);
        try {
            Files.writeString(file, yaml);
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    public Path auditLog() {
        return dir.resolve("audit.log");
    }

    /** The audit events so far (one JSON object a request: user.username, verb, requestURI, responseStatus.code, ...). */
    public List<com.fasterxml.jackson.databind.JsonNode> auditEvents() {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
        try {
            if (Files.exists(auditLog())) {
                for (String line : Files.readAllLines(auditLog())) {
                    if (!line.isBlank()) {
                        events.add(json.readTree(line));
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return events;
    }

    public Path logOf(String name) {
        return dir.resolve(name + ".log");
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "not started";
        while (System.nanoTime() < deadline) {
            if (!apiServer.isAlive()) {
                throw new IllegalStateException("kube-apiserver exited with " + apiServer.exitValue() + ": " + Processes.tail(logOf("kube-apiserver"), 30));
            }
            if (Files.exists(caFile())) {
                try (KubernetesClient c = adminClient()) {
                    String ready = c.raw("/readyz");
                    if ("ok".equals(ready == null ? null : ready.strip())) {
                        return;
                    }
                    last = String.valueOf(ready);
                } catch (RuntimeException e) {
                    last = e.getMessage();
                }
            }
            sleep(200);
        }
        throw new IllegalStateException("kube-apiserver not ready after " + START_TIMEOUT.toSeconds() + " s (" + last + "): "
                + Processes.tail(logOf("kube-apiserver"), 30));
    }

    private Process launch(String name, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logOf(name).toFile())).start();
        Files.writeString(PID_FILE, p.pid() + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        return p;
    }

    @Override
    public synchronized void close() {
        Processes.end(apiServer);
        Processes.end(etcd);
        io.podnet.testing.Trees.delete(dir);
        keepPids(pid -> ProcessHandle.of(pid).isPresent() && !isOurs(pid));
    }

    /**
     * Ends servers of an earlier run that was killed before its shutdown hook ran: our binaries,
     * by pid file, whose launching JVM is gone. A server whose JVM still runs belongs to a test
     * run going on right now (another worktree's, on a shared machine) and is left alone.
     */
    private static void endLeftovers() {
        keepPids(pid -> {
            Optional<ProcessHandle> server = ProcessHandle.of(pid)
                    .filter(h -> h.info().command().map(c -> c.endsWith("/etcd") || c.endsWith("/kube-apiserver")).orElse(false));
            if (server.isEmpty()) {
                return false;
            }
            boolean launcherAlive = server.get().parent().flatMap(parent -> parent.info().command()).map(c -> c.endsWith("/java")).orElse(false);
            if (!launcherAlive) {
                server.get().destroyForcibly();
            }
            return launcherAlive;
        });
    }

    private boolean isOurs(long pid) {
        return (etcd != null && etcd.pid() == pid) || (apiServer != null && apiServer.pid() == pid);
    }

    /** Rewrites the pid file with the pids that pass {@code keep}; removes it when none do. */
    private static synchronized void keepPids(java.util.function.LongPredicate keep) {
        if (!Files.exists(PID_FILE)) {
            return;
        }
        try {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(PID_FILE)) {
                if (!line.isBlank() && keep.test(Long.parseLong(line.strip()))) {
                    kept.add(line.strip());
                }
            }
            if (kept.isEmpty()) {
                Files.deleteIfExists(PID_FILE);
            } else {
                Files.write(PID_FILE, kept, StandardCharsets.UTF_8);
            }
        } catch (IOException | NumberFormatException e) {
            // a damaged pid file: nothing to end
        }
    }

    private static void writeServiceAccountKey(Path file) throws IOException {
        try {
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            byte[] pkcs8 = rsa.generateKeyPair().getPrivate().getEncoded();
            String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs8)
                    + "\n-----END PRIVATE KEY-----\n";
            Files.writeString(file, pem);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
