package io.podnet.engine.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netns.Netns;

/**
 * The per-interface sysctls netavark sets inside the pod on a new interface: no IPv6 address
 * autoconfiguration from router advertisements ({@code autoconf} 0), so a pod has exactly the
 * addresses its StatusBlock lists, and on a bridge network with IPv6 no duplicate address
 * detection ({@code accept_dad} 0; its addresses are on a bridge podnet numbers itself).
 * /proc/sys/net shows the namespace of the thread that opens it, so this runs inside the pod's
 * namespace. An interface without IPv6 (disabled in the pod) has no such file and nothing to set.
 */
final class PodSysctls {
    private PodSysctls() {
    }

    /** @param noDad whether duplicate address detection goes off too (netavark's bridge driver with IPv6) */
    static void apply(Netns pod, String interfaceName, NetworkDefinition def, boolean noDad) {
        Path conf = Path.of("/proc/sys/net/ipv6/conf", interfaceName);
        pod.run(() -> {
            set(conf.resolve("autoconf"), "0", interfaceName, def);
            if (noDad) {
                set(conf.resolve("accept_dad"), "0", interfaceName, def);
            }
            return null;
        });
    }

    private static void set(Path file, String value, String interfaceName, NetworkDefinition def) {
        if (!Files.exists(file)) {
            return;
        }
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw new SetupFailedException(Stage.NETWORKS, "SysctlFailed", "cannot set " + file + " to " + value + " for "
                    + interfaceName + " of network \"" + def.name() + "\" in the pod: " + e.getMessage(), e);
        }
    }
}
