package io.podnet.rootless;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.podnet.inet.IpAddresses;
import io.podnet.sys.AtomicFile;
import io.podnet.sys.Sys;

/**
 * Starts, recognises and stops the egress helper of one rootless netns.
 *
 * <p>The helper runs in the host namespace the rootless netns was given: through
 * {@code nsenter --net=<host netns>} when one is configured, else directly. It is started from
 * the calling thread, which must be in the agent's own namespaces (a process forked from a
 * thread that switched namespaces would inherit them).
 *
 * <p><b>pasta</b> is started with {@code --foreground}, so it stays a child of the JVM and the
 * JDK reaps it the moment it dies (daemonized, it would be reparented to init, and be left a
 * zombie when the JVM is PID 1 of its container). Its ready signal is its pid file: pasta
 * configures tap0, the address, the default route and the MTU in the namespace and only then
 * writes the pid file (in the background mode the parent writes it at the same point, just
 * before it exits 0). Exiting before the pid file is written is a failure, with pasta's message
 * in the log. pasta is given {@code --runas 0} when podnet runs as
 * root: pasta 2023-03-09 otherwise changes to "nobody" before it joins the namespace and fails
 * with "Couldn't switch to pasta namespaces" (it still drops its capabilities except
 * CAP_NET_BIND_SERVICE and CAP_SYS_ADMIN, enters an empty mount namespace and applies seccomp).
 *
 * <p><b>slirp4netns</b> does not fork. It gets {@code --ready-fd 3}, with fd 3 opened by a
 * /bin/sh wrapper on a file in the rootless dir; it writes "1" there once tap0 is configured.
 * It is run under {@code unshare --mount --propagation private}: with {@code --enable-sandbox}
 * slirp4netns changes its mounts, and in a mount namespace that still shares propagation with
 * the host's (slirp4netns PR 153, the seed's workaround) that unmounted every nsfs bind mount
 * under the host's /run/netns on this machine. The pid file is written by podnet.
 *
 * <p>Both run in a session of their own (setsid), so they outlive the agent and are adopted by
 * the next one.
 *
 * <p>A pid file is trusted only when /proc says the process is alive (not a zombie), its
 * executable is the helper's, and its command line names this rootless netns' path.
 */
final class HelperProcess {
    static final String PID_FILE = "helper.pid";
    static final String LOG_FILE = "helper.log";
    static final String PASTA_LOG_FILE = "pasta.log";
    static final String READY_FILE = "helper.ready";

    private static final long READY_TIMEOUT_MS = 15_000;
    private static final long STOP_TIMEOUT_MS = 3_000;
    private static final Map<Path, String> HELP = new ConcurrentHashMap<>();
    /** Helpers this JVM started and still holds (slirp4netns): the JDK reaps them. */
    private static final Map<Integer, Process> CHILDREN = new ConcurrentHashMap<>();

    private final RootlessConfig config;
    private final Path dir;
    private final Path netns;
    private final Path hostNetns;
    private final Path binaryOverride;

    HelperProcess(RootlessConfig config, Path dir, Path netns, Path hostNetns, Path binaryOverride) {
        this.config = config;
        this.dir = dir;
        this.netns = netns;
        this.hostNetns = hostNetns;
        this.binaryOverride = binaryOverride;
    }

    Path pidFile() {
        return dir.resolve(PID_FILE);
    }

    Path logFile() {
        return dir.resolve(LOG_FILE);
    }

    /** The pid of the running helper of this rootless netns, if the pid file names one. */
    OptionalInt runningPid() {
        OptionalInt pid = recordedPid();
        if (pid.isPresent() && isHelper(pid.getAsInt(), config.helper(), netns)) {
            return pid;
        }
        if (pid.isPresent()) {
            reapOrphan(pid.getAsInt());
        }
        return OptionalInt.empty();
    }

    /**
     * A dead helper this JVM did not start (adopted after a restart) is a zombie of init, or of
     * this JVM when it is PID 1 of a container or a subreaper: then only we can reap it. A pid
     * the JDK started is left to the JDK, and only a zombie whose parent is this JVM is reaped.
     */
    private static void reapOrphan(int pid) {
        Process mine = CHILDREN.get(pid);
        if (mine != null) {
            if (!mine.isAlive()) {
                CHILDREN.remove(pid);
            }
            return;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"), StandardCharsets.US_ASCII);
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            if (after[0].equals("Z") && Integer.parseInt(after[1]) == Sys.getpid()) {
                Sys.reapIfChild(pid);
            }
        } catch (IOException | RuntimeException e) {
            // gone already
        }
    }

    private OptionalInt recordedPid() {
        try {
            String text = Files.readString(pidFile(), StandardCharsets.US_ASCII).trim();
            if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(Character::isDigit)) {
                return OptionalInt.empty();
            }
            int pid = Integer.parseInt(text);
            return pid > 0 ? OptionalInt.of(pid) : OptionalInt.empty();
        } catch (NoSuchFileException e) {
            return OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    /**
     * True when {@code pid} is a live (not zombie) process whose executable is one of the
     * helper's and whose command line has {@code netns} as an argument.
     */
    static boolean isHelper(int pid, Helper helper, Path netns) {
        Path proc = Path.of("/proc", Integer.toString(pid));
        try {
            String stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')');
            if (close < 0 || close + 2 >= stat.length()) {
                return false;
            }
            char state = stat.charAt(close + 2);
            if (state == 'Z' || state == 'X' || state == 'x') {
                return false;
            }
            String exe = Files.readSymbolicLink(proc.resolve("exe")).getFileName().toString();
            if (exe.endsWith(" (deleted)")) {
                exe = exe.substring(0, exe.length() - " (deleted)".length());
            }
            if (!helper.isExecutableName(exe)) {
                return false;
            }
            byte[] cmdline = Files.readAllBytes(proc.resolve("cmdline"));
            String wanted = netns.toString();
            for (String arg : new String(cmdline, StandardCharsets.UTF_8).split("\0")) {
                if (arg.equals(wanted)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the process exists and is not a zombie, whatever it is. */
    static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')');
            char state = stat.charAt(close + 2);
            return state != 'Z' && state != 'X' && state != 'x';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Stops the recorded helper if it is really this netns' helper; removes the pid file. */
    void stopRecorded() {
        OptionalInt pid = recordedPid();
        if (pid.isPresent() && isHelper(pid.getAsInt(), config.helper(), netns)) {
            stop(pid.getAsInt());
        } else if (pid.isPresent()) {
            reapOrphan(pid.getAsInt());
        }
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot remove " + pidFile() + ": " + e.getMessage(), e);
        }
    }

    /** SIGTERM, then SIGKILL after a grace period; waits until the process is gone or a zombie and reaps it when it can. */
    static void stop(int pid) {
        Process child = CHILDREN.remove(pid);
        if (!Sys.kill(pid, Sys.SIGTERM)) {
            return;
        }
        if (waitGone(pid, child, STOP_TIMEOUT_MS)) {
            return;
        }
        Sys.kill(pid, Sys.SIGKILL);
        if (!waitGone(pid, child, STOP_TIMEOUT_MS)) {
            throw new RootlessException(RootlessException.HELPER_FAILED, "helper process " + pid + " did not exit after SIGKILL");
        }
    }

    private static boolean waitGone(int pid, Process child, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline) {
            if (child != null) {
                try {
                    if (child.waitFor(10, TimeUnit.MILLISECONDS)) {
                        return true;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                continue;
            }
            reapOrphan(pid);
            if (!alive(pid)) {
                return true;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Starts the helper and waits until it is ready; returns its pid. */
    int start() {
        Path binary = binary();
        List<String> command = new ArrayList<>();
        // its own session and process group, as the seed's Setpgid: a signal to the agent's
        // group (Ctrl-C on a terminal) does not take the helper down; a restarted agent adopts it.
        // setsid does not fork here (a child of the JVM is no group leader), so the pid stays.
        command.add(tool("setsid"));
        if (hostNetns != null) {
            command.addAll(List.of(tool("nsenter"), "--net=" + hostNetns, "--"));
        }
        try {
            Files.deleteIfExists(pidFile());
            Files.deleteIfExists(dir.resolve(READY_FILE));
        } catch (IOException e) {
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot prepare " + dir + ": " + e.getMessage(), e);
        }
        appendLog("starting " + config.helper().binary() + " for " + netns + (hostNetns == null ? "" : " from host netns " + hostNetns));
        return switch (config.helper()) {
            case PASTA -> startPasta(binary, command);
            case SLIRP4NETNS -> startSlirp4netns(binary, command);
        };
    }

    List<String> pastaArguments() {
        List<String> args = new ArrayList<>(List.of("--config-net", "--foreground", "--netns", netns.toString()));
        if (isRoot()) {
            args.addAll(List.of("--runas", "0"));
        }
        args.addAll(List.of("--pid", pidFile().toString(), "--log-file", dir.resolve(PASTA_LOG_FILE).toString(),
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

    private int startPasta(Path binary, List<String> command) {
        command.add(binary.toString());
        command.addAll(pastaArguments());
        Process p = launch(command);
        int pid = (int) p.pid();
        CHILDREN.put(pid, p);
        // pasta writes the pid file right after it has configured the namespace
        awaitReady(p, "pasta", () -> recordedPid().isPresent());
        if (recordedPid().getAsInt() != pid) {
            stop(pid);
            throw failed("pasta wrote pid " + recordedPid().getAsInt() + " but runs as " + pid, null);
        }
        return pid;
    }

    /** Polls {@code ready} every 5 ms until it holds, the process exits, or the timeout passes. */
    private void awaitReady(Process p, String name, java.util.function.BooleanSupplier ready) {
        int pid = (int) p.pid();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
        while (true) {
            if (ready.getAsBoolean()) {
                return;
            }
            if (!p.isAlive()) {
                CHILDREN.remove(pid);
                throw failed(name + " exited with status " + p.exitValue() + " before it was ready", null);
            }
            if (System.nanoTime() > deadline) {
                stop(pid);
                throw failed(name + " was not ready within " + READY_TIMEOUT_MS + " ms", null);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(pid);
                throw failed("interrupted while waiting for " + name, e);
            }
        }
    }

    List<String> slirp4netnsArguments(Set<String> features) {
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
        args.add(netns.toString());
        args.add(RootlessConfig.TAP);
        return args;
    }

    private int startSlirp4netns(Path binary, List<String> command) {
        Set<String> features = features(binary);
        if (!features.contains("--netns-type") || !features.contains("--ready-fd")) {
            throw new RootlessException(RootlessException.HELPER_FAILED, binary
                    + " is too old: it has no --netns-type or --ready-fd; install slirp4netns 0.4 or later");
        }
        if (config.allowHostLoopback() == false && !features.contains("--disable-host-loopback")) {
            throw new RootlessException(RootlessException.HELPER_FAILED,
                    binary + " cannot disable host loopback (no --disable-host-loopback): install slirp4netns 0.4 or later");
        }
        Path ready = dir.resolve(READY_FILE);
        List<String> full = new ArrayList<>(List.of("/bin/sh", "-c", "exec 3>\"$0\" && exec \"$@\"", ready.toString()));
        full.addAll(command);
        full.addAll(List.of(tool("unshare"), "--mount", "--propagation", "private", "--"));
        full.add(binary.toString());
        full.addAll(slirp4netnsArguments(features));
        Process p = launch(full);
        int pid = (int) p.pid();
        CHILDREN.put(pid, p);
        try {
            AtomicFile.write(pidFile(), (pid + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            stop(pid);
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot write " + pidFile() + ": " + e.getMessage(), e);
        }
        awaitReady(p, "slirp4netns", () -> {
            try {
                return Files.readString(ready, StandardCharsets.US_ASCII).trim().equals("1");
            } catch (IOException e) {
                return false; // not created yet: the shell opens it first
            }
        });
        return pid;
    }

    private Process launch(List<String> command) {
        appendLog("command: " + String.join(" ", command));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile().toFile()));
        try {
            return pb.start();
        } catch (IOException e) {
            throw failed("cannot start " + command.get(0) + ": " + e.getMessage(), e);
        }
    }

    private RootlessException failed(String what, Throwable cause) {
        return new RootlessException(RootlessException.HELPER_FAILED, what + "; log: " + logTail(), cause);
    }

    /** The last lines of the helper's logs, for error messages. */
    String logTail() {
        StringBuilder sb = new StringBuilder();
        for (Path log : List.of(logFile(), dir.resolve(PASTA_LOG_FILE))) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                lines.removeIf(l -> l.isBlank() || l.startsWith("Failed to send") || l.startsWith("command: "));
                int from = Math.max(0, lines.size() - 6);
                for (String l : lines.subList(from, lines.size())) {
                    sb.append(sb.length() == 0 ? "" : " | ").append(l.strip());
                }
            } catch (IOException e) {
                // no such log
            }
        }
        return sb.length() == 0 ? "(empty)" : sb.toString();
    }

    private void appendLog(String line) {
        try {
            Files.writeString(logFile(), "podnet: " + line + "\n", StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log is for people; a failure to write it must not stop the helper
        }
    }

    /** The helper binary: the override, or the first one on the PATH. */
    Path binary() {
        if (binaryOverride != null) {
            if (!Files.isExecutable(binaryOverride)) {
                throw missing(config.helper().binary(), config.helper().debianPackage(), binaryOverride.toString());
            }
            return binaryOverride;
        }
        return which(config.helper().binary()).orElseThrow(
                () -> missing(config.helper().binary(), config.helper().debianPackage(), "PATH"));
    }

    private static String tool(String name) {
        return which(name).orElseThrow(() -> missing(name, "util-linux", "PATH")).toString();
    }

    private static RootlessException missing(String binary, String pkg, String where) {
        return new RootlessException(RootlessException.HELPER_MISSING, binary + " is not installed (not found in " + where
                + "): install the Debian package " + pkg + " (apt-get install " + pkg + ")");
    }

    static java.util.Optional<Path> which(String name) {
        Set<String> dirs = new LinkedHashSet<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(":")));
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return java.util.Optional.of(p);
            }
        }
        return java.util.Optional.empty();
    }

    /** The long options a binary's --help mentions (probed once per binary). */
    static Set<String> features(Path binary) {
        String help = HELP.computeIfAbsent(binary, b -> {
            try {
                Process p = new ProcessBuilder(b.toString(), "--help").redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
                byte[] out = p.getInputStream().readAllBytes();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
                return new String(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "";
            }
        });
        Set<String> options = new LinkedHashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("--[a-z0-9][a-z0-9-]*").matcher(help);
        while (m.find()) {
            options.add(m.group());
        }
        return options;
    }

    private static boolean isRoot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("Uid:"))
                    .anyMatch(l -> l.split("\\s+")[2].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }
}
