package io.podnet.netconf;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What is in effect when the networks dir is read again while pods exist. A network that pods
 * use keeps the definition they were built with when its file changed, went away or turned
 * invalid: their addresses, bridge and rules go on matching what is in the kernel, and the change
 * waits (listed in {@link NetworkDefinitions#pending()}) until the last of them is gone. Every
 * other network takes its file as it is now. A new or changed definition that collides with a kept
 * one (the same bridge, an overlapping subnet) is unavailable until then, as a later file that
 * overlaps an earlier one is at start.
 */
final class InUseDefinitions {
    private static final String KEPT = "the running definition stays in effect until no PodNetwork uses the network";

    private InUseDefinitions() {
    }

    static NetworkDefinitions merge(NetworkDefinitions running, NetworkDefinitions loaded, Set<String> inUse) {
        Map<String, NetworkDefinition> kept = new TreeMap<>();
        Map<String, String> files = new HashMap<>();
        List<String> pending = new ArrayList<>();
        for (String name : new TreeSet<>(inUse)) {
            Optional<NetworkDefinition> now = running.get(name);
            if (now.isEmpty() || now.equals(loaded.get(name))) {
                continue; // unchanged, or pods on a network the agent could not run with anyway
            }
            kept.put(name, now.get());
            running.fileOf(name).ifPresent(f -> files.put(name, f));
            pending.add(waiting(name, running.fileOf(name).orElse(name), loaded));
        }
        if (kept.isEmpty()) {
            return loaded;
        }
        List<NetworkDefinition> definitions = new ArrayList<>(kept.values());
        List<NetworkDefinitionException> problems = new ArrayList<>(loaded.problems());
        for (NetworkDefinition d : loaded.all()) {
            if (kept.containsKey(d.name())) {
                continue;
            }
            String file = loaded.fileOf(d.name()).orElse(d.name());
            Optional<String> clash = clash(d, kept.values());
            if (clash.isPresent()) {
                problems.add(new NetworkDefinitionException(file, clash.get(), d.name(), NetworkDefinitionException.INVALID, null));
                continue;
            }
            definitions.add(d);
            loaded.fileOf(d.name()).ifPresent(f -> files.put(d.name(), f));
        }
        return new NetworkDefinitions(definitions, problems, files, pending);
    }

    private static String waiting(String name, String file, NetworkDefinitions loaded) {
        String what = loaded.get(name).isPresent() ? "changed"
                : loaded.unavailable(name).map(e -> "is now unusable (" + e.getMessage() + ")").orElse("was removed");
        return "network \"" + name + "\" (" + file + ") " + what + "; " + KEPT;
    }

    /** Why {@code d} cannot run beside the kept definitions, if it cannot. */
    private static Optional<String> clash(NetworkDefinition d, Collection<NetworkDefinition> kept) {
        for (NetworkDefinition k : kept) {
            if (d.isBridge() && k.isBridge() && d.bridgeName().equals(k.bridgeName())) {
                return Optional.of("bridge name \"" + d.bridgeName() + "\" is used by network \"" + k.name()
                        + "\", which runs with its earlier definition while PodNetworks use it");
            }
            for (Subnet s : d.subnets()) {
                for (Subnet t : k.subnets()) {
                    if (s.subnet().overlaps(t.subnet())) {
                        return Optional.of("subnet " + s.subnet() + " overlaps subnet " + t.subnet() + " of network \"" + k.name()
                                + "\", which runs with its earlier definition while PodNetworks use it");
                    }
                }
            }
        }
        return Optional.empty();
    }
}
