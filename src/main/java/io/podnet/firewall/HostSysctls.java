package io.podnet.firewall;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import io.podnet.firewall.Repair.Action;
import io.podnet.firewall.Repair.Item;
import io.podnet.firewall.Repair.Kind;

/**
 * The sysctls a bridge network needs in the host namespace, as netavark sets them:
 * {@code net.ipv4.ip_forward} and IPv6 {@code all.forwarding} for networks that reach the outside,
 * and {@code route_localnet} on the bridge so that connections to 127.0.0.1 host ports may leave
 * through it after DNAT. /proc/sys/net shows the calling thread's namespace, so these run on the
 * firewall's thread.
 */
final class HostSysctls {
    private static final Path NET = Path.of("/proc/sys/net");

    private HostSysctls() {
    }

    static boolean bridgeExists(String bridge) {
        return Files.isDirectory(NET.resolve("ipv4/conf").resolve(bridge));
    }

    /** Sets what {@code network} needs to 1; each value that was not 1 yet becomes a repair item. */
    static void ensure(NetworkRules network, List<Item> repairs) {
        if (network.hasV4() && bridgeExists(network.bridge())) {
            ensureOne(NET.resolve("ipv4/conf").resolve(network.bridge()).resolve("route_localnet"), repairs);
        }
        if (!network.internal() && network.hasV4()) {
            ensureOne(NET.resolve("ipv4/ip_forward"), repairs);
        }
        if (!network.internal() && network.hasV6()) {
            ensureOne(NET.resolve("ipv6/conf/all/forwarding"), repairs);
        }
    }

    private static void ensureOne(Path file, List<Item> repairs) {
        try {
            if (Files.readString(file).trim().equals("1")) {
                return;
            }
            Files.writeString(file, "1");
            repairs.add(new Item(Kind.SYSCTL, Action.REPLACED, "net." + NET.relativize(file).toString().replace('/', '.')));
        } catch (IOException e) {
            throw new FirewallException("cannot set " + file + " to 1 in the host namespace: " + e.getMessage(), e);
        }
    }
}
