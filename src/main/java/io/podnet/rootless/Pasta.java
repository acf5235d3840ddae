package io.podnet.rootless;

import io.podnet.sys.ProcessIdentity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.podnet.inet.IpAddresses;

/**
 * pasta, started with {@code --foreground}, so it stays a child of the JVM and the JDK reaps it
 * the moment it dies (daemonized, it would be reparented to init, and be left a zombie when the
 * JVM is PID 1 of its container). Its ready signal is its pid file: pasta configures tap0, the
 * address, the default route and the MTU in the namespace and only then writes the pid file (in
 * the background mode the parent writes it at the same point, just before it exits 0). Exiting
 * before the pid file is written is a failure, with pasta's message in the log.
 *
 * <p>pasta is given {@code --runas 0} when podnet runs as root: pasta 2023-03-09 otherwise
 * changes to "nobody" before it joins the namespace and fails with "Couldn't switch to pasta
 * namespaces" (it still drops its capabilities except CAP_NET_BIND_SERVICE and CAP_SYS_ADMIN,
 * enters an empty mount namespace and applies seccomp).
 */
final class Pasta implements EgressHelper {
    static final String LOG_FILE = "pasta.log";

    List<String> arguments(HelperLaunch at) {
        RootlessConfig config = at.config;
        List<String> args = new ArrayList<>(List.of("--config-net", "--foreground", "--netns", at.netns.toString()));
        if (ProcessIdentity.isRoot()) {
            args.addAll(List.of("--runas", "0"));
        }
        args.addAll(List.of("--pid", at.pidFile.path().toString(), "--log-file", at.dir.resolve(LOG_FILE).toString(),
                "--address", IpAddresses.format(config.address()),
                "--netmask", Integer.toString(config.cidr().prefixLength()),
                "--gateway", IpAddresses.format(config.gateway()),
                "--dns-forward", IpAddresses.format(config.dns()),
                "--ns-ifname", RootlessConfig.TAP,
                "--mtu", Integer.toString(config.mtu()),
                // no automatic port forwarding in either direction: ports go through podnet's forwarder
                "-t", "none", "-u", "none", "-T", "none", "-U", "none"));
        if (!config.ipv6()) {
            args.add("--ipv4-only");
        }
        if (!config.allowHostLoopback()) {
            // pasta maps the gateway address to the host's loopback unless told not to
            args.add("--no-map-gw");
        }
        return args;
    }

    @Override
    public int start(HelperLaunch at, Path binary, List<String> prefix) {
        List<String> command = new ArrayList<>(prefix);
        command.add(binary.toString());
        command.addAll(arguments(at));
        Process p = at.launch(command);
        int pid = (int) p.pid();
        Reaper.adopt(p);
        // pasta writes the pid file right after it has configured the namespace
        at.awaitReady(p, "pasta", () -> at.pidFile.recorded().isPresent());
        int written = at.pidFile.recorded().getAsInt();
        if (written != pid) {
            Reaper.stop(pid);
            throw at.failed("pasta wrote pid " + written + " but runs as " + pid, null);
        }
        return pid;
    }

}
