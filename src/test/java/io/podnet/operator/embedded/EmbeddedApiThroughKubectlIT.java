package io.podnet.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.podnet.testing.Trees;
import io.podnet.testing.kube.AgentProcess;
import io.podnet.testing.kube.KubeBinaries;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * The packaged agent with its embedded API, used the way the README's second command has a
 * newcomer use it: through the kubeconfig it writes, with a real kubectl (the one the API server
 * tier builds). Discovery, OpenAPI v3 ({@code kubectl explain}), the table printer, the port
 * {@code podnet.embedded.port} asks for, a request without the token refused, and the kubeconfig
 * gone once the agent stops.
 */
@RequiresRoot
@RequiresApiServer
class EmbeddedApiThroughKubectlIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String NODE = "embedded-node";
    private static final ObjectMapper JSON = new ObjectMapper();

    private Path home;
    private Path kubeconfig;
    private int port;
    private AgentProcess agent;

    @BeforeEach
    void startTheAgent() throws IOException {
        home = Files.createTempDirectory("podnet-embedded-kubectl-");
        kubeconfig = home.resolve("kubeconfig");
        port = freeLoopbackPort();
        agent = AgentProcess.start(NODE, Map.of(
                "PODNET_EMBEDDED_ENABLED", "true",
                "PODNET_EMBEDDED_PORT", String.valueOf(port),
                "PODNET_EMBEDDED_KUBECONFIG", kubeconfig.toString()));
    }

    @AfterEach
    void stopTheAgent() {
        if (agent != null) {
            agent.close();
        }
        Trees.delete(home);
    }

    @Test
    void kubectlWorksThroughTheWrittenKubeconfigAndTheKubeconfigGoesWithTheAgent() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kubeconfig))).isEqualTo("rw-------");
        assertThat(Files.readString(kubeconfig)).contains("server: https://localhost:" + port);

        JsonNode groups = json(kubectl("get", "--raw", "/apis"));
        assertThat(groups.at("/groups").findValuesAsText("name")).contains("podnet.io");
        JsonNode resources = json(kubectl("get", "--raw", "/apis/podnet.io/v1alpha1"));
        assertThat(resources.at("/resources").findValuesAsText("name")).contains("podnetworks");
        JsonNode openapi = json(kubectl("get", "--raw", "/openapi/v3"));
        assertThat(openapi.at("/paths").has("apis/podnet.io/v1alpha1")).isTrue();
        assertThat(kubectl("explain", "podnetworks.spec.nodeName")).contains("nodeName");

        Path manifest = home.resolve("web.yaml");
        Files.writeString(manifest, """
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata:
                  name: web
                  namespace: default
                spec:
                  nodeName: %s
                  networks:
                    - name: podnet
                """.formatted(NODE));
        kubectl("apply", "-f", manifest.toString());
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> kubectl("get", "pn", "web", "-o", "jsonpath={.status.phase}").trim().equals("Ready"));

        List<String> table = kubectl("get", "pn", "web").lines().toList();
        assertThat(table.get(0).split("\\s+")).containsExactly("NAME", "AGE", "MODE", "NODE", "IP", "PHASE");
        assertThat(table.get(1).split("\\s+")).startsWith("web").contains("Rootful", NODE, "Ready");
        assertThat(table.get(1)).containsPattern("10\\.89\\.0\\.\\d+");

        Path stranger = home.resolve("stranger");
        Files.writeString(stranger, Files.readString(kubeconfig).replaceAll("token: \\S+", "token: not-the-token"));
        Shell.Result refused = Shell.run(KubeBinaries.kubectl().toString(), "--kubeconfig", stranger.toString(), "get", "pn");
        assertThat(refused.ok()).isFalse();
        assertThat(refused.output()).containsIgnoringCase("unauthorized");

        kubectl("delete", "pn", "web", "--wait=false");
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250))
                .until(() -> kubectl("get", "pn", "web", "--ignore-not-found", "-o", "name").isBlank());

        agent.close();
        agent = null;
        assertThat(kubeconfig).doesNotExist();
    }

    private String kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of(KubeBinaries.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        Shell.Result r = Shell.run(command.toArray(String[]::new));
        assertThat(r.ok()).as("kubectl %s: %s", String.join(" ", args), r.output()).isTrue();
        return r.output();
    }

    /** kubectl's warnings share the output; the JSON starts at the first brace. */
    private static JsonNode json(String output) throws IOException {
        return JSON.readTree(output.substring(output.indexOf('{')));
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
