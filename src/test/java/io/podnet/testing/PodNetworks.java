package io.podnet.testing;

import java.util.ArrayList;
import java.util.List;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.podnet.api.NetworkAttachment;
import io.podnet.api.PodNetwork;
import io.podnet.api.PodNetworkSpec;

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
}
