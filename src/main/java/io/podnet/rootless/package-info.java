/**
 * Rootless networking: one shared "rootless netns" per node configuration, reached from the
 * outside only through a user-mode helper (pasta by default, or slirp4netns), with its own
 * bridges for rootless networks, and a userspace port forwarder for rootless port mappings.
 *
 * <h2>Parts</h2>
 * <ul>
 * <li>{@link io.podnet.rootless.RootlessNetwork}: the one API the engine uses: the rootless netns
 * and the forwarder of its pods' ports, kept in step ({@code Ensured} says when what the engine
 * built inside must be built again).</li>
 * <li>{@link io.podnet.rootless.RootlessNetns}: the namespace under
 * {@code <runDir>/rootless-<config id>/} and its lifecycle (create or adopt, keep healthy,
 * remove) under a {@link io.podnet.sys.FileLock}. Its jobs, package-private:
 * {@code HelperSupervisor} (start, restart, stop the helper), {@code EgressRouting} (lo, tap0,
 * default route, forwarding sysctls inside), {@code PrivateMountNamespace} (runInside: /run and
 * resolv.conf as the seed's Do()), {@code RootlessDirRemoval} (mounts, then the tree; with
 * {@code Mounts}, the mountinfo reader).</li>
 * <li>The helpers: {@link io.podnet.rootless.Helper} is the configured choice; its
 * {@code EgressHelper} ({@code Pasta}, {@code Slirp4netns}) owns the command line, the start and
 * the ready signal; {@code HelperLaunch} (the dir, pid file and log a start uses),
 * {@code HelperPidFile} (the pid file and whether a pid is really the helper), {@code Reaper}
 * (stopping and reaping), {@code Binaries} (PATH lookup, --help probing).</li>
 * <li>{@link io.podnet.rootless.RootlessConfig}: helper, cidr, MTU, IPv6, host loopback; its hash
 * names the rootless dir.</li>
 * <li>{@link io.podnet.rootless.PortForwarder} with {@link io.podnet.rootless.ForwardSpec} (an
 * owner, an {@link io.podnet.inet.PortMapping} and the pod's address): host ports in the host
 * namespace to pods, connected from inside the rootless netns. Its parts, package-private:
 * {@code ForwardTable} (which forwards exist, the host-port rule), {@code Forward} (one forward's
 * listeners and flows), {@code Listeners} (binding in the host namespace),
 * {@code SelectorLoop} with its {@code BufferPool} (one selector thread), {@code TcpRelay} and
 * {@code UdpRelay} (the data paths), {@code SocketSource} (sockets made in the rootless netns),
 * {@code LiveCounters} (what {@link io.podnet.rootless.ForwardCounters} are read from).</li>
 * <li>{@link io.podnet.rootless.RootlessResolvConf}: where to bind resolv.conf, and what it says.</li>
 * </ul>
 *
 * <h2>How the engine calls it</h2>
 * Only through {@link io.podnet.rootless.RootlessNetwork} (engine.uplink.RootlessSide holds it,
 * with the netlink socket, bridges and nftables the engine keeps inside the namespace). Its
 * lifecycle calls start or stop processes: call them from an agent thread, never from work
 * running inside a namespace.
 * <ol>
 * <li><b>A rootless pod is set up</b>: {@code ensure()} creates or adopts the namespace, makes the
 * helper run and opens the forwarder; when {@code Ensured.netnsCreated()}, the engine (re)opens
 * what it keeps inside ({@code netns()}) and builds the pod's bridge and veth there; then
 * {@code forward(podId, mappings, podIp)}, which keeps forwards that are already right.</li>
 * <li><b>Resync</b>: {@code ensureIfPresent()}: nothing without a namespace; a dead helper is
 * restarted ({@code helperRestarted}); a namespace that disappeared is made anew with a new
 * forwarder ({@code netnsCreated}: the engine builds its pods again); then every rootless pod's
 * {@code forward} again.</li>
 * <li><b>A pod goes</b>: {@code stopForwards(podId)}, its veth removed, then
 * {@code cleanupIfUnused(rootlessPodsLeft)}, which takes the forwarder, the helper and the
 * namespace with the last pod.</li>
 * <li><b>Agent restart</b>: a new {@code RootlessNetwork} has no side effect; the first
 * {@code ensure()} adopts the namespace and its helper and opens a forwarder, and the engine
 * forwards every pod's mappings again: the forwarder lives in the agent, so rootless ports are
 * down while it restarts and come back on the same ports (SO_REUSEADDR).</li>
 * <li><b>Agent shutdown</b>: {@code close()} closes the forwarder; the namespace and the helper
 * stay, for the next agent to adopt.</li>
 * </ol>
 */
package io.podnet.rootless;
