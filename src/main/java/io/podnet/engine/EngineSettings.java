package io.podnet.engine;

import java.nio.file.Path;
import java.util.List;

import io.podnet.inet.Cidr;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.policy.NodePolicy;
import io.podnet.ports.PortPolicy;
import io.podnet.rootless.Helper;
import io.podnet.rootless.RootlessConfig;

/**
 * @param hostNetns the namespace that plays the host (bridges, host veths); null for the agent's own
 * @param netnsDir where owned pod namespaces are created
 * @param stateDir the durable dir (e.g. /var/lib/podnet); nothing on the hot path is written there any more: an
 *        older agent's pod, IPAM and bridge state found in it is moved to the run dir once (see {@link #kernelStateDir})
 * @param runDir on tmpfs (e.g. /run/podnet): each pod's hosts and resolv.conf ({@code <runDir>/pods/<id>/}) and
 *        the state that describes kernel objects ({@link #kernelStateDir})
 * @param networksDir where {@code networks} were read from, read again while the agent runs; null when they were given
 * @param allowedNetnsPaths prefixes a {@code netns.type: Path} namespace must live under
 * @param hostResolvConf the host's resolv.conf, whose nameservers a pod gets when it has no others
 * @param portPolicy host ports that are never exposed
 * @param rootless the shared rootless netns and its helper, for rootless pods
 * @param policy which namespaces may join foreign namespaces, use rootful mode, host ports and host addresses
 */
public record EngineSettings(Path hostNetns, Path netnsDir, Path stateDir, Path runDir, NetworkDefinitions networks,
        Path networksDir, List<Path> allowedNetnsPaths, Path hostResolvConf, PortPolicy portPolicy, RootlessConfig rootless, NodePolicy policy) {
    public EngineSettings {
        allowedNetnsPaths = List.copyOf(allowedNetnsPaths);
    }

    /**
     * Settings from the node configuration's plain values, each checked here so that a bad one
     * stops the agent with a message naming its key; the operator passes text and numbers and
     * never sees the parts' own types.
     */
    public static Builder forNode(Path hostNetns, Path netnsDir, Path stateDir, Path runDir) {
        return new Builder(hostNetns, netnsDir, stateDir, runDir);
    }

    public static final class Builder {
        private final Path hostNetns;
        private final Path netnsDir;
        private final Path stateDir;
        private final Path runDir;
        private Path networksDir;
        private List<Path> allowedNetnsPaths;
        private Path hostResolvConf = Path.of("/etc/resolv.conf");
        private PortPolicy portPolicy = PortPolicy.defaults();
        private RootlessConfig rootless = RootlessConfig.defaults();
        private NodePolicy policy = NodePolicy.defaults();

        private Builder(Path hostNetns, Path netnsDir, Path stateDir, Path runDir) {
            this.hostNetns = hostNetns;
            this.netnsDir = netnsDir;
            this.stateDir = stateDir;
            this.runDir = runDir;
            this.allowedNetnsPaths = List.of(netnsDir, Path.of("/var/run/netns"));
        }

        /** The netavark network definitions; the default podnet network when the directory has none. */
        public Builder networksDir(Path dir) {
            this.networksDir = dir;
            return this;
        }

        public Builder allowedNetnsPaths(List<Path> paths) {
            this.allowedNetnsPaths = paths;
            return this;
        }

        public Builder hostResolvConf(Path file) {
            this.hostResolvConf = file;
            return this;
        }

        /** @param denied host ports never exposed, as the node configuration writes them (e.g. "22,10250-10260") */
        public Builder ports(String denied, int minimum) {
            this.portPolicy = new PortPolicy(PortPolicy.parseDenied(denied), minimum);
            return this;
        }

        /** @param helper pasta or slirp4netns */
        public Builder rootless(String helper, String cidr, int mtu, boolean ipv6, boolean allowHostLoopback) {
            try {
                this.rootless = new RootlessConfig(Helper.parse(helper), Cidr.parse(cidr), mtu, ipv6, allowHostLoopback);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("podnet.rootless.*: " + e.getMessage(), e);
            }
            return this;
        }

        /** @param binary the helper's program instead of the one on the PATH (a node that keeps it elsewhere) */
        public Builder rootlessHelperBinary(Path binary) {
            this.rootless = rootless.withHelperBinary(binary);
            return this;
        }

        public Builder policy(NodePolicy nodePolicy) {
            this.policy = nodePolicy;
            return this;
        }

        public EngineSettings build() {
            return build(networksDir == null ? NetworkDefinitions.defaults() : NetworkDefinitions.load(networksDir), networksDir);
        }

        /** @param dir where {@code networks} came from, or null for a set that is given and never read again */
        private EngineSettings build(NetworkDefinitions networks, Path dir) {
            return new EngineSettings(hostNetns, netnsDir, stateDir, runDir, networks, dir, allowedNetnsPaths, hostResolvConf, portPolicy,
                    rootless, policy);
        }
    }

    /**
     * {@code <runDir>/state}: pod state, IPAM and bridge markers. They describe namespaces, links
     * and addresses that die with the node, so they live on tmpfs beside them, written by atomic
     * rename without fsync (crash-safe for a process crash); after a reboot they are gone with
     * what they described, and each PodNetwork is built again from its spec.
     */
    public Path kernelStateDir() {
        return runDir.resolve("state");
    }

    /** What the agent logs at start: the networks and where things are kept. */
    public String describe() {
        return "networks " + networks.all().stream().map(n -> n.name() + " (" + n.driver() + " " + n.bridgeName() + ")").toList()
                + (networks.problems().isEmpty() ? "" : "; " + networks.problems().size() + " unusable definition(s)") + "; state in "
                + kernelStateDir() + "; namespaces in " + netnsDir + (hostNetns == null ? "" : "; host namespace " + hostNetns)
                + "; node policy: " + policy.describe();
    }

    /**
     * One line per network definition file that could not be used ("file: problem"): the agent
     * runs without those networks, and PodNetworks asking for them are told why.
     */
    public List<String> definitionProblems() {
        return networks.problemMessages();
    }

    /** The defaults: Path namespaces under the netns dir or /var/run/netns, the host's /etc/resolv.conf. */
    public static EngineSettings of(Path hostNetns, Path netnsDir, Path stateDir, Path runDir, NetworkDefinitions networks) {
        return forNode(hostNetns, netnsDir, stateDir, runDir).build(networks, null);
    }
}
