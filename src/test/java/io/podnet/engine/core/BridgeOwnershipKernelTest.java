package io.podnet.engine.core;

import static io.podnet.testing.Shell.ipJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.podnet.engine.DnsRequest;
import io.podnet.engine.plan.KernelNames;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;

/** The last pod takes with it only a bridge podnet created; a bridge that was there before stays as it was. */
@RequiresRoot
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BridgeOwnershipKernelTest {
    private static final String BRIDGE = "podnet0";
    private static final String NETWORK = """
            {"name": "podnet", "driver": "bridge", "network_interface": "podnet0",
             "subnets": [{"subnet": "10.89.0.0/24", "gateway": "10.89.0.1"}]}
            """;

    private SandboxEngine node;

    @BeforeEach
    void start() throws IOException {
        node = new SandboxEngine("", NETWORK);
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private Path marker() {
        return node.kernelState.resolve("bridges").resolve(BRIDGE);
    }

    private JsonNode bridge() {
        return ipJson(node.sandbox.name(), "addr", "show", "dev", BRIDGE).get(0);
    }

    private boolean bridgeExists() {
        return Shell.run("ip", "-n", node.sandbox.name(), "link", "show", BRIDGE).ok();
    }

    private int portsOfTheBridge() {
        return ipJson(node.sandbox.name(), "link", "show", "master", BRIDGE).size();
    }

    @Test
    void aBridgePodnetCreatedGoesWithTheLastPod() {
        assertThat(bridgeExists()).isFalse();
        String first = node.newPod();
        String second = node.newPod();
        node.engine.setup(SandboxEngine.request(first, DnsRequest.NONE, "podnet"));
        node.engine.setup(SandboxEngine.request(second, DnsRequest.NONE, "podnet"));
        assertThat(bridgeExists()).isTrue();
        assertThat(marker()).as("podnet records the bridges it creates").exists();
        assertThat(portsOfTheBridge()).isEqualTo(2);

        node.engine.teardown(first);
        assertThat(bridgeExists()).as("a pod is still attached").isTrue();
        assertThat(portsOfTheBridge()).isEqualTo(1);

        node.engine.teardown(second);
        assertThat(bridgeExists()).isFalse();
        assertThat(marker()).doesNotExist();
    }

    @Test
    void aBridgeThatWasThereBeforeIsUsedAndKeptWithItsOwnAddressAndMac() {
        String sb = node.sandbox.name();
        Shell.ok("ip", "-n", sb, "link", "add", BRIDGE, "address", "02:00:00:00:be:ef", "type", "bridge");
        Shell.ok("ip", "-n", sb, "addr", "add", "198.51.100.1/24", "dev", BRIDGE);
        Shell.ok("ip", "-n", sb, "link", "set", BRIDGE, "up");
        int index = bridge().get("ifindex").asInt();

        String id = node.newPod();
        node.engine.setup(SandboxEngine.request(id, DnsRequest.NONE, "podnet"));
        JsonNode port = ipJson(sb, "link", "show", "dev", KernelNames.hostVeth(id, "podnet")).get(0);
        assertThat(port.get("master").asText()).as("the pod is on the bridge that was there").isEqualTo(BRIDGE);
        assertThat(bridge().get("ifindex").asInt()).isEqualTo(index);
        Shell.ok("ip", "netns", "exec", "podnet-" + id, "ping", "-c", "1", "-W", "2", "10.89.0.1");
        assertThat(marker()).as("not podnet's: no marker").doesNotExist();

        node.engine.teardown(id);
        assertThat(bridgeExists()).as("the bridge that was there before is still there").isTrue();
        assertThat(portsOfTheBridge()).isZero();
        JsonNode kept = bridge();
        assertThat(kept.get("ifindex").asInt()).isEqualTo(index);
        assertThat(kept.get("address").asText()).isEqualTo("02:00:00:00:be:ef");
        assertThat(kept.get("flags").toString()).contains("\"UP\"");
        assertThat(kept.get("addr_info").toString()).contains("\"local\":\"198.51.100.1\"", "\"prefixlen\":24");
    }
}
