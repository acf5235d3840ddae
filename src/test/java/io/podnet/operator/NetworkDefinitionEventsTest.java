package io.podnet.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import io.podnet.testing.FakeEngine;

/** Node events for the network definition files: each bad file and waiting change once, and the all-clear once. */
class NetworkDefinitionEventsTest {
    private final FakeEngine engine = new FakeEngine();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final NetworkDefinitionEvents announcer = new NetworkDefinitionEvents();

    NetworkDefinitionEventsTest() {
        announcer.engine = engine;
        announcer.events = new EventRecorder() {
            @Override
            public void onNode(String type, String reason, String message) {
                sent.add(type + " " + reason + ": " + message);
            }
        };
    }

    @Test
    void aGoodNodeSendsNothing() {
        announcer.announce();
        announcer.announce();
        assertThat(sent).isEmpty();
    }

    @Test
    void eachProblemIsSentWhenFirstSeenAndTheAllClearWhenAllAreGone() {
        engine.networkDefinitions(1, List.of("/n/bad.json: invalid JSON"));
        announcer.announce();
        announcer.announce();
        assertThat(sent).containsExactly("Warning NetworkDefinitionUnusable: /n/bad.json: invalid JSON; its network is unavailable,"
                + " every other network works");

        engine.networkDefinitions(1, List.of("/n/bad.json: invalid JSON", "/n/plugin.json: driver \"foo\""))
                .pendingNetworkDefinitions(List.of("network \"front\" (/n/front.json) changed; kept"));
        announcer.announce();
        assertThat(sent).hasSize(3).contains("Normal NetworkDefinitionChangeWaiting: network \"front\" (/n/front.json) changed; kept")
                .anyMatch(e -> e.startsWith("Warning NetworkDefinitionUnusable: /n/plugin.json"));

        engine.networkDefinitions(3, List.of()).pendingNetworkDefinitions(List.of());
        announcer.announce();
        announcer.announce();
        assertThat(sent).hasSize(4).last().isEqualTo("Normal NetworkDefinitionsInEffect: every network definition file is in effect");
    }
}
