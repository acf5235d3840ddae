package io.podnet.engine.driver;

import java.util.List;
import java.util.Map;

import io.podnet.engine.AttachmentRequest;
import io.podnet.engine.PodRequest;
import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.NetworkDefinitions;

/** The drivers by the name a network definition gives ({@code "driver": "bridge"}). */
public final class NetworkDrivers {
    private final Map<String, NetworkDriver> byName;

    public NetworkDrivers() {
        ParentLinkDriver parentLink = new ParentLinkDriver();
        this.byName = Map.of(NetworkDefinition.BRIDGE, new BridgeDriver(), NetworkDefinition.MACVLAN, parentLink,
                NetworkDefinition.IPVLAN, parentLink);
    }

    /** The network definitions refuse drivers podnet does not have; this guards a definition from elsewhere. */
    public NetworkDriver of(String driver) {
        NetworkDriver d = byName.get(driver);
        if (d == null) {
            throw new SetupFailedException(Stage.NETWORKS, "UnsupportedDriver", "network driver \"" + driver + "\" is not supported", null);
        }
        return d;
    }

    /** Each attachment's driver refuses what it cannot build; call after the request validator has found every network. */
    public void check(PodRequest request, NetworkDefinitions networks) {
        List<AttachmentRequest> attachments = request.attachments();
        for (int i = 0; i < attachments.size(); i++) {
            NetworkDefinition def = networks.get(attachments.get(i).network()).orElseThrow();
            of(def.driver()).check(request, i, attachments.get(i), def);
        }
    }
}
