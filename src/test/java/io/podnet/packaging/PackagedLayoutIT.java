package io.podnet.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The JVM image against the build that Maven just packaged: run by failsafe in {@code verify},
 * after {@code package} made target/quarkus-app, so the Dockerfile's COPY lines are checked
 * against real files rather than against what the layout should be.
 */
class PackagedLayoutIT {
    @Test
    void theJvmImageCopiesWhatThePackageBuildProduced() throws IOException {
        Path app = DockerfilesTest.QUARKUS_APP;
        assertThat(app.resolve("quarkus-run.jar")).as("the package phase ran before this test").isRegularFile();
        for (DockerfilesTest.Instruction copy : DockerfilesTest.finalCopies(DockerfilesTest.JVM)) {
            Path built = Path.of(DockerfilesTest.words(copy.args()).get(1).substring("/build/".length()));
            assertThat(built).as("the JVM image copies %s", built).exists();
        }
        try (Stream<Path> lib = Files.list(app.resolve("lib"))) {
            assertThat(lib.map(p -> p.getFileName().toString())).contains("main", "boot");
        }
        try (Stream<Path> main = Files.list(app.resolve("lib").resolve("main"))) {
            assertThat(main.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("com.github.jnr.jffi-") && n.endsWith("-native.jar"));
        }
    }
}
