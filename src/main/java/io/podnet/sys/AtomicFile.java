package io.podnet.sys;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Crash-safe file replacement: the new content goes to a temporary file in the same directory
 * ({@code .<name>.tmp-<random>}), is forced to disk, renamed over the target, and the directory
 * is forced too. After a crash the file holds either the old or the new content, never a mix;
 * what a crash can leave is a temporary file, which readers may delete.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** The prefix of the temporary files {@link #write} uses for {@code target}. */
    private static String temporaryPrefix(Path target) {
        return "." + target.getFileName() + ".tmp-";
    }

    public static void write(Path target, byte[] content) throws IOException {
        replace(target, content, true);
    }

    /**
     * Replaces the file atomically (readers see the old or the new content, whole) without
     * forcing it to disk: for runtime files under /run, which do not outlive a reboot anyway and
     * are written again when missing.
     */
    public static void writeVolatile(Path target, byte[] content) throws IOException {
        replace(target, content, false);
    }

    private static void replace(Path target, byte[] content, boolean durable) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        if (durable) {
            ensureDirectory(dir);
        } else {
            Files.createDirectories(dir);
        }
        byte[] random = new byte[8];
        ThreadLocalRandom.current().nextBytes(random);
        Path tmp = dir.resolve(temporaryPrefix(target) + HexFormat.of().formatHex(random));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                if (durable) {
                    ch.force(true);
                }
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        if (durable) {
            forceDirectory(dir);
        }
    }

    /**
     * Deletes the temporary files a crash left behind while {@code target} was being written
     * (never the file itself, nor another file's).
     */
    public static void removeTemporaries(Path target) throws IOException {
        String prefix = temporaryPrefix(target);
        removeTemporaries(target.toAbsolutePath().getParent(), name -> name.startsWith(prefix) && isTemporaryName(name));
    }

    /** Deletes every temporary file a crash left in {@code dir}, for a directory of files written only this way. */
    public static void removeTemporariesIn(Path dir) throws IOException {
        removeTemporaries(dir, AtomicFile::isTemporaryName);
    }

    private static boolean isTemporaryName(String name) {
        int at = name.lastIndexOf(".tmp-");
        return name.startsWith(".") && at > 0 && name.length() == at + ".tmp-".length() + 16
                && name.substring(at + ".tmp-".length()).chars().allMatch(c -> Character.digit(c, 16) >= 0 && !Character.isUpperCase(c));
    }

    private static void removeTemporaries(Path dir, java.util.function.Predicate<String> temporary) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> temporary.test(p.getFileName().toString())).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * Removes the file without forcing the directory: for runtime files under /run, where a
     * process crash cannot undo an unlink and a reboot takes the directory anyway.
     */
    public static void deleteVolatile(Path target) throws IOException {
        Files.deleteIfExists(target);
    }

    /** Removes the file and makes the removal durable; fine when it is already gone. */
    public static void delete(Path target) throws IOException {
        if (Files.deleteIfExists(target)) {
            forceDirectory(target.toAbsolutePath().getParent());
        }
    }

    /** Creates the directory if needed, making its own entry durable. */
    public static void ensureDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Files.createDirectories(dir);
        if (dir.getParent() != null) {
            forceDirectory(dir.getParent());
        }
    }

    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
