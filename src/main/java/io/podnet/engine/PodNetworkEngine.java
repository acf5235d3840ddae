package io.podnet.engine;

import java.util.Map;
import java.util.Set;

/** Builds and removes pods' networking. Idempotent; knows nothing of Kubernetes. */
public interface PodNetworkEngine {
    /**
     * Makes the kernel match the request: creates what is missing, keeps names, MACs and
     * addresses of what exists.
     *
     * @throws RejectedRequestException nothing was changed: the request cannot be built
     * @throws SetupFailedException a kernel step failed; this attempt's changes were rolled back
     */
    PodResult setup(PodRequest request);

    /** Removes everything podnet built for the pod; succeeds whatever is already gone. */
    void teardown(String podId);

    /** The node-wide part of drift repair (the firewall), run by the periodic resync. */
    void repairNode();

    /** Ids of the pods the engine has state for (to find pods whose resource is gone). */
    Set<String> knownPods();

    /**
     * Traffic counters of every known pod's interfaces: pod id -> interface name -> counters
     * (the seed's getContainerNetIO). Pods whose links are gone are left out.
     */
    Map<String, Map<String, InterfaceCounters>> interfaceCounters();

    /** The rootless helper and forwarder, for metrics. */
    RootlessStatus rootlessStatus();

    /**
     * Queries to the name servers of dns_enabled networks since the agent started, by result
     * (answered, nxdomain, forwarded, failed, refused, overloaded, malformed; every one present).
     */
    default Map<String, Long> dnsQueries() {
        return Map.of();
    }

    /**
     * One line per network definition file the agent could not use ("file: problem"), for the
     * readiness detail and metrics: those networks are unavailable, every other one works.
     */
    default java.util.List<String> networkDefinitionProblems() {
        return java.util.List.of();
    }

    /** Changes to network definitions that wait until no pod uses their network, one line each. */
    default java.util.List<String> pendingNetworkDefinitions() {
        return java.util.List.of();
    }

    /** How many network definitions are usable. */
    default int usableNetworkDefinitions() {
        return 0;
    }

    /** True when netlink answers in the host namespace (for readiness). */
    boolean netlinkAnswers();
}
