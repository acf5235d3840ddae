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
 * Through {@link io.podnet.rootless.RootlessNetwork}, which does the forwarder steps below
 * itself; the steps are what it does, in terms of the two classes it joins.
 * All lifecycle calls ({@code ensure}, {@code ensureHelper}, {@code cleanupIfUnused}, and the
 * first {@code runInside}/{@code netns} that creates the namespace) start or
 * stop processes: call them from an agent thread, never from work running inside a namespace.
 * <ol>
 * <li><b>First rootless pod</b>: {@code rootless.ensure()} (CREATED); the engine makes its
 * bridge inside {@code rootless.netns()} the way it makes host bridges; create the pod's veth with its host end in
 * {@code rootless.netns()} (an RtnlClient opened there with {@code rootless.netns().run(RtnlClient::open)});
 * firewall work that must see the rootless netns' own /run and resolv.conf goes through
 * {@code rootless.runInside(...)}; open the forwarder, {@code new PortForwarder(hostNetns,
 * rootless.netnsPath(), Settings.defaults())}, and {@code forwarder.start(spec)} for each
 * mapping (owner = the pod's id).</li>
 * <li><b>Each further pod</b>: the same; {@code ensure()} is then cheap (RUNNING) and
 * {@code start} is idempotent.</li>
 * <li><b>Resync</b>: {@code rootless.ensureHelper()}: RUNNING or RESTARTED need nothing more (the
 * namespace, its bridges and veths, and the forwarder's sockets are unchanged); CREATED means
 * the namespace itself was gone: close the forwarder, open a new one, and set up every rootless
 * pod again; ABSENT means there is no rootless netns: nothing to do without rootless pods, else
 * {@code ensure()} and set them up again.</li>
 * <li><b>A pod goes</b>: {@code forwarder.stopOwner(podId)}, remove its veth, then
 * {@code rootless.cleanupIfUnused(rootlessPodsLeft)}; when that returns true, close the
 * forwarder.</li>
 * <li><b>Agent restart</b>: {@code new RootlessNetns(...)} has no side effect; when rootless pods
 * exist, {@code ensure()} adopts the namespace and its helper (RUNNING), restarts a dead helper
 * (RESTARTED) or makes a new namespace (CREATED: set the pods up again); then open the forwarder
 * and {@code start} every pod's mappings again: the forwarder lives in the agent, so rootless
 * ports are down while it restarts, and come back on the same ports (SO_REUSEADDR).</li>
 * <li><b>Agent shutdown</b>: {@code forwarder.close()}, {@code rootless.close()} (the namespace
 * and the helper stay).</li>
 * </ol>
 */
package io.podnet.rootless;
