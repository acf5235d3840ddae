package io.podnet.rootless;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which forwards exist, and the rule that keeps two of them off the same host port. Not
 * thread-safe: {@link PortForwarder} guards it.
 */
final class ForwardTable {
    private final Map<ForwardSpec, Forward> forwards = new LinkedHashMap<>();
    /** What stopped forwards moved. */
    private final LiveCounters retired = new LiveCounters();

    Forward get(ForwardSpec spec) {
        return forwards.get(spec);
    }

    /**
     * @throws ForwardException {@code HostPortInUse} when an active forward can receive what
     *                          {@code spec} would
     */
    void checkFree(ForwardSpec spec) {
        for (ForwardSpec other : forwards.keySet()) {
            if (shareHostPort(other, spec)) {
                throw new ForwardException(ForwardException.HOST_PORT_IN_USE,
                        "host port of " + spec + " is already forwarded by " + other, null);
            }
        }
    }

    /**
     * Whether two forwards would listen on the same host port: {@link io.podnet.inet.PortMapping#overlaps}
     * of their mappings, for pods of the same address family only, since a null host address
     * here is the wildcard of the pod's family (0.0.0.0 and :: do not collide) where a bare port
     * mapping's null means every address of both.
     */
    static boolean shareHostPort(ForwardSpec a, ForwardSpec b) {
        return a.podIsV6() == b.podIsV6() && a.mapping().overlaps(b.mapping());
    }

    void add(Forward f) {
        forwards.put(f.spec, f);
    }

    Forward remove(ForwardSpec spec) {
        return forwards.remove(spec);
    }

    /** Counts what a stopped forward moved into the totals. */
    void retire(Forward f) {
        retired.add(f.counters);
    }

    Set<ForwardSpec> specs() {
        return Set.copyOf(forwards.keySet());
    }

    List<ForwardSpec> specsInOrder() {
        return new ArrayList<>(forwards.keySet());
    }

    /** Totals of stopped and active forwards. */
    ForwardCounters totals() {
        ForwardCounters total = retired.snapshot();
        for (Forward f : forwards.values()) {
            total = total.plus(f.counters.snapshot());
        }
        return total;
    }
}
