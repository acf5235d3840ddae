package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.podnet.operator.FakeOperator.Informer;
import io.podnet.testing.FakeEngine;

/**
 * Readiness (README, Health): it needs the informer synced and watching, netlink answering in the
 * host namespace, and a writable state directory; each missing one makes it DOWN and says which.
 * The engine is the {@link FakeEngine}, the informers a {@link FakeOperator}'s.
 */
class AgentReadinessTest {
    @TempDir
    Path tmp;

    private final FakeEngine engine = new FakeEngine();
    private final FakeOperator operator = new FakeOperator().source("podnetworkreconciler", Informer.HEALTHY);

    private HealthCheckResponse ready(Path stateDir) {
        AgentReadiness check = new AgentReadiness();
        check.engine = engine;
        check.operator = operator;
        check.config = FakeConfig.of(PodnetConfig.class, Map.of("stateDir", stateDir));
        return check.call();
    }

    private HealthCheckResponse ready() {
        return ready(tmp);
    }

    private static Map<String, Object> data(HealthCheckResponse response) {
        return response.getData().orElseThrow();
    }

    @Test
    void allGoodIsUpAndTheWriteProbeLeavesNothingBehind() throws IOException {
        HealthCheckResponse ready = ready();
        assertThat(ready.getName()).isEqualTo("podnet agent");
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(data(ready)).containsExactlyInAnyOrderEntriesOf(Map.of("informer", "ok", "netlink", "ok", "stateDir", "ok",
                "networkDefinitions", "ok"));
        try (var left = Files.list(tmp)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aBadDefinitionFileIsNamedInTheDetailButTheAgentStaysReady() {
        engine.networkDefinitions(1, java.util.List.of("/etc/podnet/networks/bad.json: driver \"foo\" is not supported"));
        HealthCheckResponse ready = ready();
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(data(ready).get("networkDefinitions")).asString()
                .isEqualTo("1 unusable, their networks unavailable: /etc/podnet/networks/bad.json: driver \"foo\" is not supported");
    }

    @Test
    void aChangeWaitingForItsNetworksPodsIsNamedNextToTheBadFiles() {
        engine.networkDefinitions(1, java.util.List.of("/n/bad.json: not JSON"))
                .pendingNetworkDefinitions(java.util.List.of("network \"backend\" (/n/backend.json) changed; kept"));
        HealthCheckResponse ready = ready();
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(data(ready).get("networkDefinitions")).asString().isEqualTo("1 unusable, their networks unavailable: "
                + "/n/bad.json: not JSON; 1 change(s) waiting: network \"backend\" (/n/backend.json) changed; kept");

        engine.networkDefinitions(2, java.util.List.of());
        assertThat(data(ready()).get("networkDefinitions")).asString()
                .isEqualTo("1 change(s) waiting: network \"backend\" (/n/backend.json) changed; kept");
    }

    @Test
    void aStateDirNotThereYetIsCreated() {
        Path state = tmp.resolve("var/lib/podnet");
        assertThat(ready(state).getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(state).isDirectory();
    }

    @Test
    void netlinkNotAnsweringIsDownSayingSo() {
        engine.netlinkAnswering(false);
        HealthCheckResponse ready = ready();
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(ready)).containsEntry("netlink", "no answer from the host namespace")
                .containsEntry("informer", "ok").containsEntry("stateDir", "ok");

        engine.netlinkAnswering(true);
        assertThat(ready().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    /** Root ignores permission bits, so a read-only directory would pass: a file where the directory should be takes no writes. */
    @Test
    void aStateDirThatIsAFileIsDownNamingIt() throws IOException {
        Path state = Files.writeString(tmp.resolve("state"), "not a directory");
        HealthCheckResponse ready = ready(state);
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(ready)).containsEntry("stateDir", state + " is not writable").containsEntry("netlink", "ok");
    }

    @Test
    void aStateDirThatCannotBeCreatedIsDown() throws IOException {
        Path state = Files.writeString(tmp.resolve("var"), "a file").resolve("lib/podnet");
        HealthCheckResponse ready = ready(state);
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(ready)).containsEntry("stateDir", state + " is not writable");
    }

    @Test
    void anOperatorNotStartedIsDown() {
        operator.started(false);
        HealthCheckResponse ready = ready();
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(ready)).containsEntry("informer", "operator not started");
    }

    @Test
    void anInformerNotSyncedIsDownNamingItsSource() {
        operator.source("nodes", Informer.HEALTHY, Informer.NOT_SYNCED);
        HealthCheckResponse ready = ready();
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(ready)).containsEntry("informer", "nodes has not synced").containsEntry("netlink", "ok");
    }

    @Test
    void anInformerThatLostItsWatchIsDown() {
        operator.source("podnetworkreconciler", Informer.NOT_WATCHING);
        HealthCheckResponse ready = ready();
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(ready)).containsEntry("informer", "podnetworkreconciler is not watching (API server unreachable?)");
    }

    @Test
    void aStoppedInformerIsDown() {
        operator.source("podnetworkreconciler", Informer.STOPPED);
        HealthCheckResponse ready = ready();
        assertThat(ready.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(data(ready)).containsEntry("informer", "podnetworkreconciler is not watching (API server unreachable?)");
    }
}
