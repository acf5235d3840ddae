package io.podnet.engine.apply;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

import io.podnet.engine.SetupFailedException;
import io.podnet.engine.Stage;
import io.podnet.engine.plan.KernelNames;
import io.podnet.inet.Cidr;
import io.podnet.netconf.NetworkDefinition;
import io.podnet.netconf.Subnet;
import io.podnet.netlink.Address;
import io.podnet.netlink.Link;
import io.podnet.netlink.LinkOptions;
import io.podnet.netlink.NetlinkException;
import io.podnet.netlink.RtnlClient;
import io.podnet.netlink.RtnlConstants;
import io.podnet.sys.AtomicFile;
import io.podnet.sys.Errno;

/**
 * The host-side bridges of the network definitions: created on first use with the gateway
 * addresses (and VLAN filtering, for a network with the vlan option), removed when their last
 * port goes, but only when podnet created them (a marker in the state dir, written before the
 * bridge is created, says so).
 */
public final class Bridges {
    private final RtnlClient host;
    private final Path markers;
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public Bridges(RtnlClient host, Path stateDir) {
        this.host = host;
        this.markers = stateDir.resolve("bridges");
    }

    /** Held while a bridge is ensured and a port added, or a port removed and the bridge maybe deleted. */
    public ReentrantLock lock(String bridge) {
        return locks.computeIfAbsent(bridge, b -> new ReentrantLock());
    }

    /** Makes the bridge exist, carry its gateway addresses and be up; returns its index. */
    public int ensure(NetworkDefinition def, java.util.function.Consumer<String> repaired) {
        String name = def.bridgeName();
        Link link = host.link(name).orElse(null);
        if (link == null) {
            markCreated(name);
            try {
                // a fixed MAC: without one the bridge takes its lowest port's, which changes as pods come and go
                LinkOptions options = new LinkOptions(def.mtu(), KernelNames.bridgeMac(name), null, true);
                link = def.vlan() != null ? host.createVlanFilteringBridge(name, options) : host.createBridge(name, options);
                repaired.accept("bridge");
            } catch (NetlinkException e) {
                if (e.errno() == Errno.EOPNOTSUPP && def.vlan() != null) {
                    throw vlanUnsupported(def, e);
                }
                if (e.errno() != Errno.EEXIST) {
                    throw new SetupFailedException(Stage.NETWORKS, "BridgeCreateFailed",
                            "cannot create bridge " + name + " for network \"" + def.name() + "\": " + e.getMessage(), e);
                }
                link = host.link(name).orElseThrow(() -> e);
            }
        }
        if (!"bridge".equals(link.kind())) {
            throw new SetupFailedException(Stage.NETWORKS, "BridgeNameTaken", "link " + name + " of network \""
                    + def.name() + "\" exists but is a " + link.kind() + ", not a bridge", null);
        }
        if (def.vlan() != null && !link.vlanFiltering()) {
            try {
                host.setBridgeVlanFiltering(link.index(), true);
            } catch (NetlinkException e) {
                throw e.errno() == Errno.EOPNOTSUPP ? vlanUnsupported(def, e) : e;
            }
            repaired.accept("link");
        }
        ensureGatewayAddresses(def, link.index(), repaired);
        if (!link.isUp()) {
            host.setUp(link.index());
            repaired.accept("link");
        }
        return link.index();
    }

    private static SetupFailedException vlanUnsupported(NetworkDefinition def, NetlinkException e) {
        return new SetupFailedException(Stage.NETWORKS, "VlanFilteringUnsupported", "network \"" + def.name() + "\" has option vlan "
                + def.vlan() + ", but this kernel cannot filter VLANs on bridge " + def.bridgeName()
                + " (it was built without CONFIG_BRIDGE_VLAN_FILTERING): " + e.getMessage(), e);
    }

    private void ensureGatewayAddresses(NetworkDefinition def, int index, java.util.function.Consumer<String> repaired) {
        if (def.internal() && def.subnets().stream().allMatch(s -> s.gateway() == null)) {
            return;
        }
        var present = host.addresses(0, index).stream().map(Address::cidr).toList();
        for (Subnet s : def.subnets()) {
            if (s.gateway() == null) {
                continue;
            }
            Cidr gateway = Cidr.of(s.gateway(), s.subnet().prefixLength());
            if (present.contains(gateway)) {
                continue;
            }
            try {
                host.addAddress(index, gateway, gateway.isV4() ? 0 : RtnlConstants.IFA_F_NODAD);
                repaired.accept("address");
            } catch (NetlinkException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw new SetupFailedException(Stage.NETWORKS, "BridgeAddressFailed",
                            "cannot add gateway " + gateway + " to bridge " + def.bridgeName() + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Deletes the bridge when podnet created it and nothing is attached to it any more; true when it did. */
    public boolean removeIfUnused(String name) {
        Path marker = markers.resolve(name);
        if (!Files.exists(marker)) {
            return false;
        }
        Optional<Link> bridge = host.link(name);
        if (bridge.isPresent()) {
            int index = bridge.get().index();
            if (host.links().stream().anyMatch(l -> l.masterIndex() == index)) {
                return false;
            }
            host.deleteLink(index);
        }
        try {
            AtomicFile.deleteVolatile(marker);
        } catch (IOException e) {
            throw new IllegalStateException("cannot remove bridge marker " + marker + ": " + e.getMessage(), e);
        }
        return true;
    }

    private void markCreated(String name) {
        try {
            AtomicFile.writeVolatile(markers.resolve(name), new byte[0]);
        } catch (IOException e) {
            throw new SetupFailedException(Stage.NETWORKS, "StateWriteFailed",
                    "cannot record bridge " + name + " in " + markers + ": " + e.getMessage(), e);
        }
    }
}
