package io.podnet.engine;

import java.util.List;
import java.util.Objects;

import io.podnet.inet.PortMapping;
import io.podnet.policy.Tenant;

/**
 * Everything the engine needs to build one pod's networking. Plain values, already parsed;
 * the engine validates them against its network definitions before any kernel change.
 *
 * @param id stable key of the pod (the PodNetwork's UID); names of kernel objects derive from it
 * @param displayName namespace/name, for logs and messages only
 * @param hostname the pod's name in its hosts file
 * @param tenant whom the pod belongs to (a PodNetwork's namespace): the node policy's grants decide what it may use
 * @param ports one mapping per protocol, host port 0 where a free one is to be picked
 */
public record PodRequest(String id, String displayName, String hostname, Tenant tenant, PodMode mode, NetnsRequest netns,
        List<AttachmentRequest> attachments, List<PortMapping> ports, DnsRequest dns) {
    public PodRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(netns, "netns");
        attachments = List.copyOf(attachments);
        ports = List.copyOf(ports);
        dns = dns == null ? DnsRequest.NONE : dns;
        hostname = hostname == null ? id : hostname;
    }
}
