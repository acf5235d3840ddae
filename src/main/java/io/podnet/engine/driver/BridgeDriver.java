package io.podnet.engine.driver;

import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.Stage;
import io.podnet.engine.apply.PodNamespaces;
import io.podnet.engine.apply.VethAttacher;
import io.podnet.engine.plan.PodState;
import io.podnet.engine.uplink.HostUplink;
import io.podnet.engine.uplink.Uplink;
import io.podnet.firewall.NetworkRules;
import io.podnet.inet.MacAddress;
import io.podnet.netconf.NetworkDefinition;

/**
 * A managed bridge on the uplink's side, one veth pair per pod. The bridge's lock is held while
 * a pod is wired to it, so that the last pod leaving cannot remove it under one arriving.
 */
final class BridgeDriver implements NetworkDriver {
    @Override
    public void check(PodRequest request, int position, AttachmentRequest attachment, NetworkDefinition def) {
        if (position == 0 && def.internal() && !request.ports().isEmpty() && request.mode() == PodMode.ROOTFUL) {
            // as netavark, which sets up no port forwarding for internal networks: their bridge forwards nothing, so DNAT
            // from outside cannot reach them (rootless ports are fine: the forwarder connects from inside the rootless netns)
            throw new RejectedRequestException(Stage.PORTS, "PortsNeedAnExternalNetwork", "port mappings go to the pod's first network, and \""
                    + def.name() + "\" is internal: nothing is routed to it from outside; list a network that is not internal first");
        }
    }

    @Override
    public Optional<NetworkRules> firewallRules(NetworkDefinition def) {
        return Optional.of(HostUplink.rules(def));
    }

    @Override
    public MacAddress attach(Uplink uplink, PodNamespaces.Opened pod, NetworkDefinition def, PodState.Attachment attachment,
            int routeMetric, Consumer<String> repaired, Consumer<String> stepDone) {
        ReentrantLock lock = uplink.bridges().lock(def.bridgeName());
        lock.lock();
        try {
            int bridge = uplink.bridges().ensure(def, repaired);
            uplink.ensureNetwork(def);
            stepDone.accept("bridge");
            VethAttacher.attach(uplink.client(), pod.client(), pod.netns(), bridge, def, attachment,
                    def.metric() != null ? def.metric() : routeMetric, repaired);
            return MacAddress.parse(attachment.mac());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void detach(Uplink uplink, PodNamespaces.Existing pod, PodState.Attachment attachment, Optional<NetworkDefinition> def) {
        ReentrantLock lock = uplink.bridges().lock(attachment.bridge());
        lock.lock();
        try {
            VethAttacher.detach(uplink.client(), attachment, pod.pairGoesWithNamespace());
            if (uplink.bridges().removeIfUnused(attachment.bridge())) {
                def.ifPresent(uplink::networkRemoved);
            }
        } finally {
            lock.unlock();
        }
    }
}
