package io.podnet.engine.driver;

import java.util.Optional;
import java.util.function.Consumer;

import io.podnet.engine.apply.PodNamespaces;
import io.podnet.engine.plan.PodState;
import io.podnet.engine.uplink.Uplink;
import io.podnet.netconf.NetworkDefinition;

/**
 * How a pod is attached to one kind of network, as netavark's drivers are: the engine's steps are
 * the same for every driver, which owns what it puts on the uplink's side and in the pod.
 */
public interface NetworkDriver {
    /**
     * Makes the attachment exist as its state says; idempotent. What had to be restored is
     * reported to {@code repaired} ("bridge", "veth", "address", ...).
     *
     * @param routeMetric the metric of the attachment's default routes (later networks back up the first)
     * @param stepDone told the name of each step as it ends ("bridge" once the uplink's side is in place),
     *        for the step durations
     */
    void attach(Uplink uplink, PodNamespaces.Opened pod, NetworkDefinition def, PodState.Attachment attachment, int routeMetric,
            Consumer<String> repaired, Consumer<String> stepDone);

    /**
     * Removes the attachment, and what the network kept on the uplink's side once no pod uses it;
     * succeeds whatever is already gone.
     *
     * @param def the network's definition, empty when it is no longer defined on the node
     */
    void detach(Uplink uplink, PodState.Attachment attachment, Optional<NetworkDefinition> def);
}
