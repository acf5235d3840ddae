package io.podnet.engine.plan;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.podnet.inet.MacAddress;

/**
 * Which pod has which MAC on each network of the node: two pods on one bridge with one MAC
 * would steal each other's traffic, so a MAC another pod holds is refused. In memory, rebuilt
 * at start from the pod records; one lock, so two pods asking at once cannot both get it.
 */
final class MacClaims {
    /** network -> MAC -> pod id */
    private final Map<String, Map<MacAddress, String>> byNetwork = new HashMap<>();
    /** pod id -> network -> MAC: what {@link #release} drops, without a scan of every pod's */
    private final Map<String, Map<String, MacAddress>> byPod = new HashMap<>();

    /**
     * Gives {@code podId} exactly the MACs of {@code wanted} (network -> MAC), dropping its others;
     * all or none.
     *
     * @return the first network whose MAC another pod holds, with that pod's id; empty when claimed
     */
    synchronized Optional<Map.Entry<String, String>> claim(String podId, Map<String, MacAddress> wanted) {
        for (Map.Entry<String, MacAddress> w : wanted.entrySet()) {
            String holder = byNetwork.getOrDefault(w.getKey(), Map.of()).get(w.getValue());
            if (holder != null && !holder.equals(podId)) {
                return Optional.of(Map.entry(w.getKey(), holder));
            }
        }
        release(podId);
        wanted.forEach((network, mac) -> byNetwork.computeIfAbsent(network, n -> new HashMap<>()).put(mac, podId));
        if (!wanted.isEmpty()) {
            byPod.put(podId, Map.copyOf(wanted));
        }
        return Optional.empty();
    }

    synchronized void release(String podId) {
        Map<String, MacAddress> held = byPod.remove(podId);
        if (held == null) {
            return;
        }
        held.forEach((network, mac) -> {
            Map<MacAddress, String> macs = byNetwork.get(network);
            if (macs != null && podId.equals(macs.get(mac))) {
                macs.remove(mac);
                if (macs.isEmpty()) {
                    byNetwork.remove(network);
                }
            }
        });
    }
}
