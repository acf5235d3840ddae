package io.podnet.rootless;

import java.util.Set;

/**
 * The user-mode program that connects the rootless netns to the outside, as configured; how it
 * is started is its {@link #egress()}.
 */
public enum Helper {
    /** pasta (from passt): the default, as in Podman 5. */
    PASTA("pasta", "passt", Set.of("pasta", "pasta.avx2", "passt", "passt.avx2")),
    /** slirp4netns: as in Podman 4's rootless netns (the seed). */
    SLIRP4NETNS("slirp4netns", "slirp4netns", Set.of("slirp4netns"));

    private final String binary;
    private final String debianPackage;
    private final Set<String> executableNames;

    Helper(String binary, String debianPackage, Set<String> executableNames) {
        this.binary = binary;
        this.debianPackage = debianPackage;
        this.executableNames = executableNames;
    }

    /** The command looked up on the PATH. */
    public String binary() {
        return binary;
    }

    /** The Debian package that installs it. */
    public String debianPackage() {
        return debianPackage;
    }

    /**
     * The names /proc/PID/exe may end in for a running helper: /usr/bin/pasta is a link to
     * passt, which re-executes itself as passt.avx2 when the CPU has AVX2.
     */
    boolean isExecutableName(String name) {
        return executableNames.contains(name);
    }

    /** How it is started and tells that it is ready. */
    EgressHelper egress() {
        return switch (this) {
            case PASTA -> PASTA_START;
            case SLIRP4NETNS -> SLIRP4NETNS_START;
        };
    }

    private static final EgressHelper PASTA_START = new Pasta();
    private static final EgressHelper SLIRP4NETNS_START = new Slirp4netns();

    /** Parses "pasta" or "slirp4netns", case-insensitively. */
    public static Helper parse(String text) {
        for (Helper h : values()) {
            if (h.binary.equalsIgnoreCase(text.trim())) {
                return h;
            }
        }
        throw new IllegalArgumentException("unknown rootless helper \"" + text + "\": use pasta or slirp4netns");
    }
}
