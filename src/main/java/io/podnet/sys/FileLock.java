package io.podnet.sys;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a lock file, for the threads of this JVM and for other processes alike.
 *
 * <p>A POSIX record lock (fcntl, what {@link FileChannel#lock()} takes on Linux, as
 * containers/storage's lockfile does) excludes other processes but not another thread of this
 * one, and Java refuses to take it twice; so threads first take an in-JVM lock per file, and the
 * outermost holder takes the file lock. Reentrant for the holding thread. The in-JVM locks are
 * dropped when nobody holds or waits for them, so they stay bounded however many files come
 * and go.
 *
 * <p>The lock file is never deleted: a process waiting on an unlinked file would lock a
 * different inode than one that comes later.
 */
public final class FileLock {
    /** Guarded by itself. */
    private static final Map<Path, Entry> ENTRIES = new HashMap<>();

    private FileLock() {
    }

    /** A held lock; closing it releases one hold. */
    public interface Held extends AutoCloseable {
        @Override
        void close();
    }

    /** Work done while a lock is held. */
    public interface IoWork {
        void run() throws IOException;
    }

    /** {@code <file>.lock}: the lock file that guards writers of {@code file}. */
    public static Path lockFileOf(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        return absolute.resolveSibling(absolute.getFileName() + ".lock");
    }

    /** Runs {@code work} holding the lock on {@code lockFile}. */
    public static void with(Path lockFile, IoWork work) throws IOException {
        try (Held h = acquire(lockFile)) {
            work.run();
        }
    }

    /**
     * Waits for the lock on {@code lockFile}, creating it and its directory when missing.
     *
     * @throws IOException when the lock file cannot be created or locked; nothing is held then
     */
    public static Held acquire(Path lockFile) throws IOException {
        Path path = lockFile.toAbsolutePath().normalize();
        Entry e;
        synchronized (ENTRIES) {
            e = ENTRIES.computeIfAbsent(path, p -> new Entry());
            e.users++;
        }
        e.lock.lock();
        if (e.lock.getHoldCount() == 1) {
            try {
                Files.createDirectories(path.getParent());
                e.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                e.channel.lock();
            } catch (IOException | RuntimeException ex) {
                release(path, e);
                throw ex;
            }
        }
        return new Held() {
            private boolean closed;

            @Override
            public void close() {
                if (!closed) {
                    closed = true;
                    release(path, e);
                }
            }
        };
    }

    private static void release(Path path, Entry e) {
        if (!e.lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("lock " + path + " is not held by this thread");
        }
        if (e.lock.getHoldCount() == 1 && e.channel != null) {
            try {
                // closing the channel releases the record lock
                e.channel.close();
            } catch (IOException ignored) {
                // nothing left to do
            }
            e.channel = null;
        }
        e.lock.unlock();
        synchronized (ENTRIES) {
            if (--e.users == 0) {
                ENTRIES.remove(path);
            }
        }
    }

    /** One lock file's in-JVM lock; {@code users} counts holds and waiters, so it is dropped only when unused. */
    private static final class Entry {
        final ReentrantLock lock = new ReentrantLock();
        int users;
        FileChannel channel;
    }
}
