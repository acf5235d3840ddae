package io.podnet.operator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.podnet.operator.embedded.EmbeddedApiActivation;
import io.podnet.testing.RequiresRoot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Readiness goes down when the informer loses its API server; liveness stays up. */
@QuarkusTest
@RequiresRoot
@TestProfile(ReadinessWithoutApiTest.OwnAgent.class)
@WithTestResource(SandboxHostResource.class)
class ReadinessWithoutApiTest {
    /** A fresh agent for this class alone: the test breaks its API server. */
    public static class OwnAgent implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("podnet.health.stuck-after", "4m");
        }
    }

    @Inject
    EmbeddedApiActivation embeddedApi;

    @Test
    void readinessIsDownWhenTheInformerIsNotSynced() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200));
        embeddedApi.server().orElseThrow().close();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            String body = given().when().get("/q/health/ready").then().statusCode(503).extract().asString();
            assertThat(body).contains("podnet agent").contains("is not watching").contains("DOWN");
        });
        given().when().get("/q/health/live").then().statusCode(200);
    }
}
