package io.podnet.campaign;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * PodNetworks as raw JSON over HTTPS, with a bearer token: no client model in between, so a value
 * beyond a Java type, a string where a number belongs or an unknown field reaches the API server
 * (and behind it the agent) exactly as written.
 */
final class RawApi {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private final String url;
    private final String token;
    private final HttpClient http;

    record Answer(int code, String body) {
        boolean ok() {
            return code / 100 == 2;
        }

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                return JSON.createObjectNode();
            }
        }
    }

    RawApi(String url, String token, byte[] caPem) {
        this.url = url.replaceAll("/+$", "");
        this.token = token;
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(caPem))) {
                trust.setCertificateEntry("ca" + i++, (X509Certificate) cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            this.http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(TIMEOUT).build();
        } catch (Exception e) {
            throw new IllegalStateException("cannot trust the API server's CA: " + e.getMessage(), e);
        }
    }

    static String collection(String namespace) {
        return "/apis/podnet.io/v1alpha1/namespaces/" + namespace + "/podnetworks";
    }

    Answer post(String path, String body) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
    }

    Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).GET());
    }

    Answer delete(String path) {
        return send(HttpRequest.newBuilder(URI.create(url + path)).DELETE());
    }

    private Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = http.send(request.timeout(TIMEOUT).header("Authorization", "Bearer " + token)
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (IOException e) {
            return new Answer(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted");
        }
    }
}
