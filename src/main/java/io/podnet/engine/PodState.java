package io.podnet.engine;

import java.util.List;

/**
 * What the engine intends for one pod, persisted before the kernel steps that need it, so that a
 * restarted agent adopts the same names, MACs and addresses, or removes them when the pod is gone.
 *
 * @param netnsPath the namespace file; for owned namespaces, {@code <netns dir>/podnet-<id>}
 * @param ownsNetns whether podnet created the namespace (and deletes it on teardown)
 */
public record PodState(int version, String id, String displayName, PodMode mode, String netnsPath, boolean ownsNetns,
        List<Attachment> attachments) {
    public static final int CURRENT_VERSION = 1;

    public PodState {
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
    }

    /**
     * One network attached to the pod.
     *
     * @param hostVeth the host-side veth (empty for joined links that have none)
     * @param addresses addresses in CIDR form, as on the interface
     * @param gateways per address, the gateway of its subnet or "" when none
     */
    public record Attachment(String network, String interfaceName, String hostVeth, String bridge, String mac,
            List<String> addresses, List<String> gateways, List<String> staticIps) {
        public Attachment {
            addresses = List.copyOf(addresses);
            gateways = List.copyOf(gateways);
            staticIps = staticIps == null ? List.of() : List.copyOf(staticIps);
        }
    }

    public PodState withAttachments(List<Attachment> next) {
        return new PodState(version, id, displayName, mode, netnsPath, ownsNetns, next);
    }

    public Attachment attachment(String network) {
        for (Attachment a : attachments) {
            if (a.network().equals(network)) {
                return a;
            }
        }
        return null;
    }
}
