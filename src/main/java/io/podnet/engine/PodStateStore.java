package io.podnet.engine;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.podnet.sys.AtomicFile;

/** Per-pod state files under {@code <state dir>/pods/<id>.json}, written atomically. */
final class PodStateStore {
    private static final Logger LOG = Logger.getLogger(PodStateStore.class);
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");

    private final Path dir;
    /** What is on disk, so that reads on the hot path (resync, metrics) do not parse files. */
    private final java.util.concurrent.ConcurrentHashMap<String, PodState> cache = new java.util.concurrent.ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(SerializationFeature.INDENT_OUTPUT, true);

    PodStateStore(Path stateDir) {
        this.dir = stateDir.resolve("pods");
    }

    Optional<PodState> load(String id) {
        PodState cached = cache.get(id);
        if (cached != null) {
            return Optional.of(cached);
        }
        Path file = fileOf(id);
        try {
            PodState state = json.readValue(Files.readAllBytes(file), PodState.class);
            cache.put(id, state);
            return Optional.of(state);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // a state file we cannot read must not wedge the agent: set it aside and rebuild
            Path aside = file.resolveSibling(file.getFileName() + ".corrupt-" + System.currentTimeMillis());
            LOG.warnf("pod state %s is unreadable (%s); moved to %s", file, e.getMessage(), aside);
            try {
                Files.move(file, aside);
            } catch (IOException moveFailed) {
                LOG.warnf("cannot move %s aside: %s", file, moveFailed.getMessage());
            }
            return Optional.empty();
        }
    }

    void save(PodState state) {
        try {
            AtomicFile.write(fileOf(state.id()), json.writeValueAsBytes(state));
            cache.put(state.id(), state);
        } catch (IOException e) {
            throw new SetupFailedException(Stage.NETNS, "StateWriteFailed",
                    "cannot write pod state to " + fileOf(state.id()) + ": " + e.getMessage(), e);
        }
    }

    void delete(String id) {
        cache.remove(id);
        try {
            AtomicFile.delete(fileOf(id));
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove pod state " + fileOf(id) + ": " + e.getMessage(), e);
        }
    }

    /** Every pod's state, read from disk once and then from memory. */
    java.util.List<PodState> all() {
        java.util.List<PodState> states = new java.util.ArrayList<>();
        for (String id : ids()) {
            load(id).ifPresent(states::add);
        }
        return states;
    }

    Set<String> ids() {
        Set<String> ids = new HashSet<>();
        if (!Files.isDirectory(dir)) {
            return ids;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String id = name.substring(0, name.length() - ".json".length());
                if (ID.matcher(id).matches()) {
                    ids.add(id);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return ids;
    }

    private Path fileOf(String id) {
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid pod id \"" + id + "\"");
        }
        return dir.resolve(id + ".json");
    }
}
