package io.podnet.netlink;

import static io.podnet.netlink.NetlinkRequester.NONE;
import static io.podnet.netlink.RtnlConstants.*;

import java.util.List;
import java.util.Optional;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpvlanMode;
import io.podnet.inet.MacAddress;
import io.podnet.inet.MacvlanMode;
import io.podnet.sys.Errno;
import io.podnet.sys.FileDescriptor;
import io.podnet.sys.NetlinkSocket;

/**
 * An rtnetlink client: links, addresses and routes of one network namespace, over a
 * NETLINK_ROUTE socket.
 *
 * <p>The socket belongs to the namespace of the thread that called {@link #open()} and stays
 * bound to it: open the client inside a namespace once (e.g. {@code netns.run(RtnlClient::open)})
 * and use it from any thread afterwards. Methods are synchronized; each is one request and its
 * ack (plus a read-back for the create methods), using buffers allocated once per client.
 *
 * <p>Failures are {@link NetlinkException}s that name the operation, the errno and the kernel's
 * extended-ack message. Methods that look things up or delete them report "not there" as an
 * empty Optional or {@code false} instead.
 */
public final class RtnlClient implements AutoCloseable {
    private static final int ENODEV = Errno.ENODEV;
    private static final int ENOENT = Errno.ENOENT;
    private static final int ESRCH = Errno.ESRCH;
    private static final int EADDRNOTAVAIL = Errno.EADDRNOTAVAIL;

    private final NetlinkRequester requester;
    private boolean closed;

    RtnlClient(NetlinkChannel channel) {
        // start the sequence from the clock, as iproute2 does, so replies to an earlier
        // client on a recycled port id cannot be taken for ours
        this.requester = new NetlinkRequester(channel, (int) (System.nanoTime() >>> 10));
    }

    /** Opens a NETLINK_ROUTE socket in the calling thread's network namespace. */
    public static RtnlClient open() {
        return new RtnlClient(NetlinkChannel.of(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE)));
    }

    // ------------------------------------------------------------------ links

    /** Every link in the namespace (RTM_GETLINK dump). */
    public synchronized List<Link> links() {
        NetlinkEncoder e = begin();
        RtnlRequests.dumpLinks(e, requester.nextSeq());
        return requester.dump("RTM_GETLINK dump", RtnlReplies::link, NONE);
    }

    /** The link of this name, or empty when there is none (ENODEV). */
    public synchronized Optional<Link> link(String name) {
        RtnlRequests.getLink(begin(), requester.nextSeq(), name);
        return Optional.ofNullable(requester.single("RTM_GETLINK " + name, RtnlReplies::link, ENODEV));
    }

    /** The link with this ifindex, or empty when there is none (ENODEV). */
    public synchronized Optional<Link> link(int index) {
        RtnlRequests.getLink(begin(), requester.nextSeq(), index);
        return Optional.ofNullable(requester.single("RTM_GETLINK ifindex " + index, RtnlReplies::link, ENODEV));
    }

    /**
     * Creates a bridge (RTM_NEWLINK kind "bridge", NLM_F_CREATE|NLM_F_EXCL) and returns it as
     * the kernel reports it afterwards. Give bridges a MAC: without one, the kernel makes the
     * bridge take the lowest MAC of its ports, so it changes as pods come and go.
     *
     * @throws NetlinkException EEXIST when a link of that name exists
     */
    public synchronized Link createBridge(String name, LinkOptions options) {
        RtnlRequests.newBridge(begin(), requester.nextSeq(), name, options);
        requester.ack("RTM_NEWLINK bridge " + name, NONE, NONE);
        return readBack(name);
    }

    /**
     * Creates a veth pair in one RTM_NEWLINK (NLM_F_CREATE|NLM_F_EXCL). The peer is created
     * directly inside {@code peerNetns} (VETH_INFO_PEER with IFLA_NET_NS_FD), so it never shows
     * up in this namespace under its in-pod name; the host end is enslaved to
     * {@code options.master()} and brought up in the same request when asked.
     *
     * <p>When {@code peerOptions} has no MTU the peer gets {@code options}' MTU: the kernel
     * would otherwise give it 1500 whatever the host end has. The peer cannot be given a master
     * here (it would have to be in the peer's namespace).
     *
     * <p>The kernel cannot bring the peer up inside the creating request: it opens the peer
     * before the two ends are joined and refuses with ENOTCONN. So {@code peerOptions.up()} is
     * done with a second request by name when the peer stays in this namespace, and refused
     * (IllegalArgumentException, before anything is sent) when it goes to {@code peerNetns}:
     * bring it up with a client opened in that namespace, which configures its addresses and
     * routes anyway.
     *
     * @param peerNetns the namespace for the peer, or null for this one
     * @return the host-side link
     * @throws NetlinkException EEXIST when either name is taken in its namespace
     */
    public synchronized Link createVeth(String name, LinkOptions options, String peerName, LinkOptions peerOptions,
            FileDescriptor peerNetns) {
        if (peerOptions.up() && peerNetns != null) {
            throw new IllegalArgumentException("the veth peer " + peerName + " cannot be brought up while it is created in"
                    + " another namespace (the kernel answers ENOTCONN): bring it up with a client in that namespace");
        }
        LinkOptions peer = peerOptions.withUp(false);
        if (peer.mtu() == null && options.mtu() != null) {
            peer = peer.withMtu(options.mtu());
        }
        RtnlRequests.newVeth(begin(), requester.nextSeq(), name, options, peerName, peer,
                peerNetns == null ? -1 : peerNetns.fd());
        requester.ack("RTM_NEWLINK veth " + name + "/" + peerName, NONE, NONE);
        if (peerOptions.up()) {
            RtnlRequests.setUpByName(begin(), requester.nextSeq(), peerName, true);
            requester.ack("RTM_NEWLINK " + peerName + " up", NONE, NONE);
        }
        return readBack(name);
    }

    /**
     * Creates a bridge that filters VLANs (IFLA_BR_VLAN_FILTERING), so its ports can be given
     * one with {@link #addBridgeVlan}.
     *
     * @throws NetlinkException EEXIST when a link of that name exists; EOPNOTSUPP when the kernel
     *         was built without bridge VLAN filtering
     */
    public synchronized Link createVlanFilteringBridge(String name, LinkOptions options) {
        RtnlRequests.newBridge(begin(), requester.nextSeq(), name, options, true);
        requester.ack("RTM_NEWLINK bridge " + name + " vlan_filtering 1", NONE, NONE);
        return readBack(name);
    }

    /** Turns VLAN filtering of an existing bridge on or off. @throws NetlinkException EOPNOTSUPP without kernel support */
    public synchronized void setBridgeVlanFiltering(int bridgeIndex, boolean on) {
        RtnlRequests.setBridgeVlanFiltering(begin(), requester.nextSeq(), bridgeIndex, on);
        requester.ack("RTM_NEWLINK ifindex " + bridgeIndex + " type bridge vlan_filtering " + (on ? 1 : 0), NONE, NONE);
    }

    /**
     * Puts a bridge port on VLAN {@code vid}; with {@code pvid} untagged frames entering the port
     * belong to it, with {@code untagged} frames leave the port without the tag.
     */
    public synchronized void addBridgeVlan(int portIndex, int vid, boolean pvid, boolean untagged) {
        RtnlRequests.addBridgeVlan(begin(), requester.nextSeq(), portIndex, vid, pvid, untagged);
        requester.ack("RTM_SETLINK bridge port ifindex " + portIndex + " vid " + vid, NONE, NONE);
    }

    /**
     * Creates a macvlan on the parent link {@code parentIndex} of this namespace directly inside
     * {@code netns}, down, with the options' MTU and MAC. It cannot be read back from here.
     *
     * @throws NetlinkException EEXIST when the name is taken in {@code netns}; EINVAL for a
     *         passthru macvlan on a parent that already has one
     */
    public synchronized void createMacvlan(String name, LinkOptions options, int parentIndex, MacvlanMode mode, FileDescriptor netns) {
        RtnlRequests.newMacvlan(begin(), requester.nextSeq(), name, options, parentIndex, mode, netns.fd());
        requester.ack("RTM_NEWLINK macvlan " + name + " on ifindex " + parentIndex, NONE, NONE);
    }

    /**
     * Creates an ipvlan on the parent link {@code parentIndex} directly inside {@code netns},
     * down, with the options' MTU (it has the parent's MAC).
     *
     * @throws NetlinkException EEXIST when the name is taken in {@code netns}; EOPNOTSUPP when the
     *         kernel has no ipvlan
     */
    public synchronized void createIpvlan(String name, LinkOptions options, int parentIndex, IpvlanMode mode, FileDescriptor netns) {
        RtnlRequests.newIpvlan(begin(), requester.nextSeq(), name, options, parentIndex, mode, netns.fd());
        requester.ack("RTM_NEWLINK ipvlan " + name + " on ifindex " + parentIndex, NONE, NONE);
    }

    private Link readBack(String name) {
        RtnlRequests.getLink(begin(), requester.nextSeq(), name);
        Link link = requester.single("RTM_GETLINK " + name, RtnlReplies::link, ENODEV);
        if (link == null) {
            throw new NetlinkException("RTM_GETLINK " + name + " right after creating it", ENODEV,
                    "it was deleted or renamed at once by someone else", -1);
        }
        return link;
    }

    public synchronized void setUp(int index) {
        RtnlRequests.setUp(begin(), requester.nextSeq(), index, true);
        requester.ack("RTM_NEWLINK ifindex " + index + " up", NONE, NONE);
    }

    public synchronized void setDown(int index) {
        RtnlRequests.setUp(begin(), requester.nextSeq(), index, false);
        requester.ack("RTM_NEWLINK ifindex " + index + " down", NONE, NONE);
    }

    /** Enslaves the link to a bridge (IFLA_MASTER); {@code masterIndex} 0 releases it. */
    public synchronized void setMaster(int index, int masterIndex) {
        RtnlRequests.setMaster(begin(), requester.nextSeq(), index, masterIndex);
        requester.ack("RTM_NEWLINK ifindex " + index + (masterIndex == 0 ? " nomaster" : " master " + masterIndex),
                NONE, NONE);
    }

    /** Hairpin mode of a bridge port (the link must be enslaved to a bridge). */
    public synchronized void setHairpin(int index, boolean on) {
        RtnlRequests.setHairpin(begin(), requester.nextSeq(), index, on);
        requester.ack("RTM_SETLINK bridge port ifindex " + index + " hairpin " + (on ? "on" : "off"), NONE, NONE);
    }

    public synchronized void setMtu(int index, int mtu) {
        RtnlRequests.setMtu(begin(), requester.nextSeq(), index, mtu);
        requester.ack("RTM_NEWLINK ifindex " + index + " mtu " + mtu, NONE, NONE);
    }

    public synchronized void setMac(int index, MacAddress mac) {
        if (mac.isMulticast()) {
            throw new IllegalArgumentException("MAC address " + mac + " is a multicast address");
        }
        RtnlRequests.setMac(begin(), requester.nextSeq(), index, mac.bytes());
        requester.ack("RTM_NEWLINK ifindex " + index + " address " + mac, NONE, NONE);
    }

    /**
     * Renames a link (IFLA_IFNAME). The link must be down: kernels before 6.2 refuse to rename
     * a running interface with EBUSY. (Linux 6.2 and later allow it, but software watching the
     * link may not expect a live rename; podnet renames links only while they are down.)
     *
     * @throws NetlinkException EBUSY when the link is up (before Linux 6.2), EEXIST when the
     *                          name is taken
     */
    public synchronized void rename(int index, String newName) {
        RtnlRequests.rename(begin(), requester.nextSeq(), index, newName);
        requester.ack("RTM_NEWLINK ifindex " + index + " name " + newName, NONE, NONE);
    }

    /**
     * Moves the link into another namespace (IFLA_NET_NS_FD). It arrives there down, keeps its
     * name, MAC and MTU, and loses its addresses, routes and master. Its ifindex is kept unless
     * taken there.
     *
     * @throws NetlinkException EEXIST when the target has a link of that name
     */
    public synchronized void moveToNetns(int index, FileDescriptor netns) {
        RtnlRequests.moveToNetns(begin(), requester.nextSeq(), index, netns.fd());
        requester.ack("RTM_NEWLINK ifindex " + index + " netns fd " + netns.fd(), NONE, NONE);
    }

    /**
     * Takes the link down and out of its bridge in one request, without deleting it (which
     * waits for the kernel to unregister it); false when there is no link of that name.
     */
    public synchronized boolean release(String name) {
        RtnlRequests.release(begin(), requester.nextSeq(), name);
        return requester.ack("RTM_NEWLINK " + name + " down nomaster", ENODEV, NONE) == 0;
    }

    /** Deletes the link (for a veth, both ends); false when there is no link of that name. */
    public synchronized boolean deleteLink(String name) {
        RtnlRequests.deleteLink(begin(), requester.nextSeq(), name);
        return requester.ack("RTM_DELLINK " + name, ENODEV, NONE) == 0;
    }

    /** Deletes the link (for a veth, both ends); false when there is no such ifindex. */
    public synchronized boolean deleteLink(int index) {
        RtnlRequests.deleteLink(begin(), requester.nextSeq(), index);
        return requester.ack("RTM_DELLINK ifindex " + index, ENODEV, NONE) == 0;
    }

    // ------------------------------------------------------------------ addresses

    /** Addresses of every link; {@code family} 0 for all, AF_INET (2) or AF_INET6 (10). */
    public synchronized List<Address> addresses(int family) {
        RtnlRequests.dumpAddresses(begin(), requester.nextSeq(), family, 0);
        List<Address> all = requester.dump("RTM_GETADDR dump family " + family, RtnlReplies::address, NONE);
        if (family != AF_UNSPEC) {
            all.removeIf(a -> a.family() != family);
        }
        return all;
    }

    /** Addresses of one link; {@code family} 0 for all. */
    public synchronized List<Address> addresses(int family, int index) {
        RtnlRequests.checkIndex(index);
        RtnlRequests.dumpAddresses(begin(), requester.nextSeq(), family, index);
        List<Address> all = requester.dump("RTM_GETADDR dump family " + family + " ifindex " + index,
                RtnlReplies::address, NONE);
        // the kernel filters by ifa_index under strict checking; filter again for older kernels
        all.removeIf(a -> a.index() != index || (family != AF_UNSPEC && a.family() != family));
        return all;
    }

    /**
     * Adds an address (RTM_NEWADDR, NLM_F_CREATE|NLM_F_EXCL) with IFA_LOCAL and IFA_ADDRESS,
     * and for IPv4 networks up to /30 the broadcast address.
     *
     * @throws NetlinkException EEXIST when the link already has it
     */
    public synchronized void addAddress(int index, Cidr address) {
        addAddress(index, address, 0);
    }

    /**
     * As {@link #addAddress(int, Cidr)} with address flags, e.g.
     * {@link RtnlConstants#IFA_F_NODAD} so an IPv6 address is usable at once instead of
     * tentative for the second or so duplicate address detection takes, or
     * {@link RtnlConstants#IFA_F_NOPREFIXROUTE}.
     */
    public synchronized void addAddress(int index, Cidr address, int ifaFlags) {
        if (ifaFlags < 0) {
            throw new IllegalArgumentException("invalid address flags " + ifaFlags);
        }
        RtnlRequests.newAddress(begin(), requester.nextSeq(), index, address, ifaFlags);
        requester.ack("RTM_NEWADDR " + address + " on ifindex " + index, NONE, NONE);
    }

    /** Removes an address; false when the link does not have it (or is gone). */
    public synchronized boolean deleteAddress(int index, Cidr address) {
        RtnlRequests.deleteAddress(begin(), requester.nextSeq(), index, address);
        return requester.ack("RTM_DELADDR " + address + " on ifindex " + index, EADDRNOTAVAIL, ENODEV) == 0;
    }

    // ------------------------------------------------------------------ routes

    /** Routes of the main table (what {@code ip route} shows); {@code family} 0 for both. */
    public synchronized List<Route> routes(int family) {
        return routes(family, RT_TABLE_MAIN);
    }

    /** Routes of one table; {@code table} 0 for all tables, {@code family} 0 for both. */
    public synchronized List<Route> routes(int family, int table) {
        RtnlRequests.dumpRoutes(begin(), requester.nextSeq(), family, table);
        // a table that does not exist yet is ENOENT for an IPv4 dump: no routes
        List<Route> all = requester.dump("RTM_GETROUTE dump family " + family + " table " + table,
                RtnlReplies::route, ENOENT);
        all.removeIf(r -> (table != RT_TABLE_UNSPEC && r.table() != table) || (family != AF_UNSPEC && r.family() != family));
        return all;
    }

    /** Adds a route (NLM_F_CREATE|NLM_F_EXCL). @throws NetlinkException EEXIST when it exists */
    public synchronized void addRoute(Route route) {
        RtnlRequests.newRoute(begin(), requester.nextSeq(), route, RtnlRequests.NEW_FLAGS);
        requester.ack("RTM_NEWROUTE " + route, NONE, NONE);
    }

    /** Adds or replaces the route to the same destination, table and metric (NLM_F_CREATE|NLM_F_REPLACE). */
    public synchronized void replaceRoute(Route route) {
        RtnlRequests.newRoute(begin(), requester.nextSeq(), route, RtnlRequests.REPLACE_FLAGS);
        requester.ack("RTM_NEWROUTE replace " + route, NONE, NONE);
    }

    /**
     * Deletes the route matching destination, gateway, output link, table and (when given)
     * metric; protocol, scope and type are not compared. False when there is no such route
     * (ESRCH) or its link is gone (ENODEV).
     */
    public synchronized boolean deleteRoute(Route route) {
        RtnlRequests.deleteRoute(begin(), requester.nextSeq(), route);
        return requester.ack("RTM_DELROUTE " + route, ESRCH, ENODEV) == 0;
    }

    /** The socket's netlink port id (for diagnostics). */
    public int portId() {
        return requester.portId();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            requester.close();
        }
    }

    private NetlinkEncoder begin() {
        if (closed) {
            throw new IllegalStateException("RtnlClient is closed");
        }
        return requester.encoder();
    }
}
