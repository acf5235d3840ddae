/**
 * Where a pod's veths end and how its ports are exposed, behind {@link io.podnet.engine.uplink.Uplink}:
 * {@link io.podnet.engine.uplink.HostUplink} (the host namespace, nftables DNAT) for rootful pods,
 * {@link io.podnet.engine.uplink.RootlessUplink} over {@link io.podnet.engine.uplink.RootlessSide} (the
 * shared rootless netns through rootless's one facade, the userspace forwarder) for rootless ones.
 */
package io.podnet.engine.uplink;
