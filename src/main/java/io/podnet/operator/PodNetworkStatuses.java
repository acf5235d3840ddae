package io.podnet.operator;

import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkStatus;
import io.podnet.engine.PodResult;
import io.podnet.engine.Stage;

/** The status a PodNetwork gets after a reconcile: from a result, a rejection or a failure. */
final class PodNetworkStatuses {

    private PodNetworkStatuses() {
    }

    static PodNetworkStatus ready(PodNetwork pn, PodResult result) {
        PodNetworkStatus s = base(pn);
        Conditions c = conditions(pn);
        s.setPhase(PodNetworkStatus.READY);
        s.setNetnsPath(result.netnsPath() == null ? null : result.netnsPath().toString());
        s.setNetworks(StatusBlocks.of(result));
        s.setInspect(InspectSummaries.of(result));
        s.setHostsPath(result.hostsFile() == null ? null : result.hostsFile().toString());
        s.setResolvConfPath(result.resolvConf() == null ? null : result.resolvConf().toString());
        c.set(ConditionType.NetnsReady, Conditions.TRUE, "NetnsReady", "network namespace " + s.getNetnsPath());
        int count = result.networks().size();
        c.set(ConditionType.NetworksReady, Conditions.TRUE, count == 0 ? "LoopbackOnly" : "NetworksAttached",
                count == 0 ? "no networks requested: loopback only" : count + " network(s) attached");
        s.setPorts(PortStatuses.of(result.ports()));
        boolean ports = !result.ports().isEmpty();
        boolean rootless = pn.getSpec().getMode() == io.podnet.api.Mode.Rootless;
        c.set(ConditionType.PortsReady, Conditions.TRUE, ports ? "PortsApplied" : "NoPorts",
                !ports ? "no port mappings requested"
                        : rootless ? result.ports().size() + " port mapping(s) forwarded in user space; the pod sees connections"
                                + " from its network's gateway address, not the client's"
                        : result.ports().size() + " port mapping(s) applied");
        c.set(ConditionType.Ready, Conditions.TRUE, "Ready", "pod network is ready");
        s.setConditions(c.list());
        return s;
    }

    /** The request cannot be built: nothing was changed, the previous networks are kept. */
    static PodNetworkStatus problem(PodNetwork pn, Stage stage, String reason, String message, boolean permanent) {
        PodNetworkStatus s = base(pn);
        PodNetworkStatus prior = pn.getStatus();
        if (prior != null) {
            s.setHostsPath(prior.getHostsPath());
            s.setResolvConfPath(prior.getResolvConfPath());
            s.setObservedReload(prior.getObservedReload());
            s.setNetnsPath(prior.getNetnsPath());
            s.setNetworks(prior.getNetworks());
            s.setPorts(prior.getPorts());
            s.setInspect(prior.getInspect());
        }
        Conditions c = conditions(pn);
        ConditionType failing = ConditionType.of(stage);
        for (Stage other : Stage.values()) {
            ConditionType t = ConditionType.of(other);
            if (t == failing) {
                c.set(t, Conditions.FALSE, reason, message);
            } else if (other.ordinal() > stage.ordinal() || c.find(t) == null) {
                c.set(t, Conditions.UNKNOWN, "NotApplied", "not applied: " + failing + " is False");
            }
        }
        c.set(ConditionType.Ready, Conditions.FALSE, reason, message);
        s.setConditions(c.list());
        s.setPhase(permanent ? PodNetworkStatus.FAILED : PodNetworkStatus.PENDING);
        return s;
    }

    private static PodNetworkStatus base(PodNetwork pn) {
        PodNetworkStatus s = new PodNetworkStatus();
        s.setObservedGeneration(pn.getMetadata().getGeneration());
        return s;
    }

    private static Conditions conditions(PodNetwork pn) {
        long generation = pn.getMetadata().getGeneration() == null ? 0 : pn.getMetadata().getGeneration();
        return new Conditions(pn.getStatus() == null ? null : pn.getStatus().getConditions(), generation);
    }
}
