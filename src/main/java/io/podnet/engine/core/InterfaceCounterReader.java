package io.podnet.engine.core;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.podnet.engine.InterfaceCounters;
import io.podnet.engine.plan.KernelNames;
import io.podnet.engine.plan.PodState;
import io.podnet.netlink.Link;
import io.podnet.netlink.RtnlClient;

/** The traffic counters of the pods' interfaces, read from their bridge-side veths. */
final class InterfaceCounterReader {
    private InterfaceCounterReader() {
    }

    /**
     * Each pod interface's counters are its bridge-side veth's, with receive and transmit swapped
     * (what that end sends, the pod receives): one link dump of the host namespace, and one of
     * the rootless netns when rootless pods exist.
     */
    static Map<String, Map<String, InterfaceCounters>> read(RtnlClient host, RtnlClient rootlessClient, List<PodState> states) {
        Map<String, Link> byName = new HashMap<>();
        collectVeths(host, byName);
        if (rootlessClient != null) {
            collectVeths(rootlessClient, byName);
        }
        Map<String, Map<String, InterfaceCounters>> out = new LinkedHashMap<>();
        for (PodState state : states) {
            Map<String, InterfaceCounters> pod = new LinkedHashMap<>();
            for (PodState.Attachment a : state.attachments()) {
                Link l = byName.get(a.hostVeth());
                if (l != null && l.stats() != null) {
                    var s = l.stats();
                    pod.put(a.interfaceName(), new InterfaceCounters(s.txBytes(), s.rxBytes(), s.txPackets(), s.rxPackets()));
                }
            }
            if (!pod.isEmpty()) {
                out.put(state.id(), pod);
            }
        }
        return out;
    }

    private static void collectVeths(RtnlClient client, Map<String, Link> byName) {
        for (Link l : client.links()) {
            if (l.name().startsWith(KernelNames.VETH_PREFIX)) {
                byName.put(l.name(), l);
            }
        }
    }
}
