package io.podnet.rootless;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import io.podnet.sys.AtomicFile;

/**
 * The helper's pid file, and whether a pid is really the helper of a rootless netns: a pid file
 * is trusted only when /proc says the process is alive (not a zombie), its executable is the
 * helper's, and its command line names the rootless netns' path.
 */
final class HelperPidFile {
    static final String NAME = "helper.pid";

    private final Path file;

    HelperPidFile(Path dir) {
        this.file = dir.resolve(NAME);
    }

    Path path() {
        return file;
    }

    /** The pid the file names, if it holds a plausible one. */
    OptionalInt recorded() {
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (text.isEmpty() || text.length() > 10 || !text.chars().allMatch(Character::isDigit)) {
                return OptionalInt.empty();
            }
            int pid = Integer.parseInt(text);
            return pid > 0 ? OptionalInt.of(pid) : OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    void write(int pid) throws IOException {
        AtomicFile.write(file, (pid + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    void delete() throws IOException {
        Files.deleteIfExists(file);
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
}
