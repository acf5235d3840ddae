package io.podnet.engine.driver;

import java.util.Optional;
import java.util.function.Consumer;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.PodRequest;
import io.podnet.engine.apply.PodNamespaces;
import io.podnet.engine.plan.PodState;
import io.podnet.engine.uplink.Uplink;
import io.podnet.firewall.NetworkRules;
import io.podnet.inet.MacAddress;
import io.podnet.netconf.NetworkDefinition;

/**
 * How a pod is attached to one kind of network, as netavark's drivers are: the engine's steps are
 * the same for every driver, which owns what it puts on the uplink's side and in the pod.
 */
public interface NetworkDriver {
    /**
     * Refuses, before anything is planned or changed, what this driver cannot build
     * ({@link io.podnet.engine.RejectedRequestException} with a reason).
     *
     * @param position the attachment's index in the request (the first network carries the ports)
     */
    void check(PodRequest request, int position, AttachmentRequest attachment, NetworkDefinition def);

    /** What the network needs in the uplink's firewall (masquerade, isolation), or empty when it has nothing there. */
    Optional<NetworkRules> firewallRules(NetworkDefinition def);

    /**
     * Makes the attachment exist as its state says; idempotent. What had to be restored is
     * reported to {@code repaired} ("bridge", "veth", "link", "address", ...).
     *
     * @param routeMetric the metric of the attachment's default routes when the network sets none
     *        (later networks back up the first)
     * @param stepDone told the name of each step as it ends ("bridge" once the uplink's side is in place),
     *        for the step durations
     * @return the MAC address the pod's interface has
     */
    MacAddress attach(Uplink uplink, PodNamespaces.Opened pod, NetworkDefinition def, PodState.Attachment attachment, int routeMetric,
            Consumer<String> repaired, Consumer<String> stepDone);

    /**
     * Removes the attachment, and what the network kept on the uplink's side once no pod uses it;
     * succeeds whatever is already gone.
     *
     * @param pod the pod's namespace as it is, for what lives only inside it
     * @param def the network's definition, empty when it is no longer defined on the node
     */
    void detach(Uplink uplink, PodNamespaces.Existing pod, PodState.Attachment attachment, Optional<NetworkDefinition> def);
}
