package io.podnet.operator;

import io.podnet.api.PodNetwork;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.plan.NetnsPolicy;
import io.podnet.engine.plan.RequestValidator;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.policy.NodePolicy;
import io.podnet.policy.Tenant;

/** What the agent's node policy check says of a PodNetwork, through the mapper the reconciler uses. */
public final class AgentVerdicts {
    public static final String ALLOWED = "allowed";

    private AgentVerdicts() {
    }

    /**
     * {@link #ALLOWED}, or the reason the agent refuses a stored PodNetwork with: every check the
     * agent makes before it changes anything, through the mapper and validator the reconciler uses.
     */
    public static String ofAll(PodNetwork pn, Tenant tenant, NetworkDefinitions networks, NetnsPolicy netns, NodePolicy policy) {
        try {
            RequestValidator.validate(PodRequestMapper.toRequest(pn, tenant), networks, netns, policy);
            return ALLOWED;
        } catch (RejectedRequestException e) {
            return e.reason() + ": " + e.getMessage();
        }
    }

    /** {@link #ALLOWED}, or the condition reason the agent would refuse it with. */
    public static String of(PodNetwork pn, Tenant tenant, NodePolicy policy) {
        try {
            RequestValidator.checkGranted(PodRequestMapper.toRequest(pn, tenant), policy);
            return ALLOWED;
        } catch (RejectedRequestException e) {
            return e.reason();
        }
    }
}
