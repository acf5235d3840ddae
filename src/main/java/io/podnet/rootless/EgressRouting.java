package io.podnet.rootless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import io.podnet.netlink.Link;
import io.podnet.netlink.Route;
import io.podnet.netlink.RtnlClient;
import io.podnet.netns.Netns;

/**
 * The way out of the rootless netns, set up inside it: lo and tap0 up, the default route via the
 * helper's gateway, and IP forwarding on so that pods on bridges inside are routed there.
 */
final class EgressRouting {
    private EgressRouting() {
    }

    /**
     * @param helperLog the helper's log tail, for the message when its tap0 is missing
     */
    static void ensure(RootlessConfig config, Netns netns, RtnlClient rtnl, Path netnsPath, Supplier<String> helperLog) {
        Link lo = rtnl.link("lo").orElseThrow(() -> new RootlessException(RootlessException.NETNS_FAILED, "no lo in " + netnsPath));
        if (!lo.isUp()) {
            rtnl.setUp(lo.index());
        }
        Link tap = rtnl.link(RootlessConfig.TAP).orElseThrow(() -> new RootlessException(RootlessException.HELPER_FAILED,
                config.helper().binary() + " is running but there is no " + RootlessConfig.TAP + " in " + netnsPath
                        + "; log: " + helperLog.get()));
        if (!tap.isUp()) {
            rtnl.setUp(tap.index());
        }
        rtnl.replaceRoute(Route.defaultVia(config.gateway(), tap.index()));
        netns.run(() -> {
            writeSysctl("/proc/sys/net/ipv4/ip_forward");
            if (config.ipv6()) {
                writeSysctl("/proc/sys/net/ipv6/conf/all/forwarding");
            }
            return null;
        });
    }

    private static void writeSysctl(String path) {
        // /proc/sys/net is the namespace of the thread that opens it: this runs inside
        try {
            Files.writeString(Path.of(path), "1\n");
        } catch (IOException e) {
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot write 1 to " + path + ": " + e.getMessage(), e);
        }
    }
}
