package io.podnet.rootless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.podnet.inet.Protocol;

/**
 * Who holds a host port the forwarder could not bind, so the condition can name it: the sockets
 * of the calling thread's network namespace that are bound to the port (from
 * /proc/thread-self/net), and the processes whose descriptors point at them (pid and comm, from
 * /proc/PID/fd). Call it on a thread in the host namespace, where the bind failed.
 */
final class PortHolders {
    private static final Path PROC = Path.of("/proc");
    /** TCP_LISTEN in /proc/net/tcp: a socket only in TIME_WAIT holds nothing. */
    private static final String TCP_LISTEN = "0A";

    private PortHolders() {
    }

    /**
     * "pid 1234 (nc)" for each holder of the port; the socket's address ("a socket on
     * 0.0.0.0:8080") when no visible process has it open; empty when nothing is bound to it.
     */
    static List<String> of(Protocol protocol, int port) {
        Set<String> inodes = new LinkedHashSet<>();
        List<String> addresses = new ArrayList<>();
        String table = protocol == Protocol.UDP ? "udp" : "tcp";
        for (String file : List.of(table, table + "6")) {
            for (String line : lines(PROC.resolve("thread-self").resolve("net").resolve(file))) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 10 || !f[1].contains(":") || f[0].equals("sl")) {
                    continue;
                }
                String local = f[1];
                int colon = local.lastIndexOf(':');
                if (Integer.parseInt(local.substring(colon + 1), 16) != port || (protocol != Protocol.UDP && !f[3].equals(TCP_LISTEN))) {
                    continue;
                }
                inodes.add(f[9]);
                addresses.add(address(local.substring(0, colon)) + ":" + port);
            }
        }
        List<String> holders = new ArrayList<>();
        if (!inodes.isEmpty()) {
            processesWith(inodes, holders);
        }
        if (holders.isEmpty()) {
            addresses.forEach(a -> holders.add("a socket on " + a));
        }
        return holders;
    }

    private static void processesWith(Set<String> inodes, List<String> out) {
        try (Stream<Path> procs = Files.list(PROC)) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                if (holdsOne(proc.resolve("fd"), inodes)) {
                    out.add("pid " + proc.getFileName() + " (" + String.join("", lines(proc.resolve("comm"))).trim() + ")");
                }
            }
        } catch (IOException e) {
            // no process list: the address has to do
        }
    }

    private static boolean holdsOne(Path fds, Set<String> inodes) {
        try (Stream<Path> list = Files.list(fds)) {
            for (Path fd : list.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                        return true;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // the process ended, or its fds are not ours to read
        }
        return false;
    }

    /** The hex address of /proc/net/tcp (little-endian words) as text: "0.0.0.0", "::" or the IPv6 words. */
    private static String address(String hex) {
        if (hex.length() == 8) {
            long v = Long.parseLong(hex, 16);
            return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
        }
        return hex.chars().allMatch(c -> c == '0') ? "[::]" : "[" + hex + "]";
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
