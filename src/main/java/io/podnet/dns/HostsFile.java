package io.podnet.dns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.podnet.sys.AtomicFile;
import io.podnet.sys.FileLock;

/**
 * A pod's hosts file, updated the way the seed's etchosts Add and Remove do: podnet removes the
 * entries it wrote before and adds the current ones; every other line (a runtime's, a user's)
 * is kept. Writers are serialized by a lock and the file is replaced atomically (not forced to
 * disk: it lives under the run dir, and a setup writes it again when it is missing).
 */
public final class HostsFile {
    static final List<HostEntry> DEFAULTS = List.of(
            new HostEntry("127.0.0.1", List.of("localhost")),
            new HostEntry("::1", List.of("localhost", "ip6-localhost", "ip6-loopback")));

    private HostsFile() {
    }

    /** Replaces the entries {@code previous} (podnet's, from its last write) with {@code current}. */
    public static void update(Path file, List<HostEntry> previous, List<HostEntry> current) throws IOException {
        FileLock.with(FileLock.lockFileOf(file), () -> {
            List<String> lines = Files.exists(file)
                    ? new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8))
                    : new ArrayList<>(DEFAULTS.stream().map(HostEntry::line).toList());
            String next = render(lines, previous, current);
            AtomicFile.writeVolatile(file, next.getBytes(StandardCharsets.UTF_8));
        });
    }

    static String render(List<String> existing, List<HostEntry> previous, List<HostEntry> current) {
        List<String> out = new ArrayList<>();
        List<HostEntry> present = new ArrayList<>();
        for (String line : existing) {
            HostEntry e = HostEntry.parse(line);
            if (e != null && (previous.contains(e) || current.contains(e))) {
                continue; // rewritten below, once
            }
            out.add(line);
            if (e != null) {
                present.add(e);
            }
        }
        for (HostEntry e : current) {
            if (!present.contains(e)) {
                out.add(e.line());
            }
        }
        return String.join("\n", out) + "\n";
    }
}
