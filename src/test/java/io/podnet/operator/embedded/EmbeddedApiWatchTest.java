package io.podnet.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.podnet.testing.PodNetworks;

/**
 * Watches over plain HTTP, as client-go and kubectl make them: a chunked stream of JSON events
 * that starts after the list's resourceVersion, over TLS that a client verifies with the
 * kubeconfig's certificate authority alone.
 */
class EmbeddedApiWatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PODNETWORKS = "/apis/podnet.io/v1alpha1/namespaces/default/podnetworks";

    @Test
    void aPlainHttpWatchStreamsChangesAfterTheListedVersionOnly(@TempDir Path dir) throws Exception {
        try (EmbeddedApiServer api = EmbeddedApiServer.start(0, dir.resolve("kubeconfig"), dir.resolve("store"));
                KubernetesClient client = new KubernetesClientBuilder().withConfig(api.clientConfig()).build()) {
            client.resource(PodNetworks.of("default", "before", "node-1", "podnet")).create();
            HttpClient http = HttpClient.newBuilder().sslContext(trusting(api)).connectTimeout(Duration.ofSeconds(10)).build();
            String token = api.clientConfig().getOauthToken();

            JsonNode list = JSON.readTree(http.send(get(api, PODNETWORKS, token), HttpResponse.BodyHandlers.ofString()).body());
            String listed = list.at("/metadata/resourceVersion").asText();
            assertThat(listed).as("a list has a resourceVersion to watch from").isNotEmpty();

            HttpResponse<java.io.InputStream> watch = http.send(get(api, PODNETWORKS + "?watch=true&resourceVersion=" + listed, token),
                    HttpResponse.BodyHandlers.ofInputStream());
            assertThat(watch.statusCode()).isEqualTo(200);
            assertThat(watch.headers().firstValue("Content-Type")).hasValue("application/json");
            try (BufferedReader events = new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
                client.resource(PodNetworks.of("default", "after", "node-1", "podnet")).create();
                JsonNode first = JSON.readTree(CompletableFuture.supplyAsync(() -> readLine(events)).get(20, TimeUnit.SECONDS));
                assertThat(first.path("type").asText()).isEqualTo("ADDED");
                assertThat(first.at("/object/metadata/name").asText()).as("not a replay of what the list held").isEqualTo("after");

                client.resources(io.podnet.api.PodNetwork.class).inNamespace("default").withName("after").delete();
                JsonNode second = JSON.readTree(CompletableFuture.supplyAsync(() -> readLine(events)).get(20, TimeUnit.SECONDS));
                assertThat(second.path("type").asText()).isEqualTo("DELETED");
                assertThat(second.at("/object/metadata/name").asText()).isEqualTo("after");
            }
        }
    }

    @Test
    void aRequestWithoutTheTokenIsRefusedOverVerifiedTls(@TempDir Path dir) throws Exception {
        try (EmbeddedApiServer api = EmbeddedApiServer.start(0, dir.resolve("kubeconfig"), dir.resolve("store"))) {
            String kubeconfig = Files.readString(dir.resolve("kubeconfig"));
            assertThat(kubeconfig).contains("certificate-authority-data:").doesNotContain("insecure-skip-tls-verify");
            HttpClient http = HttpClient.newBuilder().sslContext(trusting(api)).build();
            assertThat(http.send(get(api, PODNETWORKS, "not-the-token"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(api.url() + PODNETWORKS)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(401);
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HttpRequest get(EmbeddedApiServer api, String path, String token) {
        return HttpRequest.newBuilder(URI.create(api.url() + path)).header("Authorization", "Bearer " + token).GET().build();
    }

    /** Trusts the kubeconfig's certificate authority only: the host name is verified as kubectl does. */
    private static SSLContext trusting(EmbeddedApiServer api) throws Exception {
        byte[] pem = Base64.getDecoder().decode(api.clientConfig().getCaCertData());
        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(pem));
        KeyStore roots = KeyStore.getInstance("PKCS12");
        roots.load(null, null);
        roots.setCertificateEntry("embedded", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(roots);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }
}
