package io.podnet.engine;

import java.nio.file.Path;

import io.podnet.netconf.NetworkDefinitions;

/**
 * @param hostNetns the namespace that plays the host (bridges, host veths); null for the agent's own
 * @param netnsDir where owned pod namespaces are created
 * @param stateDir where intent is persisted (pods, IPAM, bridge markers)
 */
public record EngineSettings(Path hostNetns, Path netnsDir, Path stateDir, NetworkDefinitions networks) {
}
