package io.podnet.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodStateStoreTest {
    @Test
    void aWriteACrashLeftHalfDoneIsSweptAndTheStatesOnDiskAreKnown(@TempDir Path state) throws IOException {
        Path pods = Files.createDirectories(state.resolve("pods"));
        Files.writeString(pods.resolve(".pod-a.json.tmp-0123456789abcdef"), "{\"half\": ");
        Files.writeString(pods.resolve("notes.txt"), "not ours to judge, not a temporary file");

        PodStateStore store = new PodStateStore(state);

        try (Stream<Path> files = Files.list(pods)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("notes.txt");
        }
        assertThat(store.ids()).isEmpty();
        assertThat(store.load("pod-a")).isEmpty();
    }
}
