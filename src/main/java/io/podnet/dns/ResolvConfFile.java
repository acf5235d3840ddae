package io.podnet.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.podnet.inet.IpAddresses;

import io.podnet.sys.AtomicFile;
import io.podnet.sys.FileLock;

/**
 * A pod's resolv.conf, updated the way the seed's addNameserver and removeNameserver do: podnet's
 * previous nameservers, search domains and options are replaced by its current ones, and what
 * others added stays. Writers are serialized by a lock; the file is replaced atomically.
 */
public final class ResolvConfFile {
    private ResolvConfFile() {
    }

    public static void update(Path file, ResolvConf previous, ResolvConf current) throws IOException {
        FileLock.with(FileLock.lockFileOf(file), () -> {
            ResolvConf existing = Files.exists(file) ? ResolvConf.parse(Files.readString(file, StandardCharsets.UTF_8)) : ResolvConf.EMPTY;
            AtomicFile.writeVolatile(file, existing.replacing(previous, current).render().getBytes(StandardCharsets.UTF_8));
        });
    }

    /**
     * The host's nameservers a pod can reach, as podman keeps them: no loopback or unspecified
     * address, no link-local IPv6 one (it works only on the host's own link); zone ids dropped.
     */
    public static ResolvConf hostForPods(Path hostResolvConf) {
        try {
            ResolvConf host = ResolvConf.parse(Files.readString(hostResolvConf, StandardCharsets.UTF_8));
            List<String> servers = new ArrayList<>();
            host.nameservers().forEach(s -> reachableFromPod(s, true).ifPresent(servers::add));
            return new ResolvConf(servers, host.searches(), host.options());
        } catch (IOException e) {
            return ResolvConf.EMPTY;
        }
    }

    /**
     * A nameserver of the host as a pod would use it, or empty when a pod cannot reach it.
     *
     * @param ipv6 false when the pod has no IPv6 route out: IPv6 servers are left out then
     */
    public static Optional<String> reachableFromPod(String server, boolean ipv6) {
        int zone = server.indexOf('%');
        InetAddress a;
        try {
            a = IpAddresses.parse(zone >= 0 ? server.substring(0, zone) : server);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return Optional.empty();
        }
        if (!IpAddresses.isV4(a) && (!ipv6 || a.isLinkLocalAddress())) {
            return Optional.empty();
        }
        return Optional.of(IpAddresses.format(a));
    }
}
