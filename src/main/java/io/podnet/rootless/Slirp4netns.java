package io.podnet.rootless;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * slirp4netns, which does not fork. It gets {@code --ready-fd 3}, with fd 3 opened by a /bin/sh
 * wrapper on a file in the rootless dir; it writes "1" there once tap0 is configured. It is run
 * under {@code unshare --mount --propagation private}: with {@code --enable-sandbox} slirp4netns
 * changes its mounts, and in a mount namespace that still shares propagation with the host's
 * (slirp4netns PR 153, the seed's workaround) that unmounted every nsfs bind mount under the
 * host's /run/netns on this machine. The pid file is written by podnet. Options its --help does
 * not offer are left out, or refused when they matter.
 */
final class Slirp4netns implements EgressHelper {
    static final String READY_FILE = "helper.ready";

    List<String> arguments(HelperLaunch at, Set<String> features) {
        RootlessConfig config = at.config;
        List<String> args = new ArrayList<>(List.of("--configure", "--mtu", Integer.toString(config.mtu()),
                "--cidr", config.cidr().toString(), "--ready-fd", "3", "--netns-type=path"));
        if (features.contains("--enable-sandbox")) {
            args.add("--enable-sandbox");
        }
        if (features.contains("--enable-seccomp")) {
            args.add("--enable-seccomp");
        }
        if (!config.allowHostLoopback() && features.contains("--disable-host-loopback")) {
            args.add("--disable-host-loopback");
        }
        if (config.ipv6()) {
            args.add("--enable-ipv6");
        }
        args.add(at.netns.toString());
        args.add(RootlessConfig.TAP);
        return args;
    }

    @Override
    public int start(HelperLaunch at, Path binary, List<String> prefix) {
        Set<String> features = Binaries.features(binary);
        if (!features.contains("--netns-type") || !features.contains("--ready-fd")) {
            throw new RootlessException(RootlessException.HELPER_FAILED, binary
                    + " is too old: it has no --netns-type or --ready-fd; install slirp4netns 0.4 or later");
        }
        if (!at.config.allowHostLoopback() && !features.contains("--disable-host-loopback")) {
            throw new RootlessException(RootlessException.HELPER_FAILED,
                    binary + " cannot disable host loopback (no --disable-host-loopback): install slirp4netns 0.4 or later");
        }
        Path ready = at.dir.resolve(READY_FILE);
        List<String> full = new ArrayList<>(List.of("/bin/sh", "-c", "exec 3>\"$0\" && exec \"$@\"", ready.toString()));
        full.addAll(prefix);
        full.addAll(List.of(Binaries.tool("unshare"), "--mount", "--propagation", "private", "--"));
        full.add(binary.toString());
        full.addAll(arguments(at, features));
        Process p = at.launch(full);
        int pid = (int) p.pid();
        Reaper.adopt(p);
        try {
            at.pidFile.write(pid);
        } catch (IOException e) {
            Reaper.stop(pid);
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot write " + at.pidFile.path() + ": " + e.getMessage(), e);
        }
        at.awaitReady(p, "slirp4netns", () -> {
            try {
                return Files.readString(ready, StandardCharsets.US_ASCII).trim().equals("1");
            } catch (IOException e) {
                return false; // not created yet: the shell opens it first
            }
        });
        return pid;
    }
}
