package io.podnet.operator;

import io.podnet.engine.Stage;

/** The status conditions of a PodNetwork; one per stage of the setup, plus Ready. */
enum ConditionType {
    Ready,
    NetnsReady,
    NetworksReady,
    PortsReady;

    public static ConditionType of(Stage stage) {
        return switch (stage) {
            case NETNS -> NetnsReady;
            case NETWORKS -> NetworksReady;
            case PORTS -> PortsReady;
        };
    }
}
