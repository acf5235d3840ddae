package io.podnet.operator.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;

/**
 * A Kubernetes API on 127.0.0.1 for running the agent without a cluster: the fabric8 mock
 * server in CRUD mode behind {@link EmbeddedApiDispatcher}, with the PodNetwork CRD applied and
 * a kubeconfig written for kubectl. Every request must carry the bearer token of that kubeconfig
 * (mode 0600), else 401. State lives in memory and is gone when the agent stops.
 */
public final class EmbeddedApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedApiServer.class);
    static final String CRD_RESOURCE = "META-INF/podnet/crds/podnetworks.podnet.io-v1.yml";

    private final KubernetesMockServer server;
    /** The only credential: it lives in this process and in the kubeconfig (mode 0600). */
    private final String token = newToken();
    private final EmbeddedApiDispatcher dispatcher = new EmbeddedApiDispatcher(token);
    private final String url;

    private static String newToken() {
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private EmbeddedApiServer(int port) {
        // TLS: kubectl sends a bearer token only over TLS; the mock makes a fresh self-signed key pair at each start
        server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(), new HashMap<>(), dispatcher, true);
        server.init(InetAddress.getLoopbackAddress(), port);
        String hostPort = server.getHostName() + ":" + server.getPort();
        dispatcher.serverAddress(hostPort);
        url = "https://" + hostPort;
    }

    /** Starts the server, applies the CRD and the default namespace, and writes the kubeconfig. */
    public static EmbeddedApiServer start(int port, Path kubeconfig) {
        EmbeddedApiServer api = new EmbeddedApiServer(port);
        try {
            api.seed();
            api.writeKubeconfig(kubeconfig);
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
        LOG.infof("embedded Kubernetes API listening on %s; kubeconfig written to %s (export KUBECONFIG=%s)", api.url, kubeconfig, kubeconfig);
        return api;
    }

    public String url() {
        return url;
    }

    /** A client configuration for this server. */
    public Config clientConfig() {
        return new ConfigBuilder(Config.empty())
                .withMasterUrl(url)
                .withNamespace("default")
                .withTrustCerts(true)
                .withOauthToken(token)
                .build();
    }

    private void seed() {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
                InputStream crd = EmbeddedApiServer.class.getClassLoader().getResourceAsStream(CRD_RESOURCE)) {
            if (crd == null) {
                throw new IllegalStateException("the PodNetwork CRD is missing from the classpath (" + CRD_RESOURCE + ")");
            }
            client.apiextensions().v1().customResourceDefinitions()
                    .resource(Serialization.unmarshal(crd, CustomResourceDefinition.class)).create();
            client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build()).create();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the PodNetwork CRD: " + e.getMessage(), e);
        }
    }

    private void writeKubeconfig(Path path) {
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: podnet-embedded
                  cluster:
                    server: %s
                    # the mock's fresh self-signed certificate names its host only in the CN, which Go's
                    # x509 no longer reads; the bearer token is what keeps others out
                    insecure-skip-tls-verify: true
                contexts:
                - name: podnet-embedded
                  context:
                    cluster: podnet-embedded
                    user: podnet-embedded
                    namespace: default
                current-context: podnet-embedded
                users:
                - name: podnet-embedded
                  user:
                    token: %s
                """.formatted(url, token);
        try {
            Files.createDirectories(path.toAbsolutePath().getParent());
            Path tmp = Files.createTempFile(path.toAbsolutePath().getParent(), ".kubeconfig", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, yaml);
            Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the embedded API's kubeconfig to " + path + ": " + e.getMessage(), e);
        }
    }

    /** Takes the requests seen so far ("GET /apis/..."): the mock server records every one. */
    public java.util.List<String> drainRequests() {
        java.util.List<String> seen = new java.util.ArrayList<>();
        try {
            io.fabric8.mockwebserver.http.RecordedRequest r;
            while ((r = server.takeRequest(0, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
                seen.add(r.getMethod() + " " + r.getPath());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return seen;
    }

    @Override
    public void close() {
        server.destroy();
    }
}
