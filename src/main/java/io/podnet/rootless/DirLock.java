package io.podnet.rootless;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a lock file, for threads of this JVM and for other processes alike.
 * {@link FileChannel#lock()} alone is held by the whole JVM (a second lock from another thread
 * throws OverlappingFileLockException), so threads first take an in-JVM lock per path; the
 * outermost holder then takes the file lock. Reentrant for the holding thread.
 *
 * <p>The lock file is never deleted: a process waiting on an unlinked file would lock a
 * different inode than one that comes later.
 */
final class DirLock {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final Path file;
    private final ReentrantLock lock;
    private FileChannel channel;
    private FileLock fileLock;

    DirLock(Path file) {
        this.file = file.toAbsolutePath().normalize();
        this.lock = LOCKS.computeIfAbsent(this.file, f -> new ReentrantLock());
    }

    interface Held extends AutoCloseable {
        @Override
        void close();
    }

    Held acquire() {
        lock.lock();
        if (lock.getHoldCount() == 1) {
            try {
                Files.createDirectories(file.getParent());
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                fileLock = channel.lock();
            } catch (IOException | RuntimeException e) {
                closeChannel();
                lock.unlock();
                throw new RootlessException(RootlessException.NETNS_FAILED, "cannot lock " + file + ": " + e.getMessage(), e);
            }
        }
        return this::release;
    }

    boolean heldByCurrentThread() {
        return lock.isHeldByCurrentThread();
    }

    private void release() {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("lock " + file + " is not held by this thread");
        }
        if (lock.getHoldCount() == 1) {
            closeChannel();
        }
        lock.unlock();
    }

    private void closeChannel() {
        try {
            if (fileLock != null) {
                fileLock.release();
            }
        } catch (IOException e) {
            // closing the channel releases it too
        }
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // nothing left to do
        }
        fileLock = null;
        channel = null;
    }
}
