package io.podnet.rootless;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import io.podnet.dns.ResolvConfFile;
import io.podnet.inet.IpAddresses;
import io.podnet.sys.AtomicFile;

/**
 * resolv.conf for the rootless netns: where to bind it in the private mount namespace, and what
 * to put in it.
 */
public final class RootlessResolvConf {
    /** The file every resolver reads. */
    public static final String ETC_RESOLV_CONF = "/etc/resolv.conf";
    /** After this many links the walk gives up (a loop, or a chain no one means). */
    public static final int MAX_LINKS = 255;

    private RootlessResolvConf() {
    }

    /**
     * The path the rootless netns' resolv.conf must be bound over so that {@code path} shows it
     * inside the private mount namespace, where /run is replaced by the rootless dir's own run
     * directory.
     *
     * <p>The kernel follows symbolic links before it mounts, so a bind over /etc/resolv.conf lands
     * on its target. Every component is checked, not only the last (podman #12461), and the walk
     * stops at the first path under /run (podman #10855): that path is created in the empty new
     * /run, while later links there (systemd-resolved's stub-resolv.conf pointing on to
     * resolv.conf) would not exist in it (podman #11222). Links are joined lexically, as
     * podman does.
     *
     * @param root the directory playing "/" (the real root, or a temporary tree in tests);
     *             absolute link targets are taken relative to it
     * @param path an absolute path, normally {@link #ETC_RESOLV_CONF}
     * @return an absolute, clean path as seen from {@code root}: {@code path} itself when no
     *         component is a link, else the first target under /run, or the final target
     * @throws IOException when a component does not exist, or after {@link #MAX_LINKS} links
     */
    public static String bindTarget(Path root, String path) throws IOException {
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path: " + path);
        }
        String current = clean(path);
        int links = 0;
        walk:
        while (true) {
            List<String> components = components(current);
            StringBuilder prefix = new StringBuilder();
            for (int k = 0; k < components.size(); k++) {
                prefix.append('/').append(components.get(k));
                Path onDisk = onRoot(root, prefix.toString());
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(onDisk, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    throw new IOException("cannot resolve " + path + ": " + prefix + " does not exist", e);
                }
                if (!attributes.isSymbolicLink()) {
                    continue;
                }
                String target = Files.readSymbolicLink(onDisk).toString();
                links++;
                String rest = String.join("/", components.subList(k + 1, components.size()));
                String base = target.startsWith("/") ? target : parent(prefix.toString()) + "/" + target;
                current = clean(rest.isEmpty() ? base : base + "/" + rest);
                if (current.startsWith("/run/")) {
                    return current;
                }
                if (links >= MAX_LINKS) {
                    throw new IOException("too many symbolic links (" + MAX_LINKS + ") while resolving " + path);
                }
                continue walk;
            }
            return current;
        }
    }

    private static Path onRoot(Path root, String absolute) {
        return absolute.equals("/") ? root : root.resolve(absolute.substring(1));
    }

    private static String parent(String absolute) {
        int slash = absolute.lastIndexOf('/');
        return slash <= 0 ? "/" : absolute.substring(0, slash);
    }

    private static List<String> components(String absolute) {
        List<String> out = new ArrayList<>();
        for (String c : absolute.split("/")) {
            if (!c.isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    /** Lexical cleaning as Go's filepath.Clean for absolute paths: no ".", "..", or "//". */
    static String clean(String absolute) {
        Deque<String> out = new ArrayDeque<>();
        for (String c : absolute.split("/")) {
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                out.pollLast();
            } else {
                out.addLast(c);
            }
        }
        return "/" + String.join("/", out);
    }

    /**
     * The rootless netns' resolv.conf: the helper's DNS forwarder first, then the host's
     * nameservers that can be reached from the rootless netns (not the loopback ones: 127.0.0.0/8
     * and ::1 are the netns' own; not IPv6 ones when IPv6 is off), each once. The host's
     * {@code search}, {@code domain} and {@code options} lines are kept as they are; comments and
     * anything else are dropped.
     *
     * <p>glibc reads only the first three nameservers; the helper's comes first so it is always
     * one of them (it forwards to the host's resolver, which may be a loopback stub such as
     * systemd-resolved's 127.0.0.53).
     */
    public static String render(String hostResolvConf, List<InetAddress> helperNameservers, boolean ipv6) {
        List<String> kept = new ArrayList<>();
        Set<String> nameservers = new LinkedHashSet<>();
        for (InetAddress a : helperNameservers) {
            nameservers.add(IpAddresses.format(a));
        }
        for (String raw : hostResolvConf.split("\n")) {
            String line = raw.strip();
            String[] words = line.split("\\s+");
            switch (words[0]) {
                case "nameserver" -> {
                    if (words.length >= 2) {
                        ResolvConfFile.reachableFromPod(words[1], ipv6).ifPresent(nameservers::add);
                    }
                }
                case "search", "domain", "options" -> kept.add(String.join(" ", words));
                default -> {
                    // comments, sortlist, blank lines: not needed in the rootless netns
                }
            }
        }
        StringBuilder sb = new StringBuilder("# Generated by podnet for the rootless network namespace\n");
        kept.forEach(l -> sb.append(l).append('\n'));
        nameservers.forEach(n -> sb.append("nameserver ").append(n).append('\n'));
        return sb.toString();
    }

    /**
     * Writes the rootless netns' resolv.conf from the host's current one (an unreadable host file
     * counts as empty); left alone when it already says that.
     */
    static void writeFor(RootlessConfig config, Path target) throws IOException {
        String host;
        try {
            host = Files.readString(Path.of(ETC_RESOLV_CONF), StandardCharsets.UTF_8);
        } catch (IOException e) {
            host = "";
        }
        byte[] content = render(host, List.of(config.dns()), config.ipv6()).getBytes(StandardCharsets.UTF_8);
        if (Files.exists(target) && Arrays.equals(Files.readAllBytes(target), content)) {
            return;
        }
        AtomicFile.write(target, content);
    }
}
