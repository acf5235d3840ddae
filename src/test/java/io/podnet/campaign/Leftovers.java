package io.podnet.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;

import io.podnet.engine.plan.KernelNames;

/**
 * What a node keeps of pods that are all gone: each kind of leftover the crash campaign promises
 * none of (namespaces, host links, nftables elements, mounts, helper processes, IPAM leases,
 * state files, rootless dirs), listed by what it is.
 */
final class Leftovers {
    private Leftovers() {
    }

    /**
     * Everything left of {@code uids} on the node once every PodNetwork is deleted; {@code baseLinks}
     * are the host namespace's links before the first pod (loopback).
     */
    static List<String> of(CampaignNode node, Collection<String> uids, List<String> baseLinks) {
        List<String> out = new ArrayList<>();
        for (String uid : uids) {
            if (Files.exists(node.netnsDir.resolve(KernelNames.netns(uid)))) {
                out.add("namespace " + KernelNames.netns(uid));
            }
        }
        List<String> links = new ArrayList<>(node.hostLinks());
        links.removeAll(baseLinks);
        links.forEach(l -> out.add("host link " + l));
        node.tableElements().forEach(e -> out.add("nftables element " + e));
        Path agentDir = node.agent.runDir().getParent();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                if (line.contains(agentDir.toString()) || uids.stream().anyMatch(line::contains)) {
                    out.add("mount " + line);
                }
            }
        } catch (IOException e) {
            out.add("cannot read mountinfo: " + e);
        }
        helpers(agentDir).forEach(h -> out.add("helper process " + h));
        // the kernel state dir holds the pod records and leases; the durable one what an older agent left
        for (Path dir : List.of(node.kernelStateDir(), node.stateDir())) {
            files(dir.resolve("pods")).stream().filter(p -> p.getFileName().toString().endsWith(".json")).forEach(p -> out.add("state file " + p));
            for (Path file : files(dir)) {
                String text = read(file);
                uids.stream().filter(text::contains).findFirst().ifPresent(uid -> out.add("lease or record of " + uid + " in " + file));
            }
        }
        // the lock file stays on purpose: unlinking a lock another process may be waiting on breaks the lock
        files(node.agent.runDir()).stream().filter(p -> p.toString().contains("/rootless-") && !p.toString().endsWith(".lock")).findFirst()
                .ifPresent(p -> out.add("rootless run dir " + p));
        return out;
    }

    /** Processes (pasta, slirp4netns...) whose command line names the agent's dirs: what the agent started. */
    static List<String> helpers(Path agentDir) {
        List<String> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String cmdline = read(proc.resolve("cmdline")).replace('\0', ' ');
                if (cmdline.contains(agentDir.toString())) {
                    out.add(proc.getFileName() + " " + cmdline.trim());
                }
            }
        } catch (IOException e) {
            out.add("cannot list /proc: " + e);
        }
        return out;
    }

    private static List<Path> files(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
