package io.podnet.dns;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes writers of one file: a lock in this JVM (a file lock does not exclude another
 * thread of the same process) and an flock on {@code <file>.lock} against other processes, such
 * as a runtime updating the same hosts file.
 */
final class FileLock {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    private FileLock() {
    }

    interface IoWork {
        void run() throws IOException;
    }

    static void with(Path file, IoWork work) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        ReentrantLock lock = IN_PROCESS.computeIfAbsent(absolute, p -> new ReentrantLock());
        lock.lock();
        try {
            Files.createDirectories(absolute.getParent());
            Path lockFile = absolute.resolveSibling(absolute.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    java.nio.channels.FileLock ignored = channel.lock()) {
                work.run();
            }
        } finally {
            lock.unlock();
        }
    }
}
