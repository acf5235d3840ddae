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
 * addresses its StatusBlock lists. /proc/sys/net shows the namespace of the thread that opens it,
 * so this runs inside the pod's namespace. An interface without IPv6 (disabled in the pod) has no
 * such file and nothing to set.
 */
final class PodSysctls {
    private PodSysctls() {
    }

    static void apply(Netns pod, String interfaceName, NetworkDefinition def) {
        pod.run(() -> {
            set(Path.of("/proc/sys/net/ipv6/conf", interfaceName, "autoconf"), "0", interfaceName, def);
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
