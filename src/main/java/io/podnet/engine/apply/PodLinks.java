package io.podnet.engine.apply;

import java.util.function.Consumer;

import io.podnet.inet.MacAddress;
import io.podnet.netlink.Link;
import io.podnet.netlink.RtnlClient;

/** Repair of a pod's interface that every driver shares. */
final class PodLinks {
    private PodLinks() {
    }

    /**
     * Gives the link its MAC (when it has one of its own; {@code mac} null leaves it as it is) and
     * brings it up, reporting "mac" or "link".
     */
    static Link repairMacAndState(RtnlClient pod, Link link, MacAddress mac, Consumer<String> repaired) {
        boolean macWrong = mac != null && !mac.equals(link.mac());
        if (macWrong) {
            pod.setDown(link.index());
            pod.setMac(link.index(), mac);
            repaired.accept("mac");
        }
        if (!link.isUp() || macWrong) {
            pod.setUp(link.index());
            if (!macWrong) {
                repaired.accept("link");
            }
        }
        return link;
    }
}
