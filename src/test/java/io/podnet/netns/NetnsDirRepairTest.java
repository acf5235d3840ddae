package io.podnet.netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Shell;
import io.podnet.testing.Trees;

/**
 * The namespace directory changed behind the agent's back, on a directory of the test's own
 * (never /run/netns): removed, or made a private mount. Namespaces are still created in it, and
 * drift repair makes it a shared mount again, so they reach other mount namespaces.
 */
@RequiresRoot
class NetnsDirRepairTest {
    private Path base;
    private Path dir;
    private NetnsManager manager;

    @BeforeEach
    void start() throws Exception {
        base = Files.createTempDirectory("podnet-netns-dir-test-");
        dir = base.resolve("netns");
        manager = new NetnsManager(dir);
    }

    @AfterEach
    void stop() {
        for (String name : new String[] {"a", "b", "c"}) {
            manager.delete(name);
        }
        for (int i = 0; i < 4 && Shell.run("umount", dir.toString()).ok(); i++) {
            // stacked self-binds: one per repair
        }
        Trees.delete(base);
    }

    private String propagation() {
        return Shell.ok("findmnt", "-n", "-o", "PROPAGATION", dir.toString()).trim();
    }

    @Test
    void aRemovedDirectoryIsMadeAgainForTheNextNamespace() throws Exception {
        manager.createOrOpen("a").close();
        manager.delete("a");
        Shell.ok("umount", dir.toString());
        Files.delete(dir);

        try (Netns ns = manager.createOrOpen("b")) {
            assertThat(NetnsManager.isNsfs(ns.path())).isTrue();
        }
        assertThat(propagation()).isEqualTo("shared");
        assertThat(manager.ensureDir()).as("nothing left to repair").isFalse();
    }

    @Test
    void aDirectoryMadePrivateIsSharedAgainByTheRepair() throws Exception {
        manager.createOrOpen("a").close();
        assertThat(propagation()).isEqualTo("shared");
        assertThat(manager.ensureDir()).isFalse();

        Shell.ok("mount", "--make-private", dir.toString());
        assertThat(NetnsManager.isSharedMountPoint(dir)).isFalse();
        assertThat(manager.ensureDir()).isTrue();
        assertThat(propagation()).isEqualTo("shared");
        // a namespace made now reaches a mount namespace that was copied before it
        Process other = new ProcessBuilder("unshare", "--mount", "--propagation", "unchanged", "sleep", "30").start();
        try {
            Thread.sleep(300);
            manager.createOrOpen("c").close();
            String pid = Long.toString(other.pid());
            assertThat(Shell.run("nsenter", "-t", pid, "-m", "findmnt", "-n", dir.resolve("c").toString()).ok())
                    .as("the new namespace's mount propagated").isTrue();
        } finally {
            other.destroyForcibly().waitFor();
        }
    }
}
