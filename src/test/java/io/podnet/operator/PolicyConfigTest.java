package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.podnet.policy.NodePolicy;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/** podnet.policy.* reaches the policy with its keys as written, dots and capitals included. */
class PolicyConfigTest {
    private static PodnetConfig config(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(PodnetConfig.class)
                .withConverter(java.time.Duration.class, 100, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(PodnetConfig.class);
    }

    @Test
    void keysWithDotsAndCapitalsArriveAsWritten() {
        PodnetConfig c = config(Map.of("podnet.policy.grants", "cri,everyone", "podnet.policy.cri.namespaceSelector",
                "podnet.io/join=yes", "podnet.policy.cri.netns", "Path", "podnet.policy.everyone.namespaces", "*",
                "podnet.policy.everyone.hostIPs", "::/0"));
        assertThat(c.policy()).containsExactlyInAnyOrderEntriesOf(Map.of("grants", "cri,everyone", "cri.namespaceSelector",
                "podnet.io/join=yes", "cri.netns", "Path", "everyone.namespaces", "*", "everyone.hostIPs", "::/0"));
        assertThat(NodePolicy.parse(c.policy()).grants()).hasSize(2);
    }

    @Test
    void withoutKeysThePolicyIsTheDefault() {
        assertThat(config(Map.of()).policy()).isEmpty();
        assertThat(NodePolicy.parse(config(Map.of()).policy()).data()).isEqualTo(NodePolicy.defaults().data());
    }
}
