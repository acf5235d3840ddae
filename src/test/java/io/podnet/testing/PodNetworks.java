package io.podnet.testing;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.podnet.api.NetworkAttachment;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkSpec;
import io.podnet.api.PortMappingSpec;

/** PodNetworks as tests and benchmarks write them: a name, a namespace, a node and the networks by name. */
public final class PodNetworks {
    private PodNetworks() {
    }

    public static PodNetwork of(String namespace, String name, String node, String... networks) {
        PodNetwork pn = new PodNetwork();
        pn.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        PodNetworkSpec spec = new PodNetworkSpec();
        spec.setNodeName(node);
        List<NetworkAttachment> list = new ArrayList<>();
        for (String network : networks) {
            NetworkAttachment a = new NetworkAttachment();
            a.setName(network);
            list.add(a);
        }
        spec.setNetworks(list);
        pn.setSpec(spec);
        return pn;
    }

    /** A spec port mapping: {@code range} host ports from {@code hostPort} (0: any free one) for {@code protocol} ("tcp,udp" too). */
    public static PortMappingSpec port(int hostPort, int containerPort, String protocol, int range) {
        PortMappingSpec p = new PortMappingSpec();
        p.setHostPort(hostPort);
        p.setContainerPort(containerPort);
        p.setProtocol(protocol);
        p.setRange(range);
        return p;
    }
}
