package io.podnet.operator.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

import io.fabric8.kubernetes.client.Config;
import io.podnet.operator.PodnetConfig;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;

/**
 * Points the agent's Kubernetes client at an embedded API when there is no cluster to talk to:
 * no kubeconfig (or only the one a previous embedded run wrote), no in-cluster service account,
 * and no explicit API server URL. {@code podnet.embedded.enabled=true|false} overrides the guess.
 */
@Singleton
public class EmbeddedApiActivation implements KubernetesConfigCustomizer {
    private static final Logger LOG = Logger.getLogger(EmbeddedApiActivation.class);
    private static final Path SERVICE_ACCOUNT_TOKEN = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

    @Inject
    PodnetConfig config;

    private EmbeddedApiServer server;

    @Override
    public synchronized void customize(Config client) {
        if (!wanted(config.embedded().enabled(), config.embedded().kubeconfig(), System.getenv(),
                ConfigProvider.getConfig().getOptionalValue("quarkus.kubernetes-client.api-server-url", String.class))) {
            return;
        }
        if (server == null) {
            server = EmbeddedApiServer.start(config.embedded().port(), config.embedded().kubeconfig(), config.embedded().storeDir());
        }
        Config embedded = server.clientConfig();
        client.setMasterUrl(embedded.getMasterUrl());
        client.setNamespace(embedded.getNamespace());
        client.setTrustCerts(false);
        client.setCaCertFile(null);
        client.setCaCertData(embedded.getCaCertData());
        client.setOauthToken(embedded.getOauthToken());
        client.setAutoOAuthToken(null);
        client.setUsername(null);
        client.setPassword(null);
        client.setClientCertData(null);
        client.setClientCertFile(null);
        client.setClientKeyData(null);
        client.setClientKeyFile(null);
    }

    /** The embedded API server, when this agent started one. */
    public synchronized Optional<EmbeddedApiServer> server() {
        return Optional.ofNullable(server);
    }

    /** Whether to run the embedded API, from the setting and what the environment offers. */
    static boolean wanted(String setting, Path ownKubeconfig, Map<String, String> env, Optional<String> apiServerUrl) {
        switch (setting.trim().toLowerCase()) {
            case "true":
                return true;
            case "false":
                return false;
            case "auto":
                break;
            default:
                throw new IllegalArgumentException("podnet.embedded.enabled must be auto, true or false, not \"" + setting + "\"");
        }
        if (apiServerUrl.isPresent() || env.containsKey("KUBERNETES_SERVICE_HOST") || Files.exists(SERVICE_ACCOUNT_TOKEN)) {
            return false;
        }
        String kubeconfig = env.get("KUBECONFIG");
        if (kubeconfig != null && !kubeconfig.isBlank()) {
            for (String entry : kubeconfig.split(":")) {
                Path p = Path.of(entry).toAbsolutePath().normalize();
                if (!entry.isBlank() && Files.exists(p) && !p.equals(ownKubeconfig.toAbsolutePath().normalize())) {
                    return false;
                }
            }
            return true;
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return home == null || !Files.exists(Path.of(home, ".kube", "config"));
    }

    @PreDestroy
    synchronized void stop() {
        if (server != null) {
            LOG.info("stopping the embedded Kubernetes API");
            server.close();
            server = null;
            try {
                Files.deleteIfExists(config.embedded().kubeconfig());
            } catch (java.io.IOException e) {
                LOG.warnf("cannot remove %s: %s", config.embedded().kubeconfig(), e.getMessage());
            }
        }
    }
}
