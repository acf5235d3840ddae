package io.podnet.rootless;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.podnet.sys.Sys;

/**
 * Stops helper processes and makes sure none is left a zombie. A helper this JVM started is
 * reaped by the JDK; one adopted after an agent restart is a zombie of init, or of this JVM when
 * it is PID 1 of a container or a subreaper: then only we can reap it.
 */
final class Reaper {
    private static final long STOP_TIMEOUT_MS = 3_000;
    /** Helpers this JVM started and still holds: the JDK reaps them. */
    private static final Map<Integer, Process> CHILDREN = new ConcurrentHashMap<>();

    private Reaper() {
    }

    /** A helper this JVM started. */
    static void adopt(Process p) {
        CHILDREN.put((int) p.pid(), p);
    }

    /** A child that exited by itself (the JDK has reaped it). */
    static void forget(int pid) {
        CHILDREN.remove(pid);
    }

    /**
     * A pid the JDK started is left to the JDK, and only a zombie whose parent is this JVM is
     * reaped.
     */
    static void reapOrphan(int pid) {
        Process mine = CHILDREN.get(pid);
        if (mine != null) {
            if (!mine.isAlive()) {
                CHILDREN.remove(pid);
            }
            return;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"), StandardCharsets.US_ASCII);
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (after[0].equals("Z") && Integer.parseInt(after[1]) == Sys.getpid()) {
                Sys.reapIfChild(pid);
            }
        } catch (IOException | RuntimeException e) {
            // gone already
        }
    }

    /** SIGTERM, then SIGKILL after a grace period; waits until the process is gone or a zombie and reaps it when it can. */
    static void stop(int pid) {
        Process child = CHILDREN.remove(pid);
        if (!Sys.kill(pid, Sys.SIGTERM)) {
            return;
        }
        if (waitGone(pid, child, STOP_TIMEOUT_MS)) {
            return;
        }
        Sys.kill(pid, Sys.SIGKILL);
        if (!waitGone(pid, child, STOP_TIMEOUT_MS)) {
            throw new RootlessException(RootlessException.HELPER_FAILED, "helper process " + pid + " did not exit after SIGKILL");
        }
    }

    private static boolean waitGone(int pid, Process child, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (child != null) {
                try {
                    if (child.waitFor(10, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                continue;
            }
            reapOrphan(pid);
            if (!HelperPidFile.alive(pid)) {
                return true;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }
}
