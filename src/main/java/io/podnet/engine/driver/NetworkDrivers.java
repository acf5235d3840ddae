package io.podnet.engine.driver;

import java.util.Map;

import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;

/** The drivers by the name a network definition gives ({@code "driver": "bridge"}). */
public final class NetworkDrivers {
    private final Map<String, NetworkDriver> byName = Map.of("bridge", new BridgeDriver());

    /** The network definitions refuse drivers podnet does not have; this guards a definition from elsewhere. */
    public NetworkDriver of(String driver) {
        NetworkDriver d = byName.get(driver);
        if (d == null) {
            throw new SetupFailedException(Stage.NETWORKS, "UnsupportedDriver", "network driver \"" + driver + "\" is not supported", null);
        }
        return d;
    }
}
