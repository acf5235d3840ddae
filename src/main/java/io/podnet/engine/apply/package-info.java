/**
 * The kernel steps of a pod: its namespace ({@link io.podnet.engine.apply.PodNamespaces}), a veth pair
 * wired to a bridge ({@link io.podnet.engine.apply.VethAttacher}, {@link io.podnet.engine.apply.Bridges})
 * or a macvlan or ipvlan link on a parent ({@link io.podnet.engine.apply.ParentLinkAttacher}), then for
 * every driver the interface's addresses and routes ({@link io.podnet.engine.apply.PodAddressing}) and
 * sysctls ({@code PodSysctls}), its hosts and resolv.conf ({@link io.podnet.engine.apply.PodDnsFiles})
 * and what a joined namespace already holds ({@link io.podnet.engine.apply.NamespaceInspector}). Each
 * step checks before it changes, so a resync of a healthy pod is a few netlink reads.
 */
package io.podnet.engine.apply;
