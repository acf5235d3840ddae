package io.podnet.operator;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.LifecycleAware;
import io.podnet.testing.RequiresRoot;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * An informer that has stopped for good never watches again: liveness fails so that the kubelet
 * restarts the agent (while an informer that only lost its API server keeps liveness up).
 */
@QuarkusTest
@RequiresRoot
@TestProfile(LivenessWhenTheWatchStopsTest.OwnAgent.class)
@WithTestResource(SandboxHostResource.class)
class LivenessWhenTheWatchStopsTest {
    /** A fresh agent for this class alone: the test stops its informer. */
    public static class OwnAgent implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("podnet.health.stuck-after", "4m30s");
        }
    }

    @Inject
    Operator operator;

    @Test
    void livenessFailsWhenTheInformerHasStopped() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().when().get("/q/health/ready").then().statusCode(200));
        given().when().get("/q/health/live").then().statusCode(200);

        // what fabric8 does when it gives up on a watch: the informer itself stops and nothing restarts it
        operator.getRuntimeInfo().getRegisteredControllers().forEach(c -> c.getControllerHealthInfo().informerEventSourceHealthIndicators()
                .values().forEach(source -> source.informerHealthIndicators().values().forEach(informer -> {
                    assertThat(informer).isInstanceOf(LifecycleAware.class);
                    ((LifecycleAware) informer).stop();
                })));

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String body = given().when().get("/q/health/live").then().statusCode(503).extract().asString();
            assertThat(body).contains("podnet reconcile loop").contains("has stopped and will not watch again");
        });
    }
}
