package io.podnet.operator;

import io.podnet.api.PodNetwork;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.plan.RequestValidator;
import io.podnet.policy.NodePolicy;
import io.podnet.policy.Tenant;

/** What the agent's node policy check says of a PodNetwork, through the mapper the reconciler uses. */
public final class AgentVerdicts {
    public static final String ALLOWED = "allowed";

    private AgentVerdicts() {
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
