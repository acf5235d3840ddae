package io.podnet.apiserver;

import static io.podnet.testing.Shell.ipJson;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.DnsSpec;
import io.podnet.api.PodNetwork;
import io.podnet.operator.SandboxHostResource;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * kube-apiserver stopped for 30 s while a PodNetwork exists and the resync runs: the kernel stays
 * as it was, liveness stays up, readiness says the watch is down; when the server is back, a
 * change is reconciled and the status catches up.
 */
@QuarkusTest
@RequiresRoot
@RequiresApiServer
@WithTestResource(ApiServerAgentResource.class)
class ApiOutageTest {
    private static final Duration OUTAGE = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void anOutageChangesNothingAndTheAgentCatchesUpAfterwards() throws Exception {
        LocalApiServer server = LocalApiServer.shared();
        String ns = "outage-" + UUID.randomUUID().toString().substring(0, 8);
        try (KubernetesClient admin = server.adminClient()) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build()).create();
        }
        try (KubernetesClient admin = server.adminClient()) {
            admin.resource(PodNetworks.of(ns, "steady", ApiServerAgentResource.NODE, "podnet")).create();
            await().atMost(TIMEOUT).until(() -> isReady(admin.resources(PodNetwork.class).inNamespace(ns).withName("steady").get()));
            PodNetwork ready = admin.resources(PodNetwork.class).inNamespace(ns).withName("steady").get();
            String netns = SandboxHostResource.netnsDir.resolve("podnet-" + ready.getMetadata().getUid()).toString();
            String podLinks = addresses(netns);
            String hostLinks = hostLinks();
            String ruleset = Shell.run("ip", "netns", "exec", SandboxHostResource.sandbox.name(), "nft", "-j", "list", "ruleset").output();
            given().when().get("/q/health/ready").then().statusCode(200);

            server.stopApiServer();
            try {
                long end = System.nanoTime() + OUTAGE.toNanos();
                boolean sawNotWatching = false;
                while (System.nanoTime() < end) {
                    given().when().get("/q/health/live").then().statusCode(200);
                    String body = given().when().get("/q/health/ready").then().extract().asString();
                    sawNotWatching |= body.contains("is not watching");
                    Thread.sleep(2000); // the resync (2 s here) runs meanwhile
                }
                assertThat(sawNotWatching).as("readiness said the watch is down").isTrue();
                given().when().get("/q/health/ready").then().statusCode(503);
                assertThat(addresses(netns)).as("the pod's namespace is unchanged").isEqualTo(podLinks);
                assertThat(hostLinks()).as("the host side is unchanged").isEqualTo(hostLinks);
                assertThat(Shell.run("ip", "netns", "exec", SandboxHostResource.sandbox.name(), "nft", "-j", "list", "ruleset").output())
                        .isEqualTo(ruleset);
            } finally {
                server.startApiServer();
            }

            // a change right after the server is back is reconciled, and the agent is ready again
            admin.resources(PodNetwork.class).inNamespace(ns).withName("steady").edit(p -> {
                DnsSpec dns = new DnsSpec();
                dns.setSearches(List.of("after-outage.example"));
                p.getSpec().setDns(dns);
                return p;
            });
            await().atMost(TIMEOUT).until(() -> isReady(admin.resources(PodNetwork.class).inNamespace(ns).withName("steady").get()));
            Path resolvConf = Path.of(ready.getStatus().getResolvConfPath());
            await().atMost(TIMEOUT).untilAsserted(() -> assertThat(Files.readString(resolvConf)).contains("after-outage.example"));
            await().atMost(TIMEOUT).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200));

        } finally {
            try (KubernetesClient admin = server.adminClient()) {
                admin.resources(PodNetwork.class).inNamespace(ns).delete();
                await().atMost(TIMEOUT).until(() -> admin.resources(PodNetwork.class).inNamespace(ns).list().getItems().isEmpty());
            }
        }
    }

    private static boolean isReady(PodNetwork pn) {
        return pn != null && pn.getStatus() != null && pn.getMetadata().getGeneration().equals(pn.getStatus().getObservedGeneration())
                && pn.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    /** Each link of the namespace with its MAC and addresses (not the flags that change on their own, as IPv6 DAD's tentative). */
    private static String addresses(String netns) {
        StringBuilder out = new StringBuilder();
        ipJson(netns, "addr", "show").forEach(l -> {
            out.append(l.get("ifname").asText()).append(' ').append(l.path("address").asText());
            l.path("addr_info").forEach(a -> out.append(' ').append(a.path("local").asText()).append('/').append(a.path("prefixlen").asInt()));
            out.append('\n');
        });
        return out.toString();
    }

    /** The sandbox host's links, without the counters that change with traffic. */
    private static String hostLinks() {
        StringBuilder out = new StringBuilder();
        ipJson(SandboxHostResource.sandbox.name(), "link", "show").forEach(l -> out.append(l.get("ifname").asText()).append(' ')
                .append(l.path("address").asText()).append('\n'));
        return out.toString();
    }
}
