package io.podnet.engine.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

import org.jboss.logging.Logger;

/**
 * Once, at start: the pod, IPAM and bridge state an older agent kept in the durable state dir
 * moves to the run dir, where it now lives, so an upgrade in place adopts the running pods.
 * Only into an empty place: state already in the run dir is newer than anything left behind.
 */
final class StateMove {
    private static final Logger LOG = Logger.getLogger(StateMove.class);
    private static final List<String> PARTS = List.of("pods", "ipam", "bridges", "rootless");

    private StateMove() {
    }

    static void fromOlderAgent(Path stateDir, Path kernelStateDir) {
        if (stateDir == null || stateDir.toAbsolutePath().normalize().equals(kernelStateDir.toAbsolutePath().normalize())) {
            return;
        }
        for (String part : PARTS) {
            Path from = stateDir.resolve(part);
            Path to = kernelStateDir.resolve(part);
            try {
                if (!Files.isDirectory(from) || hasFiles(to)) {
                    continue;
                }
                // the two dirs are usually on different filesystems: copy whole into a side dir, rename it in, then delete
                Path side = kernelStateDir.resolve("." + part + ".moving");
                Trees.deleteQuietly(side);
                Files.createDirectories(side);
                List<Path> files;
                try (Stream<Path> listed = Files.list(from)) {
                    files = listed.filter(Files::isRegularFile).toList();
                }
                for (Path f : files) {
                    Files.copy(f, side.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
                Files.deleteIfExists(to); // an empty dir
                Files.move(side, to, StandardCopyOption.ATOMIC_MOVE);
                for (Path f : files) {
                    Files.deleteIfExists(f);
                }
                LOG.infof("moved %s to %s (state describing kernel objects lives on tmpfs now)", from, to);
            } catch (IOException e) {
                LOG.warnf("cannot move older state %s to %s: %s", from, to, e.getMessage());
            }
        }
    }

    private static final class Trees {
        static void deleteQuietly(Path dir) throws IOException {
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static boolean hasFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isPresent();
        }
    }
}
