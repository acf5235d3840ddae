package io.podnet.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import io.podnet.sys.Errno;
import io.podnet.sys.FileDescriptor;
import io.podnet.sys.Sys;
import io.podnet.sys.SyscallException;

/**
 * Creates, opens and deletes named network namespaces the way iproute2 does, so that
 * {@code ip netns} sees them: an nsfs bind mount at {@code <dir>/<name>}, with the directory
 * itself a shared mount so the namespaces propagate to other mount namespaces.
 */
public final class NetnsManager {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,200}");

    private final Path dir;
    private volatile boolean dirPrepared;

    public NetnsManager(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    /** The path a namespace of this name has; the name is checked, never trusted. */
    public Path pathOf(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("invalid namespace name \"" + name + "\"");
        }
        return dir.resolve(name);
    }

    public boolean exists(String name) {
        return isNsfs(pathOf(name));
    }

    /** True when the path is a live namespace file (an nsfs mount or a /proc ns link). */
    public static boolean isNsfs(Path path) {
        try {
            return Sys.statfsType(path.toString()) == Sys.NSFS_MAGIC;
        } catch (SyscallException e) {
            return false;
        }
    }

    /**
     * Creates the namespace, or opens it when it already exists (adoption after a restart).
     * A stale file that is not a namespace (left by a crash) is replaced.
     */
    public Netns createOrOpen(String name) {
        return openExisting(name).orElseGet(() -> {
            Unnamed<Void> made = createUnnamed(() -> null);
            try {
                return name(name, made.fd()).orElseThrow(() -> new NetnsException("namespace " + pathOf(name)
                        + " appeared while it was being made"));
            } catch (RuntimeException e) {
                made.fd().close();
                throw e;
            }
        });
    }

    /** The namespace podnet made under this name, when its file is there (adoption after a restart). */
    public Optional<Netns> openExisting(String name) {
        Path path = pathOf(name);
        return isNsfs(path) ? Optional.of(new Netns(path, FileDescriptor.openReadOnly(path.toString()), true)) : Optional.empty();
    }

    /** A namespace no file names yet, kept alive by {@code fd}, and what {@code firstWork} returned inside it. */
    public record Unnamed<T>(FileDescriptor fd, T value) {
    }

    /**
     * Creates a namespace without naming it, running {@code firstWork} inside it on the same
     * thread hop (to open a netlink socket there without a second switch). {@link #name} gives it
     * its file; until then nothing is mounted, so nothing outlives this process.
     */
    public static <T> Unnamed<T> createUnnamed(Callable<T> firstWork) {
        return NetnsThreads.onWorker(() -> {
            try {
                Sys.unshare(Sys.CLONE_NEWNET);
            } catch (RuntimeException e) {
                throw new NetnsException("cannot create a network namespace: " + e.getMessage(), e);
            }
            FileDescriptor fd = FileDescriptor.openReadOnly("/proc/thread-self/ns/net");
            try {
                return new Unnamed<>(fd, firstWork.call());
            } catch (Exception | Error e) {
                fd.close();
                throw e;
            }
        });
    }

    /**
     * Names an {@link #createUnnamed unnamed} namespace {@code <dir>/<name>} by a bind mount of its
     * descriptor, the way iproute2 names the namespaces it makes; the returned Netns owns
     * {@code fd}. Empty (and nothing changed) when the name is taken.
     */
    public Optional<Netns> name(String name, FileDescriptor fd) {
        Path path = pathOf(name);
        prepareDir();
        if (isNsfs(path)) {
            return Optional.empty();
        }
        removeStale(path);
        bindAt(path, "/proc/self/fd/" + fd.fd(), "cannot name network namespace");
        return Optional.of(new Netns(path, fd, true));
    }

    /** Bind-mounts the namespace file {@code source} on a new empty file at {@code path}; on failure nothing is left there. */
    private static void bindAt(Path path, String source, String failure) {
        FileDescriptor.adopt(Sys.open(path.toString(), Sys.O_RDONLY | Sys.O_CREAT | Sys.O_EXCL | Sys.O_CLOEXEC, 0)).close();
        try {
            Sys.mount(source, path.toString(), "none", Sys.MS_BIND, null);
        } catch (RuntimeException e) {
            deleteQuietly(path);
            throw new NetnsException(failure + " " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Makes the namespace of a running process reachable under {@code <dir>/<name>} by a bind
     * mount of /proc/PID/ns/net, as podman's setupNetNS does; the mount keeps the namespace for
     * podnet even if the process exits, and {@link #delete} only unmounts it. Opens the existing
     * mount when there is one.
     */
    public Netns bindProcess(String name, int pid) {
        Path path = pathOf(name);
        prepareDir();
        if (!isNsfs(path)) {
            removeStale(path);
            bindAt(path, "/proc/" + pid + "/ns/net", "cannot bind the network namespace of process " + pid + " at");
        }
        return new Netns(path, FileDescriptor.openReadOnly(path.toString()), false);
    }

    /** Opens an existing namespace file that podnet does not own (a CRI sandbox, say). */
    public static Netns join(Path path) {
        if (!isNsfs(path)) {
            throw new NetnsException(path + " is not a network namespace");
        }
        return new Netns(path, FileDescriptor.openReadOnly(path.toString()), false);
    }

    /** Opens the namespace of a running process through /proc/PID/ns/net. */
    public static Netns ofPid(int pid) {
        if (pid <= 0) {
            throw new IllegalArgumentException("invalid pid " + pid);
        }
        return join(Path.of("/proc", Integer.toString(pid), "ns", "net"));
    }

    /** Runs work on a thread inside the named namespace. */
    public <T> T runIn(String name, Callable<T> work) {
        try (Netns ns = join(pathOf(name))) {
            return ns.run(work);
        }
    }

    /** Unmounts and removes the namespace file; succeeds when it is already gone. */
    public void delete(String name) {
        deleteQuietly(pathOf(name));
    }

    private static void deleteQuietly(Path path) {
        try {
            Sys.umount(path.toString(), Sys.MNT_DETACH);
        } catch (SyscallException e) {
            if (!e.is(Errno.EINVAL) && !e.is(Errno.ENOENT)) {
                throw new NetnsException("cannot unmount " + path + ": " + e.getMessage(), e);
            }
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new NetnsException("cannot remove " + path + ": " + e.getMessage(), e);
        }
    }

    private static void removeStale(Path path) {
        if (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            deleteQuietly(path);
        }
    }

    /**
     * For drift repair: makes the directory exist and be a shared mount point again when it was
     * removed, unmounted or made private behind the agent's back (new namespaces would fail, or
     * stay invisible to other mount namespaces).
     *
     * @return whether anything had to be done
     */
    public synchronized boolean ensureDir() {
        if (dirPrepared && Files.isDirectory(dir) && isSharedMountPoint(dir)) {
            return false;
        }
        dirPrepared = false;
        prepareDir();
        return true;
    }

    /** Whether {@code dir} is a mount point whose propagation is shared (/proc/self/mountinfo's "shared:N"). */
    static boolean isSharedMountPoint(Path dir) {
        String wanted = dir.toAbsolutePath().normalize().toString();
        boolean shared = false;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                // the last mount on a point is the one seen there
                if (f.length > 6 && f[4].replace("\\040", " ").equals(wanted)) {
                    shared = false;
                    for (int i = 6; i < f.length && !f[i].equals("-"); i++) {
                        shared |= f[i].startsWith("shared:");
                    }
                }
            }
        } catch (IOException e) {
            return true; // cannot tell: leave it as it is
        }
        return shared;
    }

    /**
     * Makes the directory a shared mount point, as iproute2 does; once per manager, unless it
     * disappeared since (one stat per namespace).
     */
    private synchronized void prepareDir() {
        if (dirPrepared && Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new NetnsException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        try {
            Sys.mount("none", dir.toString(), null, Sys.MS_SHARED | Sys.MS_REC, null);
        } catch (SyscallException e) {
            if (!e.is(Errno.EINVAL)) {
                throw new NetnsException("cannot make " + dir + " a shared mount: " + e.getMessage(), e);
            }
            // not a mount point yet: bind it onto itself, then share it
            Sys.mount(dir.toString(), dir.toString(), "none", Sys.MS_BIND | Sys.MS_REC, null);
            Sys.mount("none", dir.toString(), null, Sys.MS_SHARED | Sys.MS_REC, null);
        }
        dirPrepared = true;
    }
}
