package io.podnet.testing.kube;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real kubectl of the API server tier on one kubeconfig, bounded in time, with stdin for manifests. */
public final class Kubectl {
    private final Path kubeconfig;

    public Kubectl(Path kubeconfig) {
        this.kubeconfig = kubeconfig;
    }

    public record Result(int exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    public Result run(String stdin, List<String> args) {
        List<String> command = new ArrayList<>(List.of(KubeBinaries.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(args);
        try {
            Process p = new ProcessBuilder(command).start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("kubectl timed out: " + String.join(" ", args));
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new AssertionError("cannot run kubectl: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Result run(String... args) {
        return run(null, List.of(args));
    }

    /** Starts kubectl and leaves it running (a watch); the caller reads its output and destroys it. */
    public Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(KubeBinaries.kubectl().toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
