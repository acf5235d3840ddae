/**
 * rtnetlink in Java: links (bridge, veth, up/down, master, MTU, MAC, rename, namespace move),
 * addresses and routes, with link statistics, encoded and decoded here over the AF_NETLINK
 * socket of {@code io.podnet.sys.NetlinkSocket}. No third-party netlink library.
 *
 * <ul>
 * <li>{@link io.podnet.netlink.RtnlClient} — the API the engine calls; one socket per namespace.</li>
 * <li>{@link io.podnet.netlink.RtnlRequests} / {@link io.podnet.netlink.RtnlReplies} — what is
 * sent for each operation and how replies become {@link io.podnet.netlink.Link},
 * {@link io.podnet.netlink.Address}, {@link io.podnet.netlink.Route}.</li>
 * <li>{@link io.podnet.netlink.NetlinkEncoder} / {@link io.podnet.netlink.NetlinkDecoder} —
 * generic message building (nested attributes, 4-byte alignment) and in-place reading.</li>
 * <li>{@link io.podnet.netlink.NetlinkRequester} — sequence numbers, port ids, acks, dumps,
 * NLMSG_ERROR with extended acks, NLM_F_DUMP_INTR retry, truncation checks.</li>
 * <li>{@link io.podnet.netlink.RtnlConstants} — every number, from the uapi headers.</li>
 * </ul>
 *
 * Depends on {@code io.podnet.sys} and {@code io.podnet.inet} only.
 */
package io.podnet.netlink;
