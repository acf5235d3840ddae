package io.podnet.operator.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

/**
 * The embedded API's objects on disk, one file per object named by its UID, written as the
 * store changes, so that an agent restarted after a crash finds the same PodNetworks (with the
 * same UIDs, which its node state is keyed by) instead of an empty API and an orphan sweep.
 */
final class StoredObjects {
    private static final Logger LOG = Logger.getLogger(StoredObjects.class);
    /** UIDs are UUIDs; anything else in a file name is not ours to read or write. */
    private static final Pattern UID = Pattern.compile("[0-9a-f-]{36}");

    private final Path dir;

    StoredObjects(Path dir) {
        this.dir = dir;
        try {
            PrivateFiles.createDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the embedded API's store " + dir + ": " + e.getMessage(), e);
        }
    }

    Path dir() {
        return dir;
    }

    /** The stored objects' JSON; a temporary file a crash left is removed, an unreadable file is skipped and named. */
    List<String> load() {
        List<String> objects = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) {
                    Files.deleteIfExists(file);
                } else if (name.endsWith(".json") && UID.matcher(name.substring(0, name.length() - 5)).matches()) {
                    objects.add(Files.readString(file, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the embedded API's store " + dir + ": " + e.getMessage(), e);
        }
        return objects;
    }

    void save(String uid, String json) {
        if (!UID.matcher(uid).matches()) {
            return;
        }
        try {
            PrivateFiles.replace(dir.resolve(uid + ".json"), json);
        } catch (IOException e) {
            LOG.warnf("the embedded API cannot store object %s in %s (it stays in memory only): %s", uid, dir, e.getMessage());
        }
    }

    void remove(String uid) {
        if (!UID.matcher(uid).matches()) {
            return;
        }
        try {
            Files.deleteIfExists(dir.resolve(uid + ".json"));
        } catch (IOException e) {
            LOG.warnf("the embedded API cannot remove object %s from %s: %s", uid, dir, e.getMessage());
        }
    }
}
