package io.podnet.campaign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.fabric8.kubernetes.api.model.Condition;
import io.podnet.api.Mode;
import io.podnet.api.PodNetwork;
import io.podnet.engine.plan.KernelNames;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.Shell;

/**
 * The node's resources fail under the agent: its state dir read-only, its state dir full, and
 * full so nearly that a state write fails part-way. The state dir is a small tmpfs mounted over
 * the agent's own temporary state dir (never a system path) and unmounted at the end, always.
 * Each round a new PodNetwork arrives while the fault holds: it gets a condition that says what
 * failed, nothing of it is left half-built (namespace, host veth, nftables elements, state file,
 * IPAM lease, temporary files), the PodNetworks already there stay Ready, and once the fault is
 * fixed the new one becomes Ready.
 *
 * <p>And the helper's program removed while rootless pods exist: the agent runs a copy of pasta
 * of the campaign's own ({@code podnet.rootless.helper-path}, never the system's), the copy is
 * removed and the running helper killed; a new rootless PodNetwork then gets {@code HelperMissing}
 * naming the program, and everything rootless is Ready again once the copy is back.
 *
 * <p>And the agent's namespace dir (one of the campaign's own, never /run/netns) made a private
 * mount: new namespaces would no longer reach other mount namespaces; drift repair makes it
 * shared again within a resync, counts it in {@code podnet_repairs_total{kind="netns-dir"}}, and
 * a new PodNetwork is Ready. (A dir removed outright is made again at the next namespace:
 * NetnsDirRepairTest.)
 */
public final class ResourcesCampaign {
    private static final String NODE = "node-resources";
    private static final Duration RESYNC = Duration.ofSeconds(3);
    /** A failed setup is retried with back-off: recovery is bounded by that, not by the resync. */
    private static final Duration RECOVERY = Duration.ofSeconds(90);

    enum Fault {
        READ_ONLY("state dir read-only"), FULL("state dir full"), WRITE_FAILS_PART_WAY("state write fails part-way"),
        HELPER_REMOVED("helper binary removed"), NETNS_DIR_PRIVATE("netns dir made a private mount");

        final String label;

        Fault(String label) {
            this.label = label;
        }
    }

    private final CampaignReport report = new CampaignReport("resources");
    private CampaignNode node;
    private Path state;
    /** The campaign's own copy of pasta, which the agent runs and the campaign removes. */
    private Path helperCopy;
    /** The agent's namespace dir, of the campaign's own. */
    private Path netnsDir;
    private boolean mounted;
    private int counter;

    public static void main(String[] args) {
        CampaignReport report = run(args.length > 0 ? Integer.parseInt(args[0]) : 30);
        System.out.println(report.render());
        System.exit(report.findings().isEmpty() ? 0 : 1);
    }

    /** Runs {@code count} faults, the kinds in turn. */
    public static CampaignReport run(int count) {
        return new ResourcesCampaign().campaign(count);
    }

    private CampaignReport campaign(int count) {
        try {
            helperCopy = Files.createTempDirectory("podnet-campaign-helper-").resolve("pasta");
            netnsDir = Files.createDirectories(helperCopy.getParent().resolve("netns"));
            Files.copy(Path.of(Shell.ok("sh", "-c", "command -v pasta").trim()), helperCopy);
            helperCopy.toFile().setExecutable(true);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        node = CampaignNode.start(NODE, Map.of("PODNET_RESYNC_INTERVAL", RESYNC.toSeconds() + "s",
                "PODNET_ROOTLESS_HELPER_PATH", helperCopy.toString(), "PODNET_NETNS_DIR", netnsDir.toString()));
        try {
            state = node.kernelStateDir();
            Files.createDirectories(state);
            // the agent starts again on an empty, small state dir of its own: no pod exists yet
            node.agent.stop();
            Shell.ok("mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "podnet-campaign-state", state.toString());
            mounted = true;
            node.agent.restart();
            create("steady", Mode.Rootful);
            create("steady-rl", Mode.Rootless);
            for (String name : List.of("steady", "steady-rl")) {
                node.await(name, CampaignNode::ready, CampaignNode.READY_TIMEOUT)
                        .orElseThrow(() -> new AssertionError(name + " not Ready at the start"));
            }
            Fault[] faults = Fault.values();
            for (int i = 0; i < count && report.findings().size() < 20; i++) {
                round(faults[i % faults.length]);
            }
            report.figure("faults injected", count);
        } catch (IOException | RuntimeException | AssertionError e) {
            report.found("the campaign stopped: " + e);
            e.printStackTrace();
        } finally {
            restore();
            Shell.run("rm", "-f", state.resolve("campaign-filler").toString());
            // torn down while the state dir still holds their state: after the unmount nothing would name them
            node.deleteAll();
            node.keepLogs("resources");
            node.agent.stop();
            if (mounted) {
                unmount();
            }
            node.close();
            for (int i = 0; i < 8 && Shell.run("umount", netnsDir.toString()).ok(); i++) {
                // the agent's self-bind of the dir, and one more per repair
            }
            Shell.run("rm", "-rf", helperCopy.getParent().toString());
        }
        return report;
    }

    private void round(Fault fault) {
        if (fault == Fault.HELPER_REMOVED) {
            helperRemoved();
            return;
        }
        if (fault == Fault.NETNS_DIR_PRIVATE) {
            netnsDirMadePrivate();
            return;
        }
        Path filler = state.resolve("campaign-filler");
        inflict(fault, filler);
        report.did(fault.label);
        String name = create("pn-" + (counter++), counter % 2 == 0 ? Mode.Rootful : Mode.Rootless);
        PodNetwork pn = null;
        try {
            var failed = node.await(name, p -> p != null && p.getStatus() != null && p.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("False")), Duration.ofSeconds(60));
            if (failed.isEmpty()) {
                PodNetwork now = node.get(name);
                report.found(name + " under \"" + fault.label + "\" got no Ready=False: "
                        + (now == null || now.getStatus() == null ? "no status" : now.getStatus().getConditions()));
            } else {
                pn = failed.get();
                Condition ready = pn.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
                report.did(fault.label + " -> " + ready.getReason());
                String text = (ready.getReason() + " " + ready.getMessage()).toLowerCase();
                if (!"StateWriteFailed".equals(ready.getReason()) || !(text.contains("read-only") || text.contains("full"))) {
                    report.found(name + " under \"" + fault.label + "\": the condition does not say what failed: " + ready.getReason()
                            + ": " + ready.getMessage());
                }
                halfBuilt(pn, fault);
            }
            steadyStillReady(fault);
        } finally {
            restore();
            Shell.run("rm", "-f", filler.toString());
        }
        long fixed = System.nanoTime();
        if (node.await(name, CampaignNode::ready, RECOVERY).isEmpty()) {
            PodNetwork now = node.get(name);
            report.found(name + " not Ready " + RECOVERY.toSeconds() + " s after \"" + fault.label + "\" was fixed: "
                    + (now == null || now.getStatus() == null ? "no status" : now.getStatus().getConditions()));
        } else {
            report.took("Ready after fixing: " + fault.label, Duration.ofNanos(System.nanoTime() - fixed));
        }
        node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName(name).delete();
        if (!node.awaitGone(name, CampaignNode.READY_TIMEOUT)) {
            report.found(name + " not deleted after \"" + fault.label + "\"");
        }
    }

    private void inflict(Fault fault, Path filler) {
        switch (fault) {
            case READ_ONLY -> Shell.ok("mount", "-o", "remount,ro", state.toString());
            case FULL -> fill(filler, 0);
            // a few KB left: a state file starts to be written, and its write fails before the end
            case WRITE_FAILS_PART_WAY -> fill(filler, 3);
        }
    }

    /** Fills the state tmpfs up to {@code leaveKb} KB free. */
    private void fill(Path filler, int leaveKb) {
        Shell.run("dd", "if=/dev/zero", "of=" + filler, "bs=4k", "status=none");
        if (leaveKb > 0) {
            try {
                long size = Files.size(filler);
                Shell.ok("truncate", "-s", String.valueOf(Math.max(0, size - leaveKb * 1024L)), filler.toString());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private void restore() {
        if (mounted) {
            Shell.run("mount", "-o", "remount,rw", state.toString());
        }
    }

    private void unmount() {
        if (!Shell.run("umount", state.toString()).ok()) {
            Shell.run("umount", "-l", state.toString());
        }
        mounted = false;
    }

    /** Nothing of the refused pod: namespace, host veth, elements, state file, lease, temporaries. */
    private void halfBuilt(PodNetwork pn, Fault fault) {
        String uid = pn.getMetadata().getUid();
        List<String> left = new ArrayList<>();
        if (Files.exists(node.netnsDir.resolve(KernelNames.netns(uid)))) {
            left.add("namespace " + KernelNames.netns(uid));
        }
        String veth = KernelNames.hostVeth(uid, "podnet");
        if (node.hostLinks().contains(veth)) {
            left.add("host veth " + veth);
        }
        node.tableElements().stream().filter(e -> e.contains(uid)).forEach(e -> left.add("element " + e));
        try (Stream<Path> walk = Files.walk(state)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                if (p.getFileName().toString().contains(".tmp-")) {
                    left.add("temporary file " + p);
                } else if (!p.getFileName().toString().equals("campaign-filler") && Files.readString(p).contains(uid)) {
                    left.add("state or lease in " + p);
                }
            }
        } catch (IOException e) {
            left.add("cannot read the state dir: " + e);
        }
        if (!left.isEmpty()) {
            report.found(pn.getMetadata().getName() + " under \"" + fault.label + "\" left half-built: " + left);
        }
    }

    private void steadyStillReady(Fault fault) {
        for (String name : List.of("steady", "steady-rl")) {
            if (!CampaignNode.ready(node.get(name))) {
                report.found(name + " not Ready under \"" + fault.label + "\": " + node.get(name).getStatus().getConditions());
            }
        }
    }

    private String create(String name, Mode mode) {
        PodNetwork pn = PodNetworks.of(node.ns, name, NODE, "podnet");
        pn.getSpec().setMode(mode);
        node.admin.resource(pn).create();
        return name;
    }

    private void helperRemoved() {
        Fault fault = Fault.HELPER_REMOVED;
        report.did(fault.label);
        byte[] program;
        try {
            program = Files.readAllBytes(helperCopy);
            Files.delete(helperCopy);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        node.helperPid().ifPresent(pid -> Shell.run("kill", "-9", String.valueOf(pid)));
        String name = create("pn-" + (counter++), Mode.Rootless);
        try {
            var failed = node.await(name, p -> p != null && p.getStatus() != null && p.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("False")), Duration.ofSeconds(60));
            if (failed.isEmpty()) {
                report.found(name + " under \"" + fault.label + "\" got no Ready=False: " + conditions(name));
            } else {
                PodNetwork pn = failed.get();
                Condition ready = pn.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
                report.did(fault.label + " -> " + ready.getReason());
                if (!"HelperMissing".equals(ready.getReason()) || !ready.getMessage().contains(helperCopy.toString())) {
                    report.found(name + " under \"" + fault.label + "\": the condition does not name the missing program "
                            + helperCopy + ": " + ready.getReason() + ": " + ready.getMessage());
                }
                // not checked for half-built: the pod may be whole (its namespace and veth in the rootless
                // netns) with only the helper's egress missing, which its condition says; the engine test
                // StateDirFaultsKernelTest checks that a setup refused for the helper keeps no lease
            }
        } finally {
            try {
                Files.write(helperCopy, program);
                helperCopy.toFile().setExecutable(true);
            } catch (IOException e) {
                report.found("cannot put the helper back: " + e);
            }
        }
        long fixed = System.nanoTime();
        for (String waiting : List.of(name, "steady-rl")) {
            if (node.await(waiting, CampaignNode::ready, RECOVERY).isEmpty()) {
                report.found(waiting + " not Ready " + RECOVERY.toSeconds() + " s after \"" + fault.label + "\" was fixed: "
                        + conditions(waiting));
            }
        }
        report.took("Ready after fixing: " + fault.label, Duration.ofNanos(System.nanoTime() - fixed));
        if (!CampaignNode.ready(node.get("steady"))) {
            report.found("the rootful steady PodNetwork not Ready after \"" + fault.label + "\": " + conditions("steady"));
        }
        node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName(name).delete();
        if (!node.awaitGone(name, CampaignNode.READY_TIMEOUT)) {
            report.found(name + " not deleted after \"" + fault.label + "\"");
        }
    }

    private String conditions(String name) {
        PodNetwork now = node.get(name);
        return now == null || now.getStatus() == null ? "no status" : String.valueOf(now.getStatus().getConditions());
    }

    private void netnsDirMadePrivate() {
        Fault fault = Fault.NETNS_DIR_PRIVATE;
        report.did(fault.label);
        double counted = node.repairs().getOrDefault("netns-dir", 0.0);
        Shell.ok("mount", "--make-private", netnsDir.toString());
        long made = System.nanoTime();
        long deadline = made + RESYNC.plusSeconds(5).toNanos();
        boolean shared = false;
        while (!shared && System.nanoTime() < deadline) {
            CampaignNode.sleep(100);
            shared = "shared".equals(Shell.run("findmnt", "-n", "-o", "PROPAGATION", netnsDir.toString()).output().trim());
        }
        if (!shared) {
            report.found("the netns dir was not a shared mount again " + RESYNC.plusSeconds(5).toSeconds() + " s after \"" + fault.label + "\"");
        } else {
            report.took("repaired: " + fault.label, Duration.ofNanos(System.nanoTime() - made));
            long countDeadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (node.repairs().getOrDefault("netns-dir", 0.0) <= counted && System.nanoTime() < countDeadline) {
                CampaignNode.sleep(200);
            }
            if (node.repairs().getOrDefault("netns-dir", 0.0) <= counted) {
                report.found("the netns dir's repair is not counted in podnet_repairs_total{kind=\"netns-dir\"}");
            }
        }
        String name = create("pn-" + (counter++), Mode.Rootful);
        if (node.await(name, CampaignNode::ready, CampaignNode.READY_TIMEOUT).isEmpty()) {
            report.found(name + " not Ready after \"" + fault.label + "\": " + conditions(name));
        }
        steadyStillReady(fault);
        node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName(name).delete();
        if (!node.awaitGone(name, CampaignNode.READY_TIMEOUT)) {
            report.found(name + " not deleted after \"" + fault.label + "\"");
        }
    }
}
