package io.podnet.campaign;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import io.podnet.api.Mode;
import io.podnet.api.NetworkAttachment;
import io.podnet.api.PodNetwork;
import io.podnet.engine.plan.KernelNames;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.Sandbox;

/**
 * kill -9 of the agent at random points of setup, teardown, connect, disconnect, reload and port
 * changes, rootful and rootless, against the real API server, so the PodNetworks outlive each
 * agent. Each kill comes a random delay after the write, drawn from [0, 1.25 x the operation's
 * latency measured uninterrupted at the start], so most land inside the operation; the agent
 * log says which phase each landed in. After each restart every PodNetwork is Ready again with
 * the same interface names, MACs, addresses and host ports (in its status and in its namespace),
 * and the table holds no element twice. Now and then a PodNetwork is deleted for good while the
 * agent is down, and must leave nothing. At the end, with every PodNetwork deleted, the node
 * keeps nothing.
 */
public final class CrashCampaign {
    private static final String NODE = "node-crash";
    private static final int MIN_PODS = 2;
    private static final int MAX_PODS = 5;
    /** Bound on the whole run, whatever the count: a campaign never runs away. */
    private static final Duration BUDGET = Duration.ofMinutes(Long.getLong("podnet.campaign.budget-minutes", 75));

    enum Op { SETUP, TEARDOWN, CONNECT, DISCONNECT, RELOAD, PORTS }

    /** What the campaign knows of one PodNetwork: what it asked for and what it was seen with. */
    private static final class Pod {
        final String name;
        final Mode mode;
        String uid;
        int hostPort;
        boolean backend;
        CampaignNode.Identity identity;

        Pod(String name, Mode mode, int hostPort) {
            this.name = name;
            this.mode = mode;
            this.hostPort = hostPort;
        }
    }

    private final CampaignReport report = new CampaignReport("crash");
    private final Random random = new Random(Long.getLong("podnet.campaign.seed", System.nanoTime()));
    private final Map<String, Pod> pods = new LinkedHashMap<>();
    private final Set<String> uids = new LinkedHashSet<>();
    private final Map<String, Long> latencyMillis = new TreeMap<>();
    private final Set<Integer> usedPorts = new java.util.HashSet<>();
    private CampaignNode node;
    private int counter;

    public static void main(String[] args) {
        CampaignReport report = run(args.length > 0 ? Integer.parseInt(args[0]) : 200);
        System.out.println(report.render());
        System.exit(report.findings().isEmpty() ? 0 : 1);
    }

    /** Runs {@code kills} kill-restart cycles and returns the report. */
    public static CampaignReport run(int kills) {
        return new CrashCampaign().campaign(kills);
    }

    private CampaignReport campaign(int kills) {
        report.figure("kills asked", kills);
        node = CampaignNode.start(NODE, Map.of("PODNET_RESYNC_INTERVAL", "5s"));
        try {
            List<String> baseLinks = node.hostLinks();
            calibrate();
            long deadline = System.nanoTime() + BUDGET.toNanos();
            int done = 0;
            while (done < kills && System.nanoTime() < deadline && report.findings().size() < 20) {
                cycle();
                done++;
            }
            report.figure("kill-restart cycles", done);
            if (done < kills) {
                report.found("only " + done + " of " + kills + " kills in the " + BUDGET.toMinutes() + " min budget (or 20 findings)");
            }
            finish(baseLinks);
        } catch (RuntimeException | AssertionError e) {
            report.found("the campaign stopped: " + e);
            e.printStackTrace();
        } finally {
            node.keepLogs("crash");
            node.close();
        }
        return report;
    }

    /** Each operation once, uninterrupted, rootful and rootless: the latencies the kill delays are drawn from. */
    private void calibrate() {
        for (Mode mode : Mode.values()) {
            for (Op op : List.of(Op.SETUP, Op.PORTS, Op.CONNECT, Op.RELOAD, Op.DISCONNECT, Op.TEARDOWN, Op.SETUP)) {
                Pod pod = op == Op.SETUP ? newPod(mode) : pods.values().stream().filter(p -> p.mode == mode).reduce((a, b) -> b).orElseThrow();
                long start = System.nanoTime();
                apply(op, pod);
                if (!done(op, pod, CampaignNode.READY_TIMEOUT)) {
                    throw new AssertionError(op + " of " + pod.name + " (" + mode + ") not done in " + CampaignNode.READY_TIMEOUT.toSeconds() + " s");
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                latencyMillis.merge(op + " " + mode, millis, Math::max);
                report.took("uninterrupted " + op.name().toLowerCase() + " (" + mode.name().toLowerCase() + ")", Duration.ofMillis(millis));
                settle(op, pod);
            }
        }
    }

    private void cycle() {
        Op op = pickOp();
        Pod pod = op == Op.SETUP ? newPod(random.nextBoolean() ? Mode.Rootful : Mode.Rootless) : pickPod(op);
        long offset = node.logSize();
        apply(op, pod);
        long latency = latencyMillis.getOrDefault(op + " " + pod.mode, 1000L);
        CampaignNode.sleep((long) (random.nextDouble() * latency * 1.25));
        String phase = phase(node.logFrom(offset), pod.name);
        node.agent.kill();
        report.did("kill -9 during " + op.name().toLowerCase() + " (" + pod.mode.name().toLowerCase() + ")");
        report.did("kill landed " + phase);
        Pod goneWhileDown = random.nextInt(8) == 0 ? deleteWhileDown(pod) : null;
        long start = System.nanoTime();
        node.agent.restart();
        report.took("restart to ready", Duration.ofNanos(System.nanoTime() - start));
        verify(op, pod);
        if (goneWhileDown != null) {
            expectNothingOf(goneWhileDown, "deleted while the agent was down");
        }
        duplicates("after restart");
    }

    private Op pickOp() {
        if (pods.size() < MIN_PODS) {
            return Op.SETUP;
        }
        if (pods.size() >= MAX_PODS) {
            return Op.TEARDOWN;
        }
        Op[] ops = Op.values();
        while (true) {
            Op op = ops[random.nextInt(ops.length)];
            if (op == Op.CONNECT && pods.values().stream().allMatch(p -> p.backend)) {
                continue;
            }
            if (op == Op.DISCONNECT && pods.values().stream().noneMatch(p -> p.backend)) {
                continue;
            }
            return op;
        }
    }

    private Pod pickPod(Op op) {
        List<Pod> fit = pods.values().stream().filter(p -> op != Op.CONNECT || !p.backend).filter(p -> op != Op.DISCONNECT || p.backend).toList();
        return fit.get(random.nextInt(fit.size()));
    }

    private Pod newPod(Mode mode) {
        Pod pod = new Pod("pn-" + (counter++), mode, freePort());
        pods.put(pod.name, pod);
        return pod;
    }

    private int freePort() {
        while (true) {
            int port = 30000 + random.nextInt(9000);
            if (usedPorts.add(port)) {
                return port;
            }
        }
    }

    /** Whether the operation is done within the timeout: the pod gone for a teardown, else Ready for what it asks. */
    private boolean done(Op op, Pod pod, Duration timeout) {
        return op == Op.TEARDOWN ? node.awaitGone(pod.name, timeout) : node.await(pod.name, CampaignNode::ready, timeout).isPresent();
    }

    /** Writes the operation to the API server. */
    private void apply(Op op, Pod pod) {
        switch (op) {
            case SETUP -> {
                PodNetwork pn = PodNetworks.of(node.ns, pod.name, NODE, "podnet");
                pn.getSpec().setMode(pod.mode);
                pn.getSpec().setPortMappings(List.of(PodNetworks.port(pod.hostPort, 80, "tcp", 1)));
                pod.uid = node.admin.resource(pn).create().getMetadata().getUid();
                uids.add(pod.uid);
            }
            case TEARDOWN -> node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName(pod.name).delete();
            case CONNECT, DISCONNECT -> {
                pod.backend = op == Op.CONNECT;
                edit(pod, pn -> {
                    List<NetworkAttachment> networks = new ArrayList<>(PodNetworks.of(node.ns, pod.name, NODE, "podnet").getSpec().getNetworks());
                    if (pod.backend) {
                        networks.addAll(PodNetworks.of(node.ns, pod.name, NODE, "backend").getSpec().getNetworks());
                    }
                    pn.getSpec().setNetworks(networks);
                });
            }
            case RELOAD -> edit(pod, pn -> pn.getMetadata().getAnnotations().put("podnet.io/reload", String.valueOf(System.nanoTime())));
            case PORTS -> {
                pod.hostPort = freePort();
                edit(pod, pn -> pn.getSpec().setPortMappings(List.of(PodNetworks.port(pod.hostPort, 80, "tcp", 1))));
            }
        }
    }

    private void edit(Pod pod, java.util.function.Consumer<PodNetwork> change) {
        node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName(pod.name).edit(pn -> {
            if (pn.getMetadata().getAnnotations() == null) {
                pn.getMetadata().setAnnotations(new java.util.HashMap<>());
            }
            change.accept(pn);
            return pn;
        });
    }

    /** Where in the pod's handling the agent log says the kill came: before, inside or after its reconcile. */
    static String phase(String log, String name) {
        String id = "ResourceID{name='" + name + "'";
        int started = -1;
        int finished = -1;
        int index = 0;
        for (String line : log.split("\n")) {
            if (line.contains(id)) {
                if (line.contains("Running reconcile executor for")) {
                    started = index;
                } else if (line.contains("Event processing finished")) {
                    finished = index;
                }
            }
            index++;
        }
        if (started < 0) {
            return "before its reconcile started";
        }
        return finished > started ? "after its reconcile finished" : "inside its reconcile";
    }

    /** A PodNetwork other than the one the operation was on, deleted for good (finalizer removed) while no agent runs. */
    private Pod deleteWhileDown(Pod busy) {
        Optional<Pod> other = pods.values().stream().filter(p -> p != busy).findFirst();
        if (other.isEmpty()) {
            return null;
        }
        Pod pod = other.get();
        node.removeFinalizers(pod.name);
        node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName(pod.name).delete();
        if (!node.awaitGone(pod.name, Duration.ofSeconds(30))) {
            throw new AssertionError(pod.name + " still in the API server 30 s after its finalizer went");
        }
        pods.remove(pod.name);
        report.did("PodNetwork deleted while the agent was down");
        return pod;
    }

    /** After a restart: the interrupted operation completes, and every pod is Ready as it was. */
    private void verify(Op op, Pod target) {
        if (op == Op.TEARDOWN) {
            pods.remove(target.name);
            if (!done(op, target, CampaignNode.READY_TIMEOUT)) {
                report.found("teardown of " + target.name + " (" + target.mode + ") not finished " + CampaignNode.READY_TIMEOUT.toSeconds()
                        + " s after the restart");
            } else {
                expectNothingOf(target, "torn down across a kill");
            }
        }
        for (Pod pod : pods.values()) {
            Optional<PodNetwork> ready = node.await(pod.name, CampaignNode::ready, CampaignNode.READY_TIMEOUT);
            if (ready.isEmpty()) {
                PodNetwork pn = node.get(pod.name);
                report.found(pod.name + " (" + pod.mode + ") not Ready " + CampaignNode.READY_TIMEOUT.toSeconds() + " s after a kill during "
                        + op + " of " + target.name + ": " + (pn == null || pn.getStatus() == null ? "no status" : pn.getStatus().getConditions()));
                continue;
            }
            PodNetwork pn = ready.get();
            CampaignNode.Identity now = CampaignNode.Identity.of(pn);
            CampaignNode.Identity before = pod.identity;
            String where = " of " + pod.name + " (" + pod.mode + ") after a kill during " + op + " of " + target.name;
            if (before != null) {
                for (String network : before.networks().keySet()) {
                    if (now.networks().containsKey(network) && !now.networks().get(network).equals(before.networks().get(network))) {
                        report.found("network " + network + where + " changed: " + before.networks().get(network) + " -> "
                                + now.networks().get(network));
                    }
                }
                if (!(pod == target && op == Op.PORTS) && !now.ports().equals(before.ports())) {
                    report.found("host ports" + where + " changed: " + before.ports() + " -> " + now.ports());
                }
            }
            Set<String> wanted = new java.util.TreeSet<>(pod.backend ? List.of("podnet", "backend") : List.of("podnet"));
            if (!now.networks().keySet().equals(wanted)) {
                report.found("networks" + where + ": " + now.networks().keySet() + ", the spec asks " + wanted);
            }
            if (!now.ports().contains(":" + pod.hostPort + "->80/")) {
                report.found("host port" + where + ": " + now.ports() + ", the spec asks " + pod.hostPort);
            }
            Map<String, String> kernel = CampaignNode.kernelInterfaces(pn);
            for (String iface : now.networks().values()) {
                String ifname = iface.substring(0, iface.indexOf('='));
                if (!iface.equals(kernel.get(ifname))) {
                    report.found("interface" + where + ": the status says " + iface + ", the namespace has " + kernel.get(ifname));
                }
            }
            pod.identity = now;
        }
    }

    /** Waits for the operation to finish uninterrupted (calibration) and records what the pod now is. */
    private void settle(Op op, Pod pod) {
        if (op == Op.TEARDOWN) {
            pods.remove(pod.name);
            expectNothingOf(pod, "torn down");
        } else {
            pod.identity = CampaignNode.Identity.of(node.get(pod.name));
        }
    }

    /** Nothing of the pod on the node: namespace, nftables elements, state file, IPAM lease. */
    private void expectNothingOf(Pod pod, String how) {
        String netns = KernelNames.netns(pod.uid);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<String> left = new ArrayList<>();
        do {
            left.clear();
            if (java.nio.file.Files.exists(Sandbox.NETNS_DIR.resolve(netns))) {
                left.add("namespace " + netns);
            }
            node.tableElements().stream().filter(e -> e.contains(pod.uid)).forEach(e -> left.add("element " + e));
            if (java.nio.file.Files.exists(node.kernelStateDir().resolve("pods").resolve(pod.uid + ".json"))) {
                left.add("state file");
            }
            if (left.isEmpty()) {
                return;
            }
            CampaignNode.sleep(200);
        } while (System.nanoTime() < deadline);
        report.found(pod.name + " (" + pod.mode + ") " + how + " left " + left);
    }

    private void duplicates(String when) {
        List<String> elements = node.tableElements();
        Set<String> seen = new java.util.HashSet<>();
        for (String e : elements) {
            if (!seen.add(e)) {
                report.found("nftables element twice " + when + ": " + e);
            }
        }
    }

    /** Every PodNetwork deleted with the agent up: the node keeps nothing. */
    private void finish(List<String> baseLinks) {
        for (Pod pod : List.copyOf(pods.values())) {
            node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName(pod.name).delete();
        }
        for (Pod pod : List.copyOf(pods.values())) {
            if (!node.awaitGone(pod.name, CampaignNode.READY_TIMEOUT)) {
                report.found(pod.name + " not deleted " + CampaignNode.READY_TIMEOUT.toSeconds() + " s after the final delete");
            }
            pods.remove(pod.name);
        }
        List<String> left = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            left = Leftovers.of(node, uids, baseLinks);
            if (left.isEmpty()) {
                break;
            }
            CampaignNode.sleep(500);
        }
        left.forEach(l -> report.found("left at the end: " + l));
        report.figure("PodNetworks created", uids.size());
    }
}
