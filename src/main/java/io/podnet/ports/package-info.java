/**
 * Host ports, without the kernel: what a pod may map and what it gets.
 *
 * <ul>
 * <li>{@link io.podnet.ports.HostPortRegistry} — the node's host ports by pod: conflicts, the
 * deny list and minimum of {@link io.podnet.ports.PortPolicy}, random ports, all-or-nothing;
 * refusals are {@link io.podnet.ports.PortRefusedException} with a condition reason.</li>
 * <li>{@link io.podnet.inet.PortCompaction} — the status form: sorted, neighbours merged into
 * ranges, as Podman's seed does it.</li>
 * <li>{@link io.podnet.ports.HostPortProbe} / {@link io.podnet.ports.ListeningSockets} — what
 * already listens on the host, read from {@code /proc/thread-self/net} on a thread inside the
 * host namespace.</li>
 * </ul>
 *
 * Depends on {@code io.podnet.inet} only; {@code io.podnet.firewall} turns resolved mappings into
 * nftables elements.
 */
package io.podnet.ports;
