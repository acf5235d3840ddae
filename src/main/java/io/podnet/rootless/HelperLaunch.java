package io.podnet.rootless;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Where a helper is started (the rootless dir, its namespace, its pid file and log), and the
 * steps both helpers' starts share: launching with the output in the log, and waiting for the
 * ready signal.
 */
final class HelperLaunch {
    static final String LOG_FILE = "helper.log";
    private static final long READY_TIMEOUT_MS = 15_000;

    final RootlessConfig config;
    final Path dir;
    final Path netns;
    final HelperPidFile pidFile;

    HelperLaunch(RootlessConfig config, Path dir, Path netns) {
        this.config = config;
        this.dir = dir;
        this.netns = netns;
        this.pidFile = new HelperPidFile(dir);
    }

    Path logFile() {
        return dir.resolve(LOG_FILE);
    }

    /** Starts {@code command} with no input and its output appended to the log. */
    Process launch(List<String> command) {
        appendLog("command: " + String.join(" ", command));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        try {
            return pb.start();
        } catch (IOException e) {
            throw failed("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** Polls {@code ready} every 5 ms until it holds, the process exits, or the timeout passes (then it is stopped). */
    void awaitReady(Process p, String name, BooleanSupplier ready) {
        int pid = (int) p.pid();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (true) {
            if (ready.getAsBoolean()) {
                return;
            }
            if (!p.isAlive()) {
                Reaper.forget(pid);
                throw failed(name + " exited with status " + p.exitValue() + " before it was ready", null);
            }
            if (System.nanoTime() > deadline) {
                Reaper.stop(pid);
                throw failed(name + " was not ready within " + READY_TIMEOUT_MS + " ms", null);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Reaper.stop(pid);
                throw failed("interrupted while waiting for " + name, e);
            }
        }
    }

    /** A start failure, with what the helper said. */
    RootlessException failed(String what, Throwable cause) {
        return new RootlessException(RootlessException.HELPER_FAILED, what + "; log: " + logTail(), cause);
    }

    /** The last lines of the helper's logs, for error messages. */
    String logTail() {
        StringBuilder sb = new StringBuilder();
        for (Path log : List.of(logFile(), dir.resolve(Pasta.LOG_FILE))) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                lines.removeIf(l -> l.isBlank() || l.startsWith("Failed to send") || l.startsWith("command: "));
                int from = Math.max(0, lines.size() - 6);
                for (String l : lines.subList(from, lines.size())) {
                    sb.append(sb.length() == 0 ? "" : " | ").append(l.strip());
                }
            } catch (IOException e) {
                // no such log
            }
        }
        return sb.length() == 0 ? "(empty)" : sb.toString();
    }

    void appendLog(String line) {
        try {
            Files.writeString(logFile(), "podnet: " + line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log is for people; a failure to write it must not stop the helper
        }
    }
}
