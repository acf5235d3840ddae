package io.podnet.operator.embedded;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.utils.Serialization;

/**
 * A Kubernetes API on 127.0.0.1 for running the agent without a cluster: the fabric8 mock's CRUD
 * store behind {@link EmbeddedApiDispatcher}, served over HTTPS by {@link EmbeddedApiListener},
 * with the PodNetwork CRD applied and a kubeconfig written for kubectl. Every request must carry
 * the bearer token of that kubeconfig (mode 0600), else 401. Objects are kept in a store
 * directory ({@link StoredObjects}), so a restarted agent finds them again.
 */
public final class EmbeddedApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedApiServer.class);
    static final String CRD_RESOURCE = "META-INF/podnet/crds/podnetworks.podnet.io-v1.yml";

    /** The only credential: it lives in this process and in the kubeconfig (mode 0600). */
    private final String token = newToken();
    private final ServingCertificate certificate = ServingCertificate.create();
    private final EmbeddedApiDispatcher dispatcher;
    private final EmbeddedApiListener listener;
    private final String url;

    private static String newToken() {
        byte[] random = new byte[32];
        new java.security.SecureRandom().nextBytes(random);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    private EmbeddedApiServer(int port, Path storeDir) {
        dispatcher = new EmbeddedApiDispatcher(token, new StoredObjects(storeDir));
        dispatcher.restore();
        listener = new EmbeddedApiListener(dispatcher, certificate, port);
        String hostPort = "localhost:" + listener.port();
        dispatcher.serverAddress(hostPort);
        url = "https://" + hostPort;
    }

    /**
     * Starts the server on the objects stored in {@code storeDir}, applies this version's CRD and
     * the default namespace, and writes the kubeconfig.
     */
    public static EmbeddedApiServer start(int port, Path kubeconfig, Path storeDir) {
        EmbeddedApiServer api = new EmbeddedApiServer(port, storeDir);
        try {
            api.seed();
            api.writeKubeconfig(kubeconfig);
        } catch (RuntimeException e) {
            api.close();
            throw e;
        }
        LOG.infof("embedded Kubernetes API listening on %s, objects kept in %s; kubeconfig written to %s (export KUBECONFIG=%s)",
                api.url, storeDir, kubeconfig, kubeconfig);
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
                .withCaCertData(caData())
                .withOauthToken(token)
                .build();
    }

    private String caData() {
        return Base64.getEncoder().encodeToString(certificate.certificatePem().getBytes(StandardCharsets.US_ASCII));
    }

    /** This version's CRD replaces a stored older one; the default namespace is made once. */
    private void seed() {
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
                InputStream crd = EmbeddedApiServer.class.getClassLoader().getResourceAsStream(CRD_RESOURCE)) {
            if (crd == null) {
                throw new IllegalStateException("the PodNetwork CRD is missing from the classpath (" + CRD_RESOURCE + ")");
            }
            client.apiextensions().v1().customResourceDefinitions()
                    .resource(Serialization.unmarshal(crd, CustomResourceDefinition.class)).createOr(NonDeletingOperation::update);
            if (client.namespaces().withName("default").get() == null) {
                client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("default").endMetadata().build()).create();
            }
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
                    certificate-authority-data: %s
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
                """.formatted(url, caData(), token);
        try {
            PrivateFiles.replace(path, yaml);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the embedded API's kubeconfig to " + path + ": " + e.getMessage(), e);
        }
    }

    /** Takes the requests seen so far ("GET /apis/..."). */
    public List<String> drainRequests() {
        return listener.drainRequests();
    }

    @Override
    public void close() {
        listener.close();
    }
}
