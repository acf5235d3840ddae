package io.podnet.engine;

import java.nio.file.Path;
import java.util.List;

import io.podnet.netconf.NetworkDefinitions;
import io.podnet.ports.PortPolicy;
import io.podnet.rootless.RootlessConfig;

/**
 * @param hostNetns the namespace that plays the host (bridges, host veths); null for the agent's own
 * @param netnsDir where owned pod namespaces are created
 * @param stateDir where intent is persisted (pods, IPAM, bridge markers)
 * @param runDir where each pod's hosts and resolv.conf are written ({@code <runDir>/pods/<id>/})
 * @param allowedNetnsPaths prefixes a {@code netns.type: Path} namespace must live under
 * @param hostResolvConf the host's resolv.conf, whose nameservers a pod gets when it has no others
 * @param portPolicy host ports that are never exposed
 * @param rootless the shared rootless netns and its helper, for rootless pods
 */
public record EngineSettings(Path hostNetns, Path netnsDir, Path stateDir, Path runDir, NetworkDefinitions networks,
        List<Path> allowedNetnsPaths, Path hostResolvConf, PortPolicy portPolicy, RootlessConfig rootless) {
    public EngineSettings {
        allowedNetnsPaths = List.copyOf(allowedNetnsPaths);
    }

    /** The defaults: Path namespaces under the netns dir or /var/run/netns, the host's /etc/resolv.conf. */
    public static EngineSettings of(Path hostNetns, Path netnsDir, Path stateDir, Path runDir, NetworkDefinitions networks) {
        return new EngineSettings(hostNetns, netnsDir, stateDir, runDir, networks, List.of(netnsDir, Path.of("/var/run/netns")),
                Path.of("/etc/resolv.conf"), PortPolicy.defaults(), RootlessConfig.defaults());
    }
}
