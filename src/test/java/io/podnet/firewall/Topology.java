package io.podnet.firewall;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.podnet.netns.Netns;
import io.podnet.netns.NetnsManager;
import io.podnet.testing.Sandbox;
import io.podnet.testing.Shell;

/**
 * A node in miniature, built by hand with ip(8): a sandbox namespace playing the host, with
 * bridge podnet0 (10.89.0.1/24, fd00:89::1/64) for pods, and an uplink veth up0
 * (198.51.100.1/24, 2001:db8:1::1/64) to a client namespace playing the outside
 * (198.51.100.2, 2001:db8:1::2). Pods get a veth on the bridge, an address and a default route.
 * Everything lives in namespaces named podnet-test-*, deleted by {@link #close}.
 */
final class Topology implements AutoCloseable {
    static final String BRIDGE = "podnet0";
    static final String HOST_V4 = "198.51.100.1";
    static final String HOST_V6 = "2001:db8:1::1";
    static final String CLIENT_V4 = "198.51.100.2";
    static final String GATEWAY_V4 = "10.89.0.1";

    private final NetnsManager manager = new NetnsManager(Sandbox.NETNS_DIR);
    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final List<String> owned = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();
    final Sandbox host;
    final Netns client;

    Topology() {
        host = new Sandbox();
        try {
            client = namespace("out");
            String h = host.name();
            ip(h, "link", "add", "up0", "type", "veth", "peer", "name", "eth0", "netns", client.path().toString());
            ip(h, "addr", "add", HOST_V4 + "/24", "dev", "up0");
            ip(h, "addr", "add", HOST_V6 + "/64", "dev", "up0", "nodad");
            ip(h, "link", "set", "up0", "up");
            String c = nsName("out");
            ip(c, "link", "set", "lo", "up");
            ip(c, "addr", "add", CLIENT_V4 + "/24", "dev", "eth0");
            ip(c, "addr", "add", "2001:db8:1::2/64", "dev", "eth0", "nodad");
            ip(c, "link", "set", "eth0", "up");
            bridge(BRIDGE, "10.89.0.1/24", "fd00:89::1/64");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A bridge in the host with these gateway addresses. */
    void bridge(String name, String... gateways) {
        ip(host.name(), "link", "add", name, "type", "bridge");
        for (String g : gateways) {
            if (g.contains(":")) {
                ip(host.name(), "addr", "add", g, "dev", name, "nodad");
            } else {
                ip(host.name(), "addr", "add", g, "dev", name);
            }
        }
        ip(host.name(), "link", "set", name, "up");
    }

    /** A pod on podnet0 with these addresses (IPv4 and optionally IPv6). */
    Netns pod(String name, String v4, String v6) {
        return pod(name, BRIDGE, v4 + "/24", GATEWAY_V4, v6 == null ? null : v6 + "/64", v6 == null ? null : "fd00:89::1");
    }

    Netns pod(String name, String bridge, String v4, String gateway4, String v6, String gateway6) {
        Netns ns = namespace(name);
        String p = nsName(name);
        String veth = "pn" + name;
        ip(host.name(), "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns.path().toString());
        ip(host.name(), "link", "set", veth, "master", bridge, "up");
        // hairpin mode, as the CNI bridge plugin's hairpinMode and the engine's attach must set it:
        // without it a pod's packets to its own host port, DNATed back to itself, are lost
        ip(host.name(), "link", "set", veth, "type", "bridge_slave", "hairpin", "on");
        ip(p, "link", "set", "lo", "up");
        ip(p, "addr", "add", v4, "dev", "eth0");
        if (v6 != null) {
            ip(p, "addr", "add", v6, "dev", "eth0", "nodad");
        }
        ip(p, "link", "set", "eth0", "up");
        ip(p, "route", "add", "default", "via", gateway4);
        if (gateway6 != null) {
            ip(p, "-6", "route", "add", "default", "via", gateway6);
        }
        return ns;
    }

    String nsName(String name) {
        return "podnet-test-" + id + "-" + name;
    }

    Path hostPath() {
        return host.path();
    }

    /** Closed before the namespaces go. */
    <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    /** Runs nft inside the host namespace. */
    Shell.Result nft(String... args) {
        String[] cmd = new String[5 + args.length];
        cmd[0] = "ip";
        cmd[1] = "netns";
        cmd[2] = "exec";
        cmd[3] = host.name();
        cmd[4] = "nft";
        System.arraycopy(args, 0, cmd, 5, args.length);
        return Shell.run(cmd);
    }

    String hostSysctl(String path) {
        return Shell.ok("ip", "netns", "exec", host.name(), "cat", "/proc/sys/" + path).trim();
    }

    private Netns namespace(String name) {
        Netns ns = manager.createOrOpen(nsName(name));
        owned.add(nsName(name));
        return ns;
    }

    private static void ip(String netns, String... args) {
        String[] cmd = new String[3 + args.length];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = netns;
        System.arraycopy(args, 0, cmd, 3, args.length);
        Shell.ok(cmd);
    }

    @Override
    public void close() {
        for (AutoCloseable c : closeables) {
            try {
                c.close();
            } catch (Exception ignored) {
                // best effort: the namespaces go anyway
            }
        }
        for (String name : owned) {
            manager.delete(name);
        }
        host.close();
    }
}
