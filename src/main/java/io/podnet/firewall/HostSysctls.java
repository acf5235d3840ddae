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
 * {@code net.ipv4.ip_forward} and IPv6 {@code all.forwarding} for every network (netavark 1.4
 * turns them on for internal ones too), {@code route_localnet} on the bridge of a network that
 * reaches the outside so that connections to 127.0.0.1 host ports may leave through it after
 * DNAT, and no duplicate address detection or router advertisements on a bridge with IPv6
 * ({@code accept_dad}, {@code accept_ra} 0). An internal network's bridge forwards
 * nothing instead ({@code forwarding} 0 on the bridge): its pods reach their subnet and the
 * bridge's own addresses only. /proc/sys/net shows the calling thread's namespace, so these run
 * on the firewall's thread.
 */
final class HostSysctls {
    private static final Path NET = Path.of("/proc/sys/net");

    private HostSysctls() {
    }

    static boolean bridgeExists(String bridge) {
        return Files.isDirectory(NET.resolve("ipv4/conf").resolve(bridge));
    }

    /**
     * Sets what {@code network} needs; each value that differed becomes a repair item. The
     * namespace-wide switches come first, for internal networks too as netavark does: turning
     * {@code ip_forward} on sets {@code forwarding} on every interface, and would undo an internal
     * bridge's 0 if it came after.
     */
    static void ensure(NetworkRules network, List<Item> repairs) {
        boolean bridge = bridgeExists(network.bridge());
        Path v4 = NET.resolve("ipv4/conf").resolve(network.bridge());
        Path v6 = NET.resolve("ipv6/conf").resolve(network.bridge());
        if (network.hasV4()) {
            ensureOne(NET.resolve("ipv4/ip_forward"), "1", repairs);
        }
        if (network.hasV6()) {
            ensureOne(NET.resolve("ipv6/conf/all/forwarding"), "1", repairs);
        }
        if (network.internal()) {
            if (bridge) {
                ensureOne(v4.resolve("forwarding"), "0", repairs);
                if (network.hasV6()) {
                    ensureOne(v6.resolve("forwarding"), "0", repairs);
                }
            }
            return;
        }
        if (network.hasV4() && bridge) {
            ensureOne(v4.resolve("route_localnet"), "1", repairs);
        }
        if (network.hasV6() && bridge) {
            ensureOne(v6.resolve("accept_dad"), "0", repairs);
            ensureOne(v6.resolve("accept_ra"), "0", repairs);
        }
    }

    private static void ensureOne(Path file, String value, List<Item> repairs) {
        if (!Files.exists(file)) {
            return; // IPv6 disabled on the bridge: nothing to set
        }
        try {
            if (Files.readString(file).trim().equals(value)) {
                return;
            }
            Files.writeString(file, value);
            repairs.add(new Item(Kind.SYSCTL, Action.REPLACED, "net." + NET.relativize(file).toString().replace('/', '.')));
        } catch (IOException e) {
            throw new FirewallException("cannot set " + file + " to " + value + " in the host namespace: " + e.getMessage(), e);
        }
    }
}
