package io.podnet.engine.plan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

import io.podnet.engine.NetnsRequest;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.Stage;

/**
 * Which existing namespaces a pod may join, judged by what they are, not only by their name
 * (whether the pod's namespace may join at all is the node policy's to say, and is asked first).
 * A path must be absolute, normal (no "..", no symlink games: it is resolved and checked again)
 * and under one of the allowed prefixes; a process must exist and be neither pid 1 nor one of the
 * agent's own. Either way the target must be a network namespace (nsfs), not the node's own (the
 * agent's, pid 1's or the host namespace), and not one that podnet made for another PodNetwork
 * or for its rootless side: compared by device and inode, so another name for it changes nothing.
 */
public final class NetnsPolicy {
    /** A namespace file podnet made, and whom it belongs to (for the message). */
    public record Owned(Path file, String owner) {
    }

    private final List<Path> allowedPrefixes;
    private final Path hostNetns;
    private final Predicate<Path> isNamespaceFile;
    private final Function<String, List<Owned>> ownedByOthers;
    private final long agentPid = ProcessHandle.current().pid();

    /**
     * @param isNamespaceFile whether a file is a namespace (on nsfs): asked of the kernel, so the caller supplies it
     * @param ownedByOthers given a pod's id, the namespace files podnet made that are not that pod's
     */
    public NetnsPolicy(List<Path> allowedPrefixes, Path hostNetns, Predicate<Path> isNamespaceFile,
            Function<String, List<Owned>> ownedByOthers) {
        this.allowedPrefixes = allowedPrefixes.stream().map(p -> p.toAbsolutePath().normalize()).toList();
        this.hostNetns = hostNetns;
        this.isNamespaceFile = isNamespaceFile;
        this.ownedByOthers = ownedByOthers;
    }

    void check(String podId, NetnsRequest netns) {
        switch (netns.kind()) {
            case NEW -> {
            }
            case PATH -> checkTarget(podId, checkPath(netns.path()), "netns.path " + netns.path());
            case PID -> checkTarget(podId, checkPid(netns.pid()), "the namespace of process " + netns.pid());
        }
    }

    private Path checkPath(Path path) {
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
        return real;
    }

    private Path checkPid(int pid) {
        if (pid <= 1) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsNotAllowed", "netns.pid must not be " + pid);
        }
        Path proc = Path.of("/proc", Integer.toString(pid));
        // /proc/<tid> answers for every thread too: a thread of the agent's is the agent
        if (pid == agentPid || threadGroup(proc).map(tgid -> tgid == agentPid).orElse(false)) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsNotAllowed", "process " + pid + " is the podnet agent");
        }
        Path ns = proc.resolve("ns").resolve("net");
        if (!Files.exists(ns)) {
            throw new RejectedRequestException(Stage.NETNS, "ProcessNotFound", "process " + pid + " does not exist on this node");
        }
        return ns;
    }

    private void checkTarget(String podId, Path ns, String what) {
        if (!isNamespaceFile.test(ns)) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsNotFound", what + " is not a network namespace");
        }
        Optional<FileKey> target = FileKey.of(ns);
        if (target.isEmpty()) {
            throw new RejectedRequestException(Stage.NETNS, "NetnsNotFound", what + " cannot be read");
        }
        for (Path node : nodeNamespaces()) {
            if (target.equals(FileKey.of(node))) {
                throw new RejectedRequestException(Stage.NETNS, "NetnsNotAllowed", what + " is the node's own network namespace");
            }
        }
        for (Owned owned : ownedByOthers.apply(podId)) {
            if (target.equals(FileKey.of(owned.file()))) {
                throw new RejectedRequestException(Stage.NETNS, "NetnsOwnedByAnotherPodNetwork", what
                        + " is a namespace podnet made for " + owned.owner() + "; it belongs to that one only");
            }
        }
    }

    private List<Path> nodeNamespaces() {
        return hostNetns == null ? List.of(Path.of("/proc/self/ns/net"), Path.of("/proc/1/ns/net"))
                : List.of(Path.of("/proc/self/ns/net"), Path.of("/proc/1/ns/net"), hostNetns);
    }

    private static Optional<Long> threadGroup(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("Tgid:")) {
                    return Optional.of(Long.parseLong(line.substring(5).strip()));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not a process: the namespace check that follows says so
        }
        return Optional.empty();
    }

    /** A file's identity: device and inode (for a namespace file, the namespace itself). */
    private record FileKey(Object dev, Object ino) {
        static Optional<FileKey> of(Path file) {
            try {
                return Optional.of(new FileKey(Files.getAttribute(file, "unix:dev"), Files.getAttribute(file, "unix:ino")));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }
}
