package io.podnet.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.podnet.sys.AtomicFile;

/**
 * A pod's resolv.conf, updated the way the seed's addNameserver and removeNameserver do: podnet's
 * previous nameservers, search domains and options are replaced by its current ones, and what
 * others added stays. Writers are serialized by a lock; the file is replaced atomically.
 */
public final class ResolvConfFile {
    private ResolvConfFile() {
    }

    public static void update(Path file, ResolvConf previous, ResolvConf current) throws IOException {
        FileLock.with(file, () -> {
            ResolvConf existing = Files.exists(file) ? ResolvConf.parse(Files.readString(file, StandardCharsets.UTF_8)) : ResolvConf.EMPTY;
            AtomicFile.writeVolatile(file, existing.replacing(previous, current).render().getBytes(StandardCharsets.UTF_8));
        });
    }

    /** The host's nameservers without loopback ones (unreachable from a pod), as podman does. */
    public static ResolvConf hostWithoutLoopback(Path hostResolvConf) {
        try {
            ResolvConf host = ResolvConf.parse(Files.readString(hostResolvConf, StandardCharsets.UTF_8));
            return new ResolvConf(host.nameservers().stream().filter(s -> !isLoopback(s)).toList(), host.searches(), host.options());
        } catch (IOException e) {
            return ResolvConf.EMPTY;
        }
    }

    static boolean isLoopback(String server) {
        return server.startsWith("127.") || server.equals("::1") || server.equals("0:0:0:0:0:0:0:1");
    }
}
