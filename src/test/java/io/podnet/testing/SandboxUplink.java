package io.podnet.testing;

/**
 * Gives a sandbox what a node has and pasta needs: a non-loopback interface with an address and
 * a default route (pasta refuses to start with "External interface not usable" otherwise). A
 * veth pair with both ends in the sandbox (this kernel has no dummy links), uplink0 on
 * TEST-NET-1 (192.0.2.1/24, default via 192.0.2.254): nothing leaves the sandbox through it.
 */
public final class SandboxUplink {
    public static final String NAME = "uplink0";

    private SandboxUplink() {
    }

    public static Sandbox add(Sandbox sandbox) {
        Shell.ok("ip", "-n", sandbox.name(), "link", "add", NAME, "type", "veth", "peer", "name", NAME + "p");
        Shell.ok("ip", "-n", sandbox.name(), "link", "set", NAME + "p", "up");
        Shell.ok("ip", "-n", sandbox.name(), "addr", "add", "192.0.2.1/24", "dev", NAME);
        Shell.ok("ip", "-n", sandbox.name(), "link", "set", NAME, "up");
        Shell.ok("ip", "-n", sandbox.name(), "route", "add", "default", "via", "192.0.2.254", "dev", NAME);
        return sandbox;
    }
}
