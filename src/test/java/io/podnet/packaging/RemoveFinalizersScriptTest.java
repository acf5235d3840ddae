package io.podnet.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * helm/podnet/files/remove-finalizers.sh against a stand-in kubectl that answers the list the
 * way kubectl's jsonpath prints it and records every patch.
 */
public class RemoveFinalizersScriptTest {
    public static final Path SCRIPT = Path.of("helm", "podnet", "files", "remove-finalizers.sh").toAbsolutePath();

    @TempDir
    Path dir;
    Path log;

    @BeforeEach
    void fakeKubectl() throws IOException {
        log = dir.resolve("calls.log");
        Files.writeString(dir.resolve("list.txt"), """
                default|web|node-a||["podnet.io/finalizer"]
                default|db|node-b|2024-01-01T00:00:00Z|["example.com/keep","podnet.io/finalizer"]
                team|other|node-a|2024-01-01T00:00:00Z|["example.com/keep"]
                team|done|node-a||
                """);
        Path kubectl = dir.resolve("kubectl");
        Files.writeString(kubectl, """
                #!/bin/sh
                printf '%s\\n' "$*" >> "$FAKE_DIR/calls.log"
                case "$1" in
                  get) cat "$FAKE_DIR/list.txt" ;;
                  patch) [ "$3" = "${FAIL_ON:-}" ] && exit 1; exit 0 ;;
                  *) exit 3 ;;
                esac
                """);
        Files.setPosixFilePermissions(kubectl, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void removesOnlyPodnetsFinalizerFromEveryPodNetworkThatHasIt() throws Exception {
        Result r = run();
        assertThat(r.exit).as(r.output).isZero();
        assertThat(patches()).containsExactly(
                "patch podnetworks.podnet.io web --namespace default --type=json -p "
                        + "[{\"op\":\"test\",\"path\":\"/metadata/finalizers/0\",\"value\":\"podnet.io/finalizer\"},"
                        + "{\"op\":\"remove\",\"path\":\"/metadata/finalizers/0\"}]",
                "patch podnetworks.podnet.io db --namespace default --type=json -p "
                        + "[{\"op\":\"test\",\"path\":\"/metadata/finalizers/1\",\"value\":\"podnet.io/finalizer\"},"
                        + "{\"op\":\"remove\",\"path\":\"/metadata/finalizers/1\"}]");
        assertThat(r.output).contains("2 podnetwork(s) changed, 0 failed");
        assertThat(Files.readAllLines(log).get(0)).startsWith("get podnetworks.podnet.io --all-namespaces -o jsonpath=");
    }

    @Test
    void aNodeAndTerminatingNarrowItDown() throws Exception {
        assertThat(run("--node", "node-b").exit).isZero();
        assertThat(patches()).singleElement().asString().contains(" db ");
        Files.delete(log);
        assertThat(run("--node=node-a", "--terminating").exit).isZero();
        assertThat(patches()).isEmpty();
        Files.delete(log);
        assertThat(run("--terminating").exit).isZero();
        assertThat(patches()).singleElement().asString().contains(" db ");
    }

    @Test
    void dryRunChangesNothing() throws Exception {
        Result r = run("--dry-run");
        assertThat(r.exit).isZero();
        assertThat(patches()).isEmpty();
        assertThat(r.output).contains("would remove podnet.io/finalizer from podnetwork default/web (node node-a)")
                .contains("2 podnetwork(s) to change");
    }

    @Test
    void aFailedPatchIsReportedAndFailsTheRun() throws Exception {
        Result r = run(List.of(), "web");
        assertThat(r.exit).isNotZero();
        assertThat(r.output).contains("could not patch podnetwork default/web").contains("1 podnetwork(s) changed, 1 failed");
    }

    @Test
    void unknownArgumentsAreRefused() throws Exception {
        assertThat(run("--nodes", "x").exit).isEqualTo(2);
        assertThat(Files.exists(log)).isFalse();
    }

    private List<String> patches() throws IOException {
        if (!Files.exists(log)) {
            return List.of();
        }
        return Files.readAllLines(log).stream().filter(l -> l.startsWith("patch ")).toList();
    }

    record Result(int exit, String output) {
    }

    private Result run(String... args) throws Exception {
        return run(List.of(args), "");
    }

    private Result run(List<String> args, String failOn) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("sh", SCRIPT.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("KUBECTL", dir.resolve("kubectl").toString());
        pb.environment().put("FAKE_DIR", dir.toString());
        pb.environment().put("FAIL_ON", failOn);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
