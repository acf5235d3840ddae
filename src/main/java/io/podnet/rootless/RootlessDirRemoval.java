package io.podnet.rootless;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Removes a rootless dir: its mounts first (the namespace file, stacked ones too), then the tree. */
final class RootlessDirRemoval {
    private RootlessDirRemoval() {
    }

    static void remove(Path dir) throws IOException {
        Mounts.unmountAll(dir);
        deleteTree(dir);
    }

    /** Removes a tree without following links or crossing into mounts (there are none left). */
    private static void deleteTree(Path root) throws IOException {
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
