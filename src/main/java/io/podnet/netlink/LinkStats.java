package io.podnet.netlink;

/** The first counters of struct rtnl_link_stats64 (IFLA_STATS64), since the link was created. */
public record LinkStats(long rxPackets, long txPackets, long rxBytes, long txBytes, long rxErrors, long txErrors,
        long rxDropped, long txDropped) {
}
