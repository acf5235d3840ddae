package io.podnet.operator;

import io.podnet.api.Mode;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkStatus;
import io.podnet.engine.PodResult;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;

/**
 * The one place a PodNetwork's status is decided: phase, conditions, StatusBlocks, ports and the
 * inspect summary, from what the engine built, refused or failed to build. The reconciler hands
 * it the outcome and only decides what to patch and announce from the {@link StatusUpdate}.
 * {@link Conditions}, {@link StatusBlocks}, {@link PortStatuses} and {@link InspectSummaries} are
 * its parts, used nowhere else.
 */
final class StatusAggregator {
    /** The reason of a failure that is not the engine's own (a bug, an unexpected exception). */
    static final String INTERNAL_ERROR = "InternalError";

    private StatusAggregator() {
    }

    /** The engine built the pod: Ready, with everything it reported. */
    static StatusUpdate built(PodNetwork pn, PodResult result) {
        PodNetworkStatus s = base(pn);
        Conditions c = conditions(pn);
        s.setPhase(PodNetworkStatus.READY);
        s.setObservedReload(ReloadAwareUpdates.reloadOf(pn));
        s.setNetnsPath(result.netnsPath() == null ? null : result.netnsPath().toString());
        s.setNetworks(StatusBlocks.of(result));
        s.setInspect(InspectSummaries.of(result));
        s.setHostsPath(result.hostsFile() == null ? null : result.hostsFile().toString());
        s.setResolvConfPath(result.resolvConf() == null ? null : result.resolvConf().toString());
        s.setPorts(PortStatuses.of(result.ports()));
        c.set(ConditionType.NetnsReady, Conditions.TRUE, "NetnsReady", "network namespace " + s.getNetnsPath());
        int count = result.networks().size();
        c.set(ConditionType.NetworksReady, Conditions.TRUE, count == 0 ? "LoopbackOnly" : "NetworksAttached",
                count == 0 ? "no networks requested: loopback only" : count + " network(s) attached");
        c.set(ConditionType.PortsReady, Conditions.TRUE, result.ports().isEmpty() ? "NoPorts" : "PortsApplied",
                portsMessage(result, pn.getSpec().getMode() == Mode.Rootless));
        c.set(ConditionType.Ready, Conditions.TRUE, "Ready", "pod network is ready");
        s.setConditions(c.list());
        return new StatusUpdate(pn.getStatus(), s, null);
    }

    /** The request cannot be built: Failed, as retrying the same spec fails again. */
    static StatusUpdate refused(PodNetwork pn, RejectedRequestException e) {
        return problem(pn, e.stage(), e.reason(), e.getMessage(), PodNetworkStatus.FAILED);
    }

    /**
     * A setup that threw: the engine's {@link SetupFailedException} (JOSDK hands it over wrapped),
     * or anything else as an internal error of the networks stage. Pending, as JOSDK retries.
     */
    static StatusUpdate failed(PodNetwork pn, Exception e) {
        SetupFailedException failed = setupFailure(e);
        if (failed == null) {
            return problem(pn, Stage.NETWORKS, INTERNAL_ERROR, String.valueOf(e.getMessage()), PodNetworkStatus.PENDING);
        }
        return problem(pn, failed.stage(), failed.reason(), String.valueOf(failed.getMessage()), PodNetworkStatus.PENDING);
    }

    private static String portsMessage(PodResult result, boolean rootless) {
        int count = result.ports().size();
        if (count == 0) {
            return "no port mappings requested";
        }
        return rootless ? count + " port mapping(s) forwarded in user space; the pod sees connections"
                + " from its network's gateway address, not the client's"
                : count + " port mapping(s) applied";
    }

    /**
     * The failing stage's condition and Ready are False; later stages are Unknown (not tried),
     * earlier ones keep what they had. Nothing was built, so what was built before is kept.
     */
    private static StatusUpdate problem(PodNetwork pn, Stage stage, String reason, String message, String phase) {
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
        s.setPhase(phase);
        return new StatusUpdate(prior, s, stage);
    }

    /** The engine's failure, which JOSDK hands over wrapped in its OperatorException. */
    private static SetupFailedException setupFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SetupFailedException f) {
                return f;
            }
        }
        return null;
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
