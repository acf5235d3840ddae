package io.podnet.netconf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The networks dir read again while pods exist: what a network in use keeps, and what takes effect at once. */
class InUseDefinitionsTest {
    @TempDir
    Path dir;

    private static final String FRONT = "{\"name\": \"front\", \"network_interface\": \"pnfront0\", \"subnets\": [{\"subnet\": \"10.130.0.0/24\"}]}";
    private static final String FRONT_MOVED = FRONT.replace("10.130.0.0/24", "10.131.0.0/24");
    private static final String BACK = "{\"name\": \"back\", \"network_interface\": \"pnback0\", \"subnets\": [{\"subnet\": \"10.132.0.0/24\"}]}";

    private NetworkDefinitions files(String front, String back) throws IOException {
        write("front.json", front);
        write("back.json", back);
        return NetworkDefinitions.load(dir);
    }

    private void write(String name, String json) throws IOException {
        Path f = dir.resolve(name);
        if (json == null) {
            Files.deleteIfExists(f);
        } else {
            Files.writeString(f, json);
        }
    }

    private static String subnet(NetworkDefinitions d, String network) {
        return d.get(network).orElseThrow().subnets().get(0).subnet().toString();
    }

    @Test
    void aChangedNetworkWithoutPodsTakesItsNewDefinitionAtOnce() throws IOException {
        NetworkDefinitions running = files(FRONT, BACK);
        NetworkDefinitions next = files(FRONT_MOVED, BACK).keepingInUse(running, Set.of("back"));
        assertThat(subnet(next, "front")).isEqualTo("10.131.0.0/24");
        assertThat(next.pending()).isEmpty();
        assertThat(next.sameAs(running)).isFalse();
    }

    @Test
    void aChangedNetworkInUseKeepsItsRunningDefinitionAndTheChangeWaits() throws IOException {
        NetworkDefinitions running = files(FRONT, BACK);
        NetworkDefinitions next = files(FRONT_MOVED, BACK).keepingInUse(running, Set.of("front"));
        assertThat(subnet(next, "front")).isEqualTo("10.130.0.0/24");
        assertThat(next.get("back")).isPresent();
        assertThat(next.fileOf("front")).contains(dir.resolve("front.json").toString());
        assertThat(next.pending()).containsExactly("network \"front\" (" + dir.resolve("front.json") + ") changed; "
                + "the running definition stays in effect until no PodNetwork uses the network");
        // read again with nothing new: the same set, so nothing to announce
        assertThat(NetworkDefinitions.load(dir).keepingInUse(next, Set.of("front")).sameAs(next)).isTrue();
        // the pods gone: the change takes effect
        NetworkDefinitions after = NetworkDefinitions.load(dir).keepingInUse(next, Set.of());
        assertThat(subnet(after, "front")).isEqualTo("10.131.0.0/24");
        assertThat(after.pending()).isEmpty();
    }

    @Test
    void aChangeRevertedWhileWaitingIsNoLongerPending() throws IOException {
        NetworkDefinitions running = files(FRONT, BACK);
        NetworkDefinitions waiting = files(FRONT_MOVED, BACK).keepingInUse(running, Set.of("front"));
        NetworkDefinitions reverted = files(FRONT, BACK).keepingInUse(waiting, Set.of("front"));
        assertThat(reverted.pending()).isEmpty();
        assertThat(reverted.sameAs(running)).isTrue();
    }

    @Test
    void aRemovedOrBrokenFileOfANetworkInUseKeepsItRunning() throws IOException {
        NetworkDefinitions running = files(FRONT, BACK);
        NetworkDefinitions removed = files(null, BACK).keepingInUse(running, Set.of("front"));
        assertThat(removed.get("front")).isPresent();
        assertThat(removed.pending()).singleElement().asString().contains("was removed");

        NetworkDefinitions broken = files("{\"name\": \"front\", \"driver\": \"foo\"}", BACK).keepingInUse(running, Set.of("front"));
        assertThat(broken.get("front")).isPresent();
        assertThat(broken.unavailable("front")).isEmpty();
        assertThat(broken.problems()).singleElement().extracting(NetworkDefinitionException::reason)
                .isEqualTo(NetworkDefinitionException.UNSUPPORTED_DRIVER);
        assertThat(broken.pending()).singleElement().asString().contains("is now unusable", "driver \"foo\"");
    }

    @Test
    void aNewDefinitionCollidingWithAKeptOneIsUnavailableNamingIt() throws IOException {
        NetworkDefinitions running = files(FRONT, BACK);
        // front moves away while in use, and back takes front's old subnet, then front's bridge
        NetworkDefinitions next = files(FRONT_MOVED, BACK.replace("10.132.0.0/24", "10.130.0.0/25")).keepingInUse(running, Set.of("front"));
        assertThat(next.get("back")).isEmpty();
        assertThat(next.unavailable("back")).get().extracting(NetworkDefinitionException::getMessage).asString()
                .isEqualTo(dir.resolve("back.json") + ": subnet 10.130.0.0/25 overlaps subnet 10.130.0.0/24 of network \"front\", "
                        + "which runs with its earlier definition while PodNetworks use it");

        next = files(FRONT_MOVED, BACK.replace("pnback0", "pnfront0")).keepingInUse(running, Set.of("front"));
        assertThat(next.unavailable("back")).get().extracting(NetworkDefinitionException::problem).asString()
                .startsWith("bridge name \"pnfront0\" is used by network \"front\"");
    }

    @Test
    void aNetworkInUseThatTheAgentNeverKnewKeepsNothing() throws IOException {
        NetworkDefinitions running = files(FRONT, null);
        NetworkDefinitions next = files(FRONT, null).keepingInUse(running, Set.of("gone"));
        assertThat(next.get("gone")).isEmpty();
        assertThat(next.pending()).isEmpty();
    }
}
