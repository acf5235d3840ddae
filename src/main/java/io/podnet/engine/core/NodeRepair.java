package io.podnet.engine.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.podnet.engine.EngineObserver;
import io.podnet.engine.PodMode;
import io.podnet.engine.apply.PodNamespaces;
import io.podnet.engine.driver.NetworkDrivers;
import io.podnet.engine.plan.PodState;
import io.podnet.engine.uplink.HostUplink;
import io.podnet.engine.uplink.RootlessSide;
import io.podnet.engine.uplink.RootlessUplink;
import io.podnet.firewall.DnatRule;
import io.podnet.firewall.NetworkRules;
import io.podnet.firewall.Repair;
import io.podnet.netconf.NetworkDefinitions;

/**
 * The node-wide part of drift repair, run at start and every resync interval: the host firewall
 * checked against what rootful pods need; for rootless pods, the helper restarted if it died, the
 * masquerade in the rootless netns and every forward in place; with no rootless pod left, nothing
 * of the rootless side. What had to be restored is reported to the observer.
 */
final class NodeRepair {
    private final PodStateStore store;
    private final Supplier<NetworkDefinitions> networks;
    private final HostUplink hostUplink;
    private final RootlessSide rootless;
    private final EngineObserver observer;
    private final Runnable ensureRootless;
    private final NetworkDrivers drivers;
    private final PodNamespaces namespaces;

    NodeRepair(PodStateStore store, Supplier<NetworkDefinitions> networks, NetworkDrivers drivers, HostUplink hostUplink, RootlessSide rootless,
            EngineObserver observer, Runnable ensureRootless, PodNamespaces namespaces) {
        this.store = store;
        this.namespaces = namespaces;
        this.drivers = drivers;
        this.networks = networks;
        this.hostUplink = hostUplink;
        this.rootless = rootless;
        this.observer = observer;
        this.ensureRootless = ensureRootless;
    }

    /** Called with the node lock held, so no pod changes while the node is compared with the states. */
    void run() {
        if (namespaces.ensureDir()) {
            observer.repaired("netns-dir");
        }
        List<PodState> states = store.all();
        NetworkDefinitions networks = this.networks.get();
        Map<String, List<DnatRule>> rules = new LinkedHashMap<>();
        Map<String, NetworkRules> hostNetworks = new LinkedHashMap<>();
        Map<String, NetworkRules> rootlessNetworks = new LinkedHashMap<>();
        for (PodState state : states) {
            boolean rootlessPod = state.mode() == PodMode.ROOTLESS;
            if (!rootlessPod) {
                List<DnatRule> pod = HostUplink.dnatRules(state);
                if (!pod.isEmpty()) {
                    rules.put(state.id(), pod);
                }
            }
            for (PodState.Attachment a : state.attachments()) {
                networks.get(a.network()).flatMap(def -> drivers.of(def.driver()).firewallRules(def))
                        .ifPresent(n -> (rootlessPod ? rootlessNetworks : hostNetworks).putIfAbsent(n.bridge(), n));
            }
        }
        report(hostUplink.firewall().sync(rules, new ArrayList<>(hostNetworks.values())));
        if (rootlessNetworks.isEmpty() && states.stream().noneMatch(s -> s.mode() == PodMode.ROOTLESS)) {
            rootless.cleanupIfUnused(0);
            return;
        }
        ensureRootless.run();
        rootless.ensureHelper(observer::repaired);
        RootlessUplink uplink = new RootlessUplink(rootless);
        for (NetworkRules n : rootlessNetworks.values()) {
            rootless.ensureNetwork(n);
        }
        for (PodState state : states) {
            if (state.mode() == PodMode.ROOTLESS) {
                uplink.applyPorts(state);
            }
        }
    }

    private void report(Repair repair) {
        for (Repair.Item item : repair.items()) {
            observer.repaired("firewall-" + item.kind().name().toLowerCase());
        }
    }
}
