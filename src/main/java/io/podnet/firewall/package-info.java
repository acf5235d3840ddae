/**
 * Rootful port exposure and masquerade in nftables table {@code inet podnet}, through
 * libnftables JSON commands ({@code io.podnet.sys.Nftables}).
 *
 * <ul>
 * <li>{@link io.podnet.firewall.NftFirewall} — the API the engine calls, one per host namespace,
 * on its own thread inside that namespace: networks, pods, {@code sync} and drift repair.</li>
 * <li>{@code NftLayout} — the fixed table: sets, maps, chains and the 13 rules.</li>
 * <li>{@code Elements} / {@code Element} — what a pod's {@link io.podnet.firewall.DnatRule}s and
 * a network's {@link io.podnet.firewall.NetworkRules} add, each element commented with its owner.</li>
 * <li>{@code TableListing} / {@code Reconciler} — a listing of the table compared with what it
 * should hold, and the one transaction that repairs it ({@link io.podnet.firewall.Repair}).</li>
 * <li>{@code HostSysctls} — ip_forward, IPv6 forwarding and route_localnet in the host namespace.</li>
 * </ul>
 *
 * <pre>
 * table inet podnet {
 *   set subnets4 { type ipv4_addr; flags interval; elements = { 10.89.0.0/24 comment "net/podnet0 2b33bfd2e3ea" } }
 *   set masq4 { type ipv4_addr; flags interval; elements = { 10.89.0.0/24 comment "net/podnet0 4c888840e148" } }
 *   map hostports4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr; flags interval;
 *     elements = { 0.0.0.0/0 . tcp . 8080 comment "pod-a 9f34e28c798b" : 10.89.0.2,
 *                  198.51.100.1 . udp . 9000-9002 comment "pod-b 95b5a63cf193" : 10.89.0.3 } }
 *   map dports4 { type ipv4_addr . inet_proto . inet_service : inet_service; flags interval;
 *     elements = { 0.0.0.0/0 . tcp . 8080 comment "pod-a e96176be1471" : 80 } }
 *   (subnets6, masq6, hostports6, dports6 alike)
 *   chain prerouting { type nat hook prerouting priority dstnat; fib daddr type local jump hostports }
 *   chain output { type nat hook output priority -100; fib daddr type local jump hostports }
 *   chain hostports {
 *     ip6 daddr ::1 return
 *     meta l4proto { tcp, udp, sctp } dnat ip to (daddr . l4proto . dport) map @hostports4 : (same key) map @dports4
 *     dnat ip to (daddr . l4proto . dport) map @hostports4
 *     (the same two for ip6)
 *   }
 *   chain postrouting { type nat hook postrouting priority srcnat;
 *     ct status dnat ip saddr @subnets4 ip daddr @subnets4 masquerade      # hairpin
 *     ct status dnat ip saddr 127.0.0.0/8 ip daddr @subnets4 masquerade    # 127.0.0.1 host ports
 *     ip saddr @masq4 ip daddr != @subnets4 ip daddr != 224.0.0.0/4 masquerade
 *     (hairpin and egress for IPv6)
 *   }
 * }
 * </pre>
 *
 * Depends on {@code io.podnet.sys}, {@code io.podnet.inet} and {@code io.podnet.ports}.
 */
package io.podnet.firewall;
