package io.podnet.engine.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;

import io.podnet.engine.NetnsRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.Stage;

/**
 * Which existing namespaces a pod may join. A path must be absolute, normal (no "..", no
 * symlink games: it is resolved and checked again) and under one of the allowed prefixes; a
 * process must exist and be neither pid 1 nor in the agent's own or the host namespace, so a
 * PodNetwork can never rewire the node itself.
 */
public final class NetnsPolicy {
    private final List<Path> allowedPrefixes;
    private final Path hostNetns;
    private final Predicate<Path> isNamespaceFile;

    /** @param isNamespaceFile whether a file is a namespace (on nsfs): asked of the kernel, so the caller supplies it */
    public NetnsPolicy(List<Path> allowedPrefixes, Path hostNetns, Predicate<Path> isNamespaceFile) {
        this.allowedPrefixes = allowedPrefixes.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.hostNetns = hostNetns;
        this.isNamespaceFile = isNamespaceFile;
    }

    void check(NetnsRequest netns) {
        switch (netns.kind()) {
            case NEW -> {
            }
            case PATH -> checkPath(netns.path());
            case PID -> checkPid(netns.pid());
        }
    }

    private void checkPath(Path path) {
        if (path == null || !path.isAbsolute() || !path.normalize().equals(path)) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsPathNotAllowed", "netns.path \"" + path + "\" must be an absolute, normalized path");
        }
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsNotFound", "netns.path " + path + " does not exist");
        }
        if (allowedPrefixes.stream().noneMatch(p -> real.startsWith(p) && !real.equals(p))) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsPathNotAllowed", "netns.path " + path + " is not under an allowed directory "
                    + allowedPrefixes);
        }
        if (!isNamespaceFile.test(real)) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsNotFound", "netns.path " + path + " is not a network namespace");
        }
        refuseNodeNamespaces(real, "netns.path " + path);
    }

    private void checkPid(int pid) {
        if (pid <= 1) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsNotAllowed", "netns.pid must not be " + pid);
        }
        Path ns = Path.of("/proc", Integer.toString(pid), "ns", "net");
        if (!Files.exists(ns)) {
            throw new RejectedRequestException(Stage.NETNS, "ProcessNotFound", "process " + pid + " does not exist on this node");
        }
        refuseNodeNamespaces(ns, "the namespace of process " + pid);
    }

    private void refuseNodeNamespaces(Path ns, String what) {
        Object inode = inode(ns);
        if (inode != null && (inode.equals(inode(Path.of("/proc/self/ns/net"))) || inode.equals(inode(Path.of("/proc/1/ns/net")))
                || (hostNetns != null && inode.equals(inode(hostNetns))))) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsNotAllowed", what + " is the node's own network namespace");
        }
    }

    private static Object inode(Path nsFile) {
        try {
            return Files.getAttribute(nsFile, "unix:ino");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
