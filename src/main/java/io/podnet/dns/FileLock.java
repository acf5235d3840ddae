package io.podnet.dns;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serializes writers of one file: a lock in this JVM (a file lock does not exclude another
 * thread of the same process, and Java refuses to take it twice) and a POSIX record lock
 * (fcntl, what {@link FileChannel#lock()} takes on Linux, as containers/storage's lockfile does)
 * on {@code <file>.lock} against other processes, such as a runtime updating the same hosts file.
 */
final class FileLock {
    /** Striped so that the locks stay bounded however many pods come and go; two files sharing a stripe only wait for each other. */
    private static final ReentrantLock[] IN_PROCESS = new ReentrantLock[64];

    static {
        for (int i = 0; i < IN_PROCESS.length; i++) {
            IN_PROCESS[i] = new ReentrantLock();
        }
    }

    private FileLock() {
    }

    interface IoWork {
        void run() throws IOException;
    }

    static void with(Path file, IoWork work) throws IOException {
        Path absolute = file.toAbsolutePath().normalize();
        ReentrantLock lock = IN_PROCESS[Math.floorMod(absolute.hashCode(), IN_PROCESS.length)];
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
