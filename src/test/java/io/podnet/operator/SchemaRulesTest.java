package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.podnet.api.PodNetwork;
import io.podnet.engine.RejectedRequestException;
import io.podnet.policy.Tenant;

/**
 * Specs the real API server refuses by the CRD (its schema and CEL rules) that the agent had
 * accepted, as the hostile campaign found and shrank them: on the embedded API, which checks
 * neither, each had been made Ready (or, for a null list item, had made the mapper throw).
 * The agent now refuses each, with a reason, before anything is changed.
 */
class SchemaRulesTest {
    @ParameterizedTest
    @ValueSource(strings = {
            "{\"nodeName\":\"n\",\"dns\":{\"options\":[null]}}",
            "{\"nodeName\":\"n\",\"mode\":\"Rootful \"}",
            "{\"nodeName\":\"n\",\"dns\":{\"options\":[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]}}",
            "{\"nodeName\":\"n\",\"netns\":{\"pid\":0}}",
            "{\"nodeName\":\"n\",\"netns\":{\"path\":\"/run/netns/x\"}}",
            "{\"nodeName\":\"n\",\"netns\":{\"type\":\"New\",\"path\":\"/run/netns/x\"}}",
            "{\"nodeName\":\"n\",\"netns\":{\"type\":\"Path\",\"path\":\"/run/netns/x\",\"pid\":5}}",
            "{\"nodeName\":\"n\",\"netns\":{\"type\":\"Pid\",\"pid\":4194305}}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\",\"interfaceName\":\"eth0\\n\"}]}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\",\"staticMAC\":\"02-00-00-00-00-01\"}]}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\",\"staticIPs\":[\"10.89.0.1\",\"10.89.0.2\",\"10.89.0.3\",\"10.89.0.4\",\"10.89.0.5\",\"10.89.0.6\",\"10.89.0.7\",\"10.89.0.8\",\"10.89.0.9\"]}]}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\",\"aliases\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]}]}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\"}],\"portMappings\":[{\"containerPort\":80,\"protocol\":\"tcp, udp\"}]}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\"}],\"portMappings\":[{\"containerPort\":80,\"protocol\":\"\"}]}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\"}],\"portMappings\":[{\"containerPort\":80,\"hostIP\":\"\"}]}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\"}],\"portMappings\":[{\"hostPort\":8080}]}",
            // isIP refuses IPv4-mapped IPv6 addresses (the second full hostile run's finding)
            "{\"nodeName\":\"n\",\"dns\":{\"servers\":[\"::ffff:10.89.0.5\"]}}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\",\"staticIPs\":[\"::ffff:10.89.0.5\"]}]}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\"}],\"portMappings\":[{\"containerPort\":80,\"hostIP\":\"::ffff:127.0.0.1\"}]}",
            "{\"nodeName\":\"n\",\"dns\":{\"servers\":[\"192.0.2.1\",\"192.0.2.2\",\"192.0.2.3\",\"192.0.2.4\",\"192.0.2.5\",\"192.0.2.6\",\"192.0.2.7\",\"192.0.2.8\",\"192.0.2.9\"]}}",
    })
    void whatTheCrdRefusesTheAgentRefuses(String spec) {
        assertThatThrownBy(() -> PodRequestMapper.toRequest(pn(spec), Tenant.named("default")))
                .isInstanceOf(RejectedRequestException.class)
                .satisfies(e -> assertThat(((RejectedRequestException) e).reason()).isNotBlank());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\",\"interfaceName\":\"eth0\",\"staticMAC\":\"0A:1b:2C:3d:4E:5f\",\"aliases\":[\"db\"]}],"
                    + "\"portMappings\":[{\"containerPort\":80,\"hostPort\":8080,\"protocol\":\"tcp,udp\",\"hostIP\":\"127.0.0.1\"}],"
                    + "\"dns\":{\"servers\":[\"192.0.2.1\"],\"searches\":[\"example.com\"],\"options\":[\"ndots:2\"]}}",
            "{\"nodeName\":\"n\",\"mode\":\"Rootless\",\"netns\":{\"type\":\"Pid\",\"pid\":4194304}}",
            "{\"nodeName\":\"n\",\"netns\":{\"type\":\"Path\",\"path\":\"/run/netns/x\"}}",
            "{\"nodeName\":\"n\",\"networks\":[{\"name\":\"podnet\",\"staticIPs\":[\"fd00::ffff:a59:5\"]}],\"dns\":{\"servers\":[\"fd00::53\"]}}",
    })
    void whatTheCrdAcceptsStillMaps(String spec) {
        assertThat(PodRequestMapper.toRequest(pn(spec), Tenant.named("default")).id()).isEqualTo("0b8a1c2e-0000-4000-8000-000000000001");
    }

    private static PodNetwork pn(String spec) {
        PodNetwork pn = Serialization.unmarshal("{\"apiVersion\":\"podnet.io/v1alpha1\",\"kind\":\"PodNetwork\","
                + "\"metadata\":{\"name\":\"x\",\"namespace\":\"default\"},\"spec\":" + spec + "}", PodNetwork.class);
        pn.getMetadata().setUid("0b8a1c2e-0000-4000-8000-000000000001");
        return pn;
    }
}
