package io.podnet.engine.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.jboss.logging.Logger;

import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.engine.plan.PodState;
import io.podnet.sys.AtomicFile;

/**
 * Per-pod state files under {@code <dir>/pods/<id>.json} (the engine's {@code <runDir>/state}),
 * replaced by temp file and atomic rename without fsync: a pod's state describes kernel objects
 * that die with the node, so it must survive a process crash (kill -9 leaves the old or the new
 * file, which adoption repairs from) and need not survive a reboot.
 */
final class PodStateStore {
    private static final Logger LOG = Logger.getLogger(PodStateStore.class);
    static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,63}");

    private final Path dir;
    /**
     * What is on disk, read once when the store opens: the agent is the only writer of its
     * state dir, so reads on the hot paths (setup, resync, metrics) need neither a directory
     * listing nor a parse.
     */
    private final ConcurrentHashMap<String, PodState> states = new ConcurrentHashMap<>();
    private final ObjectMapper json = PodStateJson.mapper();

    PodStateStore(Path stateDir) {
        this.dir = stateDir.resolve("pods");
        try {
            AtomicFile.removeTemporariesIn(dir); // a crash between a write and its rename
        } catch (IOException e) {
            LOG.warnf("cannot remove temporary files in %s: %s", dir, e.getMessage());
        }
        for (String id : idsOnDisk()) {
            read(id).ifPresent(state -> states.put(id, state));
        }
    }

    Optional<PodState> load(String id) {
        return Optional.ofNullable(states.get(id));
    }

    private Optional<PodState> read(String id) {
        Path file = fileOf(id);
        try {
            return Optional.of(json.readValue(Files.readAllBytes(file), PodState.class));
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
            AtomicFile.writeVolatile(fileOf(state.id()), json.writeValueAsBytes(state));
            states.put(state.id(), state);
        } catch (IOException e) {
            throw new SetupFailedException(Stage.NETNS, "StateWriteFailed",
                    "cannot write pod state to " + fileOf(state.id()) + ": " + e.getMessage(), e);
        }
    }

    void delete(String id) {
        states.remove(id);
        try {
            AtomicFile.deleteVolatile(fileOf(id));
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove pod state " + fileOf(id) + ": " + e.getMessage(), e);
        }
    }

    /** Every pod's state. */
    List<PodState> all() {
        return new ArrayList<>(states.values());
    }

    Set<String> ids() {
        return Set.copyOf(states.keySet());
    }

    private Set<String> idsOnDisk() {
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
