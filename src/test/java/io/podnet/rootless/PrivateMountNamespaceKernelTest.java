package io.podnet.rootless;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Sandbox;
import io.podnet.testing.Trees;

/**
 * The rootless netns' private mount namespace on a host whose /etc/resolv.conf is a link into
 * systemd-resolved's stub (podman #10929): a temporary tree plays that host's /etc and /run
 * ({@link StandInHost}), and a sandbox namespace plays the rootless netns (the mounts do not
 * need the helper).
 */
@RequiresRoot
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PrivateMountNamespaceKernelTest {
    private static final String STUB = "# systemd-resolved's stub\nnameserver 127.0.0.53\noptions edns0 trust-ad\nsearch example.test\n";
    private static final String UPLINK = "# systemd-resolved's uplink servers\nnameserver 192.0.2.53\n";

    private Path tree;
    private Path rootlessDir;
    private Sandbox sandbox;

    @BeforeEach
    void start() throws IOException {
        tree = Files.createTempDirectory("podnet-host-tree-");
        Files.createDirectories(tree.resolve("etc"));
        Path resolve = Files.createDirectories(tree.resolve("run/systemd/resolve"));
        Files.writeString(resolve.resolve("stub-resolv.conf"), STUB);
        Files.writeString(resolve.resolve("resolv.conf"), UPLINK);
        Files.writeString(tree.resolve("run/systemd/journal.socket"), "kept visible inside");
        Files.createDirectories(tree.resolve("run/podnet"));
        // as Ubuntu ships it: relative, and leading to a link's target under /run
        Files.createSymbolicLink(tree.resolve("etc/resolv.conf"), Path.of("../run/systemd/resolve/stub-resolv.conf"));
        rootlessDir = Files.createTempDirectory("podnet-rootless-dir-");
        sandbox = new Sandbox();
    }

    @AfterEach
    void stop() {
        try {
            if (sandbox != null) {
                sandbox.close();
            }
        } finally {
            Trees.delete(tree);
            Trees.delete(rootlessDir);
        }
    }

    /** What a thread inside the private mount namespace sees. */
    record Inside(String runSystemdResolveFsType, List<String> runSystemdResolve, String etcResolvConf, String keptFile) {
    }

    /** What the stand-in host sees before and after. */
    record Host(String resolvTarget, List<String> mountsBefore, Inside inside, List<String> mountsAfter, String rootlessResolvConf) {
    }

    @Test
    void aTmpfsHidesSystemdResolveInsideAndTheHostKeepsItsFilesAndMounts() throws Exception {
        Map<String, String> treeBefore = contents(tree);
        List<String> agentMountsBefore = mountinfo("/proc/thread-self/mountinfo");
        Path rootlessResolv = rootlessDir.resolve("resolv.conf");

        Host host = StandInHost.run(tree, () -> {
            // as RootlessNetns does: resolv.conf from the host's, then the plan, in the agent's (here: the stand-in's) namespace
            RootlessResolvConf.writeFor(RootlessConfig.defaults(), rootlessResolv);
            PrivateMountNamespace.Plan plan = PrivateMountNamespace.plan(Path.of("/run/podnet"), rootlessDir.resolve("run"), rootlessResolv);
            List<String> before = mountinfo("/proc/thread-self/mountinfo");
            Inside inside = PrivateMountNamespace.run(sandbox.netns().fd().fd(), sandbox.name(), plan, () -> new Inside(
                    fsTypeAt("/run/systemd/resolve"), names(Path.of("/run/systemd/resolve")),
                    Files.readString(Path.of("/etc/resolv.conf")), Files.readString(Path.of("/run/systemd/journal.socket"))));
            return new Host(plan.resolvTarget(), before, inside, mountinfo("/proc/thread-self/mountinfo"), Files.readString(rootlessResolv));
        });

        assertThat(host.resolvTarget()).isEqualTo("/run/systemd/resolve/stub-resolv.conf");
        assertThat(host.rootlessResolvConf()).contains("nameserver 10.0.2.3\n", "search example.test\n").doesNotContain("127.0.0.53");
        // inside: an empty tmpfs on /run/systemd/resolve, holding only the rootless netns' resolv.conf where the link leads
        assertThat(host.inside().runSystemdResolveFsType()).isEqualTo("tmpfs");
        assertThat(host.inside().runSystemdResolve()).containsExactly("stub-resolv.conf");
        assertThat(host.inside().etcResolvConf()).isEqualTo(host.rootlessResolvConf());
        assertThat(host.inside().keptFile()).as("the rest of /run/systemd stays visible").isEqualTo("kept visible inside");
        // outside: the stand-in host's mounts and files as they were, and nothing in the agent's namespace
        assertThat(host.mountsAfter()).containsExactlyElementsOf(host.mountsBefore());
        assertThat(contents(tree)).isEqualTo(treeBefore);
        assertThat(mountinfo("/proc/thread-self/mountinfo")).containsExactlyElementsOf(agentMountsBefore);
        assertThat(Mounts.atOrBelow(rootlessDir)).isEmpty();
    }

    /** The mounts but namespace files: other tests on this machine add and remove those under /run/netns meanwhile. */
    private static List<String> mountinfo(String file) throws IOException {
        return Files.readAllLines(Path.of(file)).stream().filter(l -> !fsType(l).equals("nsfs")).toList();
    }

    private static String fsType(String mountinfoLine) {
        return mountinfoLine.substring(mountinfoLine.indexOf(" - ") + 3).split(" ")[0];
    }

    /** The file system type of the topmost mount at {@code mountPoint}, as this thread sees it; "" when none. */
    private static String fsTypeAt(String mountPoint) throws IOException {
        String type = "";
        for (String line : mountinfo("/proc/thread-self/mountinfo")) {
            String[] f = line.split(" ");
            if (Mounts.unescape(f[4]).equals(mountPoint)) {
                type = fsType(line);
            }
        }
        return type;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Every path in the tree with its content (links as their target), to see that nothing changed. */
    private static Map<String, String> contents(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String key = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(key, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isRegularFile(p)) {
                    out.put(key, Files.readString(p));
                } else {
                    out.put(key + "/", "");
                }
            }
        }
        return out;
    }
}
