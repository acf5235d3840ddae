/**
 * The node's networks: netavark network JSON files, read from one directory and validated before
 * anything is built from them. A bad file makes only its own network unavailable.
 *
 * <ul>
 * <li>{@link io.podnet.netconf.NetworkDefinitions} — the set of a node's networks: lists the
 * directory, falls back to the default network {@code podnet}, checks names, bridges and subnets
 * across files, keeps each bad file's problem under its network's name. Its javadoc is the
 * reference of the fields read and the rules applied.</li>
 * <li>{@link io.podnet.netconf.NetworkDefinition}, {@link io.podnet.netconf.Subnet},
 * {@link io.podnet.netconf.StaticRoute} and {@link io.podnet.netconf.Isolation} — one validated
 * network, with the gateway already derived and its options typed.</li>
 * <li>{@link io.podnet.netconf.NetworkDefinitionException} — a file is unusable; names the file,
 * the problem, the network when known, and a reason for conditions.</li>
 * <li>{@code NetworkJson} (package-private) — one file into one definition: Jackson tree,
 * network-level rules; {@code SubnetJson} the subnets, gateways and lease ranges;
 * {@code DriverOptions} the options each driver knows; {@code RoutesJson} the static routes;
 * {@code JsonFields} typed field reads whose errors name the file.</li>
 * </ul>
 *
 * Depends on the JDK, Jackson and {@code io.podnet.inet} only, and builds its own
 * {@code ObjectMapper}: the engine and IPAM use this package without the operator's CDI.
 */
package io.podnet.netconf;
