package io.podnet.engine.core;

import java.nio.file.Path;
import java.util.Set;

import org.jboss.logging.Logger;

import io.podnet.netconf.NetworkDefinitionException;
import io.podnet.netconf.NetworkDefinitions;

/**
 * The network definitions in effect, read again from the networks dir on every node resync, so a
 * file an admin adds, fixes or breaks while the agent runs counts without a restart. Swapped only
 * with the node lock held, when no pod is being set up or torn down, so one setup sees one set.
 */
final class LiveNetworks {
    private static final Logger LOG = Logger.getLogger(LiveNetworks.class);

    /** Null when the definitions were given, not read: they never change. */
    private final Path dir;
    private volatile NetworkDefinitions current;

    LiveNetworks(NetworkDefinitions initial, Path dir) {
        this.current = initial;
        this.dir = dir;
    }

    NetworkDefinitions current() {
        return current;
    }

    /**
     * Reads the dir again; networks in {@code inUse} keep their running definition when their file
     * changed ({@link NetworkDefinitions#keepingInUse}). True when what is in effect changed.
     */
    boolean reload(Set<String> inUse) {
        if (dir == null) {
            return false;
        }
        NetworkDefinitions loaded;
        try {
            loaded = NetworkDefinitions.load(dir);
        } catch (NetworkDefinitionException e) {
            LOG.warnf("network definitions not read again, the running ones stay in effect: %s", e.getMessage());
            return false;
        }
        NetworkDefinitions next = loaded.keepingInUse(current, inUse);
        if (next.sameAs(current)) {
            return false;
        }
        LOG.infof("network definitions changed in %s: now %s", dir, next);
        next.problems().forEach(p -> LOG.warnf("network definition not used, its network is unavailable: %s", p.getMessage()));
        next.pending().forEach(p -> LOG.infof("network definition change waiting: %s", p));
        current = next;
        return true;
    }
}
