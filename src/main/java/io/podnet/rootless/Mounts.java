package io.podnet.rootless;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.podnet.sys.Errno;
import io.podnet.sys.Sys;
import io.podnet.sys.SyscallException;

/** Mount points as the calling process sees them (/proc/self/mountinfo). */
final class Mounts {
    private Mounts() {
    }

    /** Mount points at or below {@code dir}, deepest first. */
    static List<Path> atOrBelow(Path dir) {
        Path base = dir.toAbsolutePath().normalize();
        List<Path> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length < 5) {
                    continue;
                }
                Path p = Path.of(unescape(f[4]));
                if (p.startsWith(base)) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new RootlessException(RootlessException.NETNS_FAILED, "cannot read /proc/self/mountinfo: " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        return out;
    }

    /** Detaches every mount at or below {@code dir} (stacked ones too). */
    static void unmountAll(Path dir) {
        for (int round = 0; round < 16; round++) {
            List<Path> mounts = atOrBelow(dir);
            if (mounts.isEmpty()) {
                return;
            }
            for (Path m : mounts) {
                try {
                    Sys.umount(m.toString(), Sys.MNT_DETACH);
                } catch (SyscallException e) {
                    if (!e.is(Errno.EINVAL) && !e.is(Errno.ENOENT)) {
                        throw new RootlessException(RootlessException.NETNS_FAILED, "cannot unmount " + m + ": " + e.getMessage(), e);
                    }
                }
            }
        }
        throw new RootlessException(RootlessException.NETNS_FAILED, "mounts below " + dir + " keep coming back: " + atOrBelow(dir));
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) {
            return false;
        }
        for (int i = from; i < from + 3; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '7') {
                return false;
            }
        }
        return true;
    }
}
