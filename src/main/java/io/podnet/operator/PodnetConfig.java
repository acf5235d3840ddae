package io.podnet.operator;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The agent's node configuration: application.properties, overridable by environment variables
 * (podnet.node-name = PODNET_NODE_NAME, ...). The Helm chart feeds these.
 */
@ConfigMapping(prefix = "podnet")
public interface PodnetConfig {
    /** The node this agent serves; only PodNetworks with this spec.nodeName are reconciled. */
    @WithDefault("local")
    String nodeName();

    @WithDefault("/run/netns")
    Path netnsDir();

    @WithDefault("/var/lib/podnet")
    Path stateDir();

    @WithDefault("/run/podnet")
    Path runDir();

    @WithDefault("/etc/podnet/networks")
    Path networksDir();

    /**
     * The network namespace that plays the host: bridges, host-side veths and firewall rules live
     * there. Empty: the agent's own (the node's, with hostNetwork). Tests point it at a sandbox.
     */
    Optional<Path> hostNetns();

    /**
     * Directories under which a {@code netns.type: Path} namespace may be joined; default: the
     * netns dir and /var/run/netns.
     */
    Optional<java.util.List<Path>> allowedNetnsPaths();

    /**
     * The node's resolv.conf, whose non-loopback nameservers a pod gets when neither its spec nor
     * its networks give any (in the DaemonSet, the node's file mounted into the container).
     */
    @WithDefault("/etc/resolv.conf")
    Path hostResolvConf();

    /** How often every PodNetwork is re-checked against the kernel (drift repair). */
    @WithDefault("10s")
    Duration resyncInterval();

    /**
     * The node policy (who may join foreign network namespaces, use rootful mode, host ports and
     * host addresses), in the flat form the chart's admission policy reads too: keys
     * {@code grants} and {@code <grant>.<field>} (see {@link io.podnet.policy.NodePolicy}). None:
     * the defaults, every namespace may do all but join.
     */
    Map<String, String> policy();

    Embedded embedded();

    Ports ports();

    Rootless rootless();

    /** The shared rootless netns of rootless PodNetworks and its egress helper. */
    interface Rootless {
        /** pasta (default, as in Podman 5) or slirp4netns. */
        @WithDefault("pasta")
        String helper();

        /** The helper's network: the rootless netns has .100, the gateway .2, the DNS forwarder .3. */
        @WithDefault("10.0.2.0/24")
        String cidr();

        @WithDefault("65520")
        int mtu();

        @WithDefault("false")
        boolean ipv6();

        /** Whether pods reach the host's loopback through the helper's gateway address (off, as in Podman). */
        @WithDefault("false")
        boolean allowHostLoopback();

        /** The helper's program, where it is not the one on the PATH (pasta or slirp4netns there). */
        Optional<Path> helperPath();
    }

    interface Ports {
        /**
         * Host ports never exposed (the node's own services: ssh, etcd, the API server, the
         * kubelet, ...), comma-separated, or {@code none}.
         */
        @WithDefault("22,2379,2380,6443,10250,10255,10256,10257,10259")
        String denied();

        /** Host ports under this are refused. */
        @WithDefault("1")
        int minimum();
    }

    Health health();

    NodeGone nodeGone();

    /** Each agent renews a Lease for its node; PodNetworks being deleted on a node whose lease went stale lose their finalizer. */
    interface NodeGone {
        /** How long a node's lease may go unrenewed before its agent counts as gone. */
        @WithDefault("5m")
        Duration grace();

        /** Where the node leases live; empty: the Kubernetes client's namespace (the chart sets the release namespace). */
        Optional<String> leaseNamespace();
    }

    interface Health {
        /** A reconcile running longer than this makes liveness fail. */
        @WithDefault("5m")
        Duration stuckAfter();
    }

    interface Embedded {
        /** auto: start the embedded API when there is no kubeconfig and no in-cluster config. */
        @WithDefault("auto")
        String enabled();

        /** Where the kubeconfig for the embedded API is written (PODNET_EMBEDDED_KUBECONFIG). */
        @WithDefault("${podnet.run-dir}/kubeconfig")
        Path kubeconfig();

        /** Port on 127.0.0.1; 0 picks a free one. */
        @WithDefault("0")
        int port();

        /**
         * Where the embedded API keeps its objects, one file each (PODNET_EMBEDDED_STORE_DIR). To
         * start empty, stop the agent and remove this directory.
         */
        @WithDefault("${podnet.state-dir}/embedded-api")
        Path storeDir();
    }
}
