package io.podnet.operator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Readiness goes down, naming the state directory, when that directory takes no writes; liveness stays up. */
@QuarkusTest
@RequiresRoot
@TestProfile(ReadinessOnABrokenStateDirTest.OwnAgent.class)
@WithTestResource(SandboxHostResource.class)
class ReadinessOnABrokenStateDirTest {
    /** A fresh agent for this class alone: the test takes its state directory away. */
    public static class OwnAgent implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("podnet.health.stuck-after", "4m15s");
        }
    }

    @Test
    void readinessNamesAStateDirectoryThatTakesNoWrites() throws Exception {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200));
        Path state = SandboxHostResource.stateDir;
        Path aside = state.resolveSibling(state.getFileName() + ".aside");
        // root ignores permission bits: a plain file where the directory was is what takes no writes
        Files.move(state, aside);
        Files.writeString(state, "not a directory");
        try {
            String body = given().when().get("/q/health/ready").then().statusCode(503).extract().asString();
            assertThat(body).contains("podnet agent").contains(state + " is not writable");
            given().when().get("/q/health/live").then().statusCode(200);
        } finally {
            Files.delete(state);
            Files.move(aside, state);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200));
    }
}
