package io.podnet.engine.driver;

import java.util.Optional;
import java.util.function.Consumer;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.PodMode;
import io.podnet.engine.PodRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.Stage;
import io.podnet.engine.apply.ParentLinkAttacher;
import io.podnet.engine.apply.PodNamespaces;
import io.podnet.engine.plan.PodState;
import io.podnet.engine.uplink.Uplink;
import io.podnet.firewall.NetworkRules;
import io.podnet.inet.MacAddress;
import io.podnet.netconf.NetworkDefinition;

/**
 * macvlan and ipvlan: the pod's interface sits on a parent interface of the host and reaches
 * that interface's network directly, past the host's routing and firewall. So there is nothing
 * on the uplink's side to build, to masquerade or to isolate, and what such a network cannot do
 * is refused up front: rootless pods (no host interface in the rootless netns), port mappings on
 * it (they are DNAT on the host, which the traffic never passes), and a static MAC on ipvlan or
 * passthru macvlan (they have their parent's).
 */
final class ParentLinkDriver implements NetworkDriver {
    @Override
    public void check(PodRequest request, int position, AttachmentRequest attachment, NetworkDefinition def) {
        if (request.mode() == PodMode.ROOTLESS) {
            throw new RejectedRequestException(Stage.NETWORKS, "DriverNotSupportedRootless", "network \"" + def.name() + "\" is a "
                    + def.driver() + " network: it needs a host interface, which a rootless pod does not reach");
        }
        if (position == 0 && !request.ports().isEmpty()) {
            throw new RejectedRequestException(Stage.PORTS, "PortsNeedABridge", "port mappings go to the pod's first network, and \""
                    + def.name() + "\" is a " + def.driver() + " network whose traffic never passes the host's DNAT; reach the pod on its own"
                    + " address, or list a bridge network first");
        }
        if (attachment.staticMac() != null && !ParentLinkAttacher.ownMac(def)) {
            throw new RejectedRequestException(Stage.NETWORKS, "StaticMACNotSupported", "network \"" + def.name() + "\" is "
                    + (NetworkDefinition.IPVLAN.equals(def.driver()) ? "an ipvlan" : "a passthru macvlan") + " network: its interfaces have"
                    + " their parent's MAC address (setting one would change the parent's), so staticMAC cannot be honoured");
        }
    }

    @Override
    public Optional<NetworkRules> firewallRules(NetworkDefinition def) {
        return Optional.empty();
    }

    @Override
    public MacAddress attach(Uplink uplink, PodNamespaces.Opened pod, NetworkDefinition def, PodState.Attachment attachment,
            int routeMetric, Consumer<String> repaired, Consumer<String> stepDone) {
        stepDone.accept("bridge"); // nothing on the uplink's side
        return ParentLinkAttacher.attach(uplink.client(), pod, def, attachment, def.metric() != null ? def.metric() : routeMetric, repaired);
    }

    @Override
    public void detach(Uplink uplink, PodNamespaces.Existing pod, PodState.Attachment attachment, Optional<NetworkDefinition> def) {
        ParentLinkAttacher.detach(pod.client(), attachment);
    }
}
