package io.podnet.testing;

import java.nio.file.Path;
import java.util.UUID;

import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;

/**
 * A fresh network namespace that plays the node's host namespace in a test: bridges, host-side
 * veths and firewall rules go there, so the machine's own network is never touched. It starts with
 * IPv4 forwarding off, as a node does, not with the machine's setting. Deleting it destroys
 * everything inside.
 */
public final class Sandbox implements AutoCloseable {
    public static final Path NETNS_DIR = Path.of("/run/netns");
    private final NetnsManager manager = new NetnsManager(NETNS_DIR);
    private final String name;
    private final Netns netns;

    public Sandbox() {
        this.name = "podnet-sandbox-" + UUID.randomUUID().toString().substring(0, 8);
        this.netns = manager.createOrOpen(name);
        netns.run(() -> {
            io.podnet.netlink.RtnlClient c = io.podnet.netlink.RtnlClient.open();
            try {
                c.link("lo").ifPresent(l -> c.setUp(l.index()));
            } finally {
                c.close();
            }
            // a new namespace copies the machine's IPv4 forwarding: start from a node that forwards nothing, whatever the machine does
            java.nio.file.Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "0");
            return null;
        });
    }

    public String name() {
        return name;
    }

    public Path path() {
        return netns.path();
    }

    public Netns netns() {
        return netns;
    }

    @Override
    public void close() {
        netns.close();
        manager.delete(name);
    }
}
