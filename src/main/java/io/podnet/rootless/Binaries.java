package io.podnet.rootless;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finding the programs the helpers need, and what options they offer. */
final class Binaries {
    private static final Map<Path, String> HELP = new ConcurrentHashMap<>();

    private Binaries() {
    }

    /** The helper binary: the override, or the first one on the PATH. */
    static Path helper(Helper helper, Path override) {
        if (override != null) {
            if (!Files.isExecutable(override)) {
                throw missing(helper.binary(), helper.debianPackage(), override.toString());
            }
            return override;
        }
        return which(helper.binary()).orElseThrow(() -> missing(helper.binary(), helper.debianPackage(), "PATH"));
    }

    /** A util-linux tool (setsid, nsenter, unshare) as an absolute path. */
    static String tool(String name) {
        return which(name).orElseThrow(() -> missing(name, "util-linux", "PATH")).toString();
    }

    private static RootlessException missing(String binary, String pkg, String where) {
        return new RootlessException(RootlessException.HELPER_MISSING, binary + " is not installed (not found in " + where
                + "): install the Debian package " + pkg + " (apt-get install " + pkg + ")");
    }

    /** The PATH, then the usual system directories (an agent's PATH may be minimal). */
    static Optional<Path> which(String name) {
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
                return Optional.of(p);
            }
        }
        return Optional.empty();
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
        Matcher m = Pattern.compile("--[a-z0-9][a-z0-9-]*").matcher(help);
        while (m.find()) {
            options.add(m.group());
        }
        return options;
    }
}
