package io.podnet.api;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** Node-local networking for one pod: a namespace, its interfaces, addresses, routes and ports. */
@Group(PodNetwork.GROUP)
@Version(PodNetwork.VERSION)
@Kind("PodNetwork")
@Plural("podnetworks")
@Singular("podnetwork")
@ShortNames("pn")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".spec.nodeName", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Mode", jsonPath = ".spec.mode", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "IP", jsonPath = ".status.inspect.ipAddress", type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = AdditionalPrinterColumn.Type.DATE)
public class PodNetwork extends CustomResource<PodNetworkSpec, PodNetworkStatus> implements Namespaced {
    public static final String GROUP = "podnet.io";
    public static final String VERSION = "v1alpha1";

    // one PodNetwork that does not fit the model must not fail the informer's list or watch
    @Override
    @JsonDeserialize(using = TolerantDeserializers.Spec.class)
    public void setSpec(PodNetworkSpec spec) {
        super.setSpec(spec);
    }

    @Override
    @JsonDeserialize(using = TolerantDeserializers.Status.class)
    public void setStatus(PodNetworkStatus status) {
        super.setStatus(status);
    }
}
