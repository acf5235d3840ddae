package io.podnet.operator;

import static io.podnet.testing.PodNetworks.port;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.podnet.api.PodNetwork;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code podnet.ports.minimum} end to end: a host port below it is refused with PortBelowMinimum
 * before anything reaches nftables, with a Warning event; a port at the minimum is applied.
 */
@QuarkusTest
@RequiresRoot
@TestProfile(PortMinimumTest.MinimumOf1024.class)
@WithTestResource(SandboxHostResource.class)
class PortMinimumTest extends OperatorTestBase {
    public static class MinimumOf1024 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("podnet.ports.minimum", "1024");
        }
    }

    @Test
    void aHostPortBelowTheMinimumIsRefusedAndNothingIsApplied() {
        PodNetwork low = podNetwork("low", "local", network("podnet"));
        low.getSpec().setPortMappings(List.of(port(18096, 80, "tcp", 1), port(1023, 81, "tcp", 1)));
        PodNetwork refused = createAndAwait(low, "Failed");
        assertThat(condition(refused, "PortsReady").getReason()).isEqualTo("PortBelowMinimum");
        assertThat(condition(refused, "PortsReady").getMessage()).contains("1023", "1024");
        assertThat(condition(refused, "Ready").getReason()).isEqualTo("PortBelowMinimum");
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(events(refused.getMetadata().getUid())).anySatisfy(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getMessage()).contains("1023");
        }));
        String ruleset = Shell.run("ip", "netns", "exec", sandbox(), "nft", "list", "ruleset").output();
        assertThat(ruleset).doesNotContainPattern("\\b18096\\b").doesNotContainPattern("\\b1023\\b");

        PodNetwork atMinimum = podNetwork("at-minimum", "local", network("podnet"));
        atMinimum.getSpec().setPortMappings(List.of(port(1024, 80, "tcp", 1)));
        createAndAwait(atMinimum, "Ready");
        assertThat(Shell.ok("ip", "netns", "exec", sandbox(), "nft", "list", "table", "inet", "podnet")).contains("1024");
    }
}
