/**
 * Rootless networking: one shared "rootless netns" per node configuration, reached from the
 * outside only through a user-mode helper (pasta by default, or slirp4netns), with its own
 * bridges for rootless networks, and a userspace port forwarder for rootless port mappings.
 *
 * <h2>Parts</h2>
 * <ul>
 * <li>{@link io.podnet.rootless.RootlessNetns}: the namespace under
 * {@code <runDir>/rootless-<config id>/}, its supervised helper, its resolv.conf, its route to
 * the outside, {@code runInside} (a private mount namespace, as the seed's
 * Do()) and {@code cleanupIfUnused}.</li>
 * <li>{@link io.podnet.rootless.RootlessConfig}: helper, cidr, MTU, IPv6, host loopback; its hash
 * names the rootless dir.</li>
 * <li>{@link io.podnet.rootless.PortForwarder} with {@link io.podnet.rootless.ForwardSpec}: host
 * ports in the host namespace to pods, connected from inside the rootless netns.</li>
 * <li>{@link io.podnet.rootless.ResolvConf}: where to bind resolv.conf, and what it says.</li>
 * </ul>
 *
 * <h2>How the engine calls it</h2>
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
