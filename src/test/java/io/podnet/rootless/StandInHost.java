package io.podnet.rootless;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.podnet.sys.Sys;

/**
 * Runs work on a fresh thread in a mount namespace of its own where a temporary tree's
 * {@code etc/} and {@code run/} are /etc and /run: the code under test sees the absolute paths
 * it always uses, and the machine's own /etc and /run are never touched. The namespace is a
 * slave of the agent's (nothing made in it goes back) and shared (so a namespace made from it
 * that does not cut propagation leaks mounts into it, where a test sees them). It ends with the
 * thread.
 */
final class StandInHost {
    private StandInHost() {
    }

    static <T> T run(Path tree, Callable<T> work) throws Exception {
        FutureTask<T> task = new FutureTask<>(() -> {
            Sys.unshare(Sys.CLONE_NEWNS | Sys.CLONE_FS);
            Sys.mount("none", "/", null, Sys.MS_SLAVE | Sys.MS_REC, null);
            Sys.mount("none", "/", null, Sys.MS_SHARED | Sys.MS_REC, null);
            Sys.mount(tree.resolve("etc").toString(), "/etc", "none", Sys.MS_BIND, null);
            Sys.mount(tree.resolve("run").toString(), "/run", "none", Sys.MS_BIND, null);
            return work.call();
        });
        // a mount namespace cannot be left: the thread is used for nothing else and ends with the work
        Thread t = new Thread(task, "podnet-test-stand-in-host");
        t.setDaemon(true);
        t.start();
        try {
            return task.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } catch (TimeoutException e) {
            throw new AssertionError("work in the stand-in host took more than 30 s", e);
        } finally {
            t.join(5000);
        }
    }
}
