package io.podnet.engine;

import java.net.InetAddress;
import java.util.List;

import io.podnet.inet.MacAddress;

/**
 * One network to attach.
 *
 * @param interfaceName the name inside the pod, or null for the first free ethN
 * @param staticMac null to keep a generated one
 */
public record AttachmentRequest(String network, String interfaceName, List<InetAddress> staticIps,
        MacAddress staticMac, List<String> aliases) {
    public AttachmentRequest {
        staticIps = staticIps == null ? List.of() : List.copyOf(staticIps);
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
    }

    public static AttachmentRequest of(String network) {
        return new AttachmentRequest(network, null, List.of(), null, List.of());
    }
}
