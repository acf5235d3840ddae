package io.podnet.testing.kube;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where kube-apiserver, etcd and kubectl are, as built by {@code tools/kube/build} into its
 * versioned cache. The script is the one place that knows the versions, so it is asked
 * ({@code --check} never builds).
 */
public final class KubeBinaries {
    static final Path BUILD_SCRIPT = Path.of("tools", "kube", "build");
    public static final String HOW_TO_BUILD = "build them with tools/kube/build (needs Go >= 1.26; about 15 min cold, cached by version)";

    private static volatile Optional<Path> found;

    private KubeBinaries() {
    }

    /** The folder holding the three binaries, when they are built. */
    public static synchronized Optional<Path> find() {
        if (found == null) {
            found = check();
        }
        return found;
    }

    public static Path kubectl() {
        return require().resolve("kubectl");
    }

    public static Path require() {
        return find().orElseThrow(() -> new IllegalStateException("no kube-apiserver, etcd and kubectl: " + HOW_TO_BUILD));
    }

    private static Optional<Path> check() {
        if (!Files.isExecutable(BUILD_SCRIPT)) {
            return Optional.empty();
        }
        try {
            Process p = new ProcessBuilder(BUILD_SCRIPT.toString(), "--check").redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 && !out.isEmpty() ? Optional.of(Path.of(out)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
