package io.podnet.campaign;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.podnet.api.Mode;
import io.podnet.api.PodNetwork;
import io.podnet.engine.plan.KernelNames;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.Shell;

/**
 * The kernel changed behind the agent's back, one drift at a time, at random: a veth, an
 * address, a route, a bridge or a pod's namespace deleted; the nftables table, a chain or a map
 * element deleted, or the whole ruleset flushed (inside the sandbox host namespace only); pasta
 * killed; a host port the forwarder needs taken by another process. Each is repaired within one
 * resync interval (plus the time one resync pass takes) without changing an IP or MAC, and
 * counted in {@code podnet_repairs_total}; the taken port, which cannot be repaired, gets a
 * condition naming its holder, and comes back once the holder lets go.
 */
public final class DriftCampaign {
    private static final String NODE = "node-drift";
    private static final Duration RESYNC = Duration.ofSeconds(3);
    /** What one resync pass may take on a loaded machine, beyond the interval. */
    private static final Duration PASS = Duration.ofSeconds(5);
    private static final Duration BUDGET = Duration.ofMinutes(Long.getLong("podnet.campaign.budget-minutes", 40));
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Drift {
        VETH("veth"), ADDRESS("address"), ROUTE("route"), BRIDGE("bridge"), NAMESPACE("netns"),
        TABLE("firewall-"), CHAIN("firewall-"), MAP_ELEMENT("firewall-"), FLUSH_RULESET("firewall-"),
        KILL_HELPER("rootless-helper"), PORT_TAKEN(null);

        /** The kind podnet_repairs_total counts it under (a prefix for the firewall); null: not repairable. */
        final String metricKind;

        Drift(String metricKind) {
            this.metricKind = metricKind;
        }

        String label() {
            return name().toLowerCase().replace('_', ' ');
        }
    }

    private final CampaignReport report = new CampaignReport("drift");
    private final Random random = new Random(Long.getLong("podnet.campaign.seed", System.nanoTime()));
    private final Map<String, CampaignNode.Identity> identities = new LinkedHashMap<>();
    private CampaignNode node;

    public static void main(String[] args) {
        CampaignReport report = run(args.length > 0 ? Integer.parseInt(args[0]) : 110);
        System.out.println(report.render());
        System.exit(report.findings().isEmpty() ? 0 : 1);
    }

    /** Runs {@code count} drifts; the first of each kind in order, then at random. */
    public static CampaignReport run(int count) {
        return new DriftCampaign().campaign(count);
    }

    private CampaignReport campaign(int count) {
        node = CampaignNode.start(NODE, Map.of("PODNET_RESYNC_INTERVAL", RESYNC.toSeconds() + "s"));
        report.figure("resync interval s", RESYNC.toSeconds());
        try {
            create("web", Mode.Rootful, 31080, "podnet", "backend");
            create("db", Mode.Rootful, 31081, "podnet");
            create("rl", Mode.Rootless, 31082, "podnet");
            for (String name : List.of("web", "db", "rl")) {
                PodNetwork pn = node.await(name, CampaignNode::ready, CampaignNode.READY_TIMEOUT)
                        .orElseThrow(() -> new AssertionError(name + " not Ready at the start"));
                identities.put(name, CampaignNode.Identity.of(pn));
            }
            long deadline = System.nanoTime() + BUDGET.toNanos();
            Drift[] kinds = Drift.values();
            for (int i = 0; i < count && System.nanoTime() < deadline && report.findings().size() < 20; i++) {
                Drift drift = i < kinds.length ? kinds[i] : kinds[random.nextInt(kinds.length)];
                once(drift);
            }
        } catch (RuntimeException | AssertionError e) {
            report.found("the campaign stopped: " + e);
            e.printStackTrace();
        } finally {
            node.keepLogs("drift");
            node.close();
        }
        return report;
    }

    private void create(String name, Mode mode, int hostPort, String... networks) {
        PodNetwork pn = PodNetworks.of(node.ns, name, NODE, networks);
        pn.getSpec().setMode(mode);
        pn.getSpec().setPortMappings(List.of(PodNetworks.port(hostPort, 80, "tcp", 1)));
        node.admin.resource(pn).create();
    }

    private void once(Drift drift) {
        Map<String, Double> before = node.repairs();
        long start = System.nanoTime();
        if (drift == Drift.PORT_TAKEN) {
            portTaken();
        } else {
            BooleanSupplier repaired = inflict(drift);
            report.did(drift.label());
            Duration bound = RESYNC.plus(PASS);
            if (!poll(repaired, bound)) {
                report.found(drift.label() + " not repaired in " + bound.toSeconds() + " s");
            } else {
                report.took(drift.label(), Duration.ofNanos(System.nanoTime() - start));
            }
        }
        sameIdentities(drift);
        if (drift.metricKind != null) {
            // the counter is bumped in the same pass that repairs: give it a moment to be scraped
            if (!poll(() -> counted(before, node.repairs(), drift.metricKind), Duration.ofSeconds(10))) {
                report.found(drift.label() + " repaired but not counted in podnet_repairs_total{kind=" + drift.metricKind + "...}: " + node.repairs());
            }
        }
    }

    /** Does the drift; returns what "repaired" looks like in the kernel. */
    private BooleanSupplier inflict(Drift drift) {
        String sb = node.agent.sandbox().name();
        PodNetwork web = node.get("web");
        String webNs = KernelNames.netns(web.getMetadata().getUid());
        String webVeth = KernelNames.hostVeth(web.getMetadata().getUid(), "podnet");
        switch (drift) {
            case VETH -> {
                Shell.ok("ip", "-n", sb, "link", "del", webVeth);
                return () -> linkExists(sb, webVeth) && podLooksAsBefore("web");
            }
            case ADDRESS -> {
                String ip = ipOf("web", "podnet");
                Shell.ok("ip", "-n", webNs, "addr", "del", ip, "dev", ifnameOf("web", "podnet"));
                return () -> podLooksAsBefore("web");
            }
            case ROUTE -> {
                Shell.ok("ip", "-n", webNs, "route", "del", "default");
                return () -> Shell.run("ip", "-n", webNs, "route", "show", "default").output().contains("default");
            }
            case BRIDGE -> {
                Shell.ok("ip", "-n", sb, "link", "del", "podnet0");
                return () -> linkExists(sb, "podnet0") && Shell.run("ip", "-n", sb, "link", "show", webVeth).output().contains("master podnet0")
                        && Shell.run("ip", "-n", sb, "addr", "show", "podnet0").output().contains("10.89.0.1/24");
            }
            case NAMESPACE -> {
                PodNetwork db = node.get("db");
                Shell.ok("ip", "netns", "delete", KernelNames.netns(db.getMetadata().getUid()));
                return () -> Files.exists(Path.of(db.getStatus().getNetnsPath())) && podLooksAsBefore("db");
            }
            case TABLE -> {
                List<String> elements = node.tableElements();
                Shell.ok("ip", "netns", "exec", sb, "nft", "delete", "table", "inet", "podnet");
                return () -> node.tableElements().equals(elements);
            }
            case CHAIN -> {
                List<String> elements = node.tableElements();
                List<String> ruleset = rules(sb);
                List<String> chains = chains(sb);
                String chain = chains.get(random.nextInt(chains.size()));
                Shell.ok("ip", "netns", "exec", sb, "nft", "flush", "chain", "inet", "podnet", chain);
                // a chain that is jumped to cannot go; flushed, it is drift all the same
                report.did(Shell.run("ip", "netns", "exec", sb, "nft", "delete", "chain", "inet", "podnet", chain).ok()
                        ? "chain deleted" : "chain flushed (jumped to, so kept)");
                return () -> node.tableElements().equals(elements)
                        && rules(sb).equals(ruleset);
            }
            case MAP_ELEMENT -> {
                List<String> elements = node.tableElements();
                String element = elements.stream().filter(e -> e.contains(web.getMetadata().getUid())).findFirst()
                        .orElseThrow(() -> new AssertionError("no nftables element of web: " + elements));
                deleteElement(sb, element);
                return () -> node.tableElements().equals(elements);
            }
            case FLUSH_RULESET -> {
                List<String> elements = node.tableElements();
                // inside the sandbox host namespace only, never the machine's own
                Shell.ok("ip", "netns", "exec", sb, "nft", "flush", "ruleset");
                return () -> node.tableElements().equals(elements);
            }
            case KILL_HELPER -> {
                int pid = node.helperPid().orElseThrow(() -> new AssertionError("no rootless helper pid file"));
                Shell.ok("kill", "-9", String.valueOf(pid));
                return () -> node.helperPid().filter(p -> p != pid && Files.isDirectory(Path.of("/proc/" + p))).isPresent();
            }
            default -> throw new IllegalArgumentException(drift.name());
        }
    }

    /**
     * A rootless pod's port moved to one another process listens on in the host namespace: not
     * repairable, so PortsReady=False names the holder; once the holder ends the pod is Ready.
     */
    private void portTaken() {
        int port = 32000 + random.nextInt(2000);
        Process holder;
        try {
            holder = new ProcessBuilder(Shell.in(node.agent.sandbox().name(), "python3", "-c",
                    "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
                            + "s.bind(('0.0.0.0'," + port + "))\ns.listen(1)\nprint('bound',flush=True)\ntime.sleep(120)"))
                    .redirectErrorStream(true).start();
            holder.getInputStream().read(new byte[6]); // "bound"
        } catch (IOException e) {
            throw new AssertionError("cannot start the port holder: " + e.getMessage(), e);
        }
        report.did(Drift.PORT_TAKEN.label());
        try {
            node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName("rl")
                    .edit(pn -> {
                        pn.getSpec().setPortMappings(List.of(PodNetworks.port(port, 80, "tcp", 1)));
                        return pn;
                    });
            String holderName = "pid " + holder.pid() + " (python3)";
            var condition = node.await("rl", pn -> pn != null && pn.getStatus() != null && pn.getStatus().getConditions().stream()
                    .anyMatch(c -> c.getType().equals("PortsReady") && "HostPortInUse".equals(c.getReason())), RESYNC.plus(PASS));
            if (condition.isEmpty()) {
                report.found("a taken port gave no PortsReady=False HostPortInUse: " + node.get("rl").getStatus().getConditions());
            } else {
                String message = condition.get().getStatus().getConditions().stream().filter(c -> c.getType().equals("PortsReady"))
                        .findFirst().orElseThrow().getMessage();
                if (!message.contains(holderName)) {
                    report.found("the HostPortInUse condition does not name the holder " + holderName + ": " + message);
                }
            }
        } finally {
            holder.destroyForcibly();
        }
        long freed = System.nanoTime();
        // the retry back-off of a failed reconcile, not the resync, brings it back: bounded more loosely
        if (node.await("rl", CampaignNode::ready, Duration.ofSeconds(60)).isEmpty()) {
            report.found("rl not Ready 60 s after the holder of its port ended: " + node.get("rl").getStatus().getConditions());
        } else {
            report.took("port taken: Ready after the holder ended", Duration.ofNanos(System.nanoTime() - freed));
            identities.put("rl", CampaignNode.Identity.of(node.get("rl")));
        }
    }

    /** No pod changed its interface names, MACs, addresses or ports, in its status or its namespace. */
    private void sameIdentities(Drift drift) {
        for (Map.Entry<String, CampaignNode.Identity> e : identities.entrySet()) {
            var pn = node.await(e.getKey(), CampaignNode::ready, Duration.ofSeconds(30));
            if (pn.isEmpty()) {
                report.found(e.getKey() + " not Ready after " + drift.label() + ": " + node.get(e.getKey()).getStatus().getConditions());
                continue;
            }
            CampaignNode.Identity now = CampaignNode.Identity.of(pn.get());
            if (!now.equals(e.getValue())) {
                report.found(e.getKey() + " changed after " + drift.label() + ": " + e.getValue() + " -> " + now);
            }
            if (!poll(() -> podLooksAsBefore(e.getKey()), Duration.ofSeconds(10))) {
                report.found(e.getKey() + "'s namespace differs from its status after " + drift.label() + ": "
                        + CampaignNode.kernelInterfaces(pn.get()) + " vs " + now);
            }
        }
    }

    /** The pod's namespace has each interface of its status with the same MAC and addresses. */
    private boolean podLooksAsBefore(String name) {
        CampaignNode.Identity id = identities.get(name);
        PodNetwork pn = node.get(name);
        Map<String, String> kernel = CampaignNode.kernelInterfaces(pn);
        return id.networks().values().stream().allMatch(i -> i.equals(kernel.get(i.substring(0, i.indexOf('=')))));
    }

    private String ifnameOf(String pod, String network) {
        String i = identities.get(pod).networks().get(network);
        return i.substring(0, i.indexOf('='));
    }

    private String ipOf(String pod, String network) {
        String[] parts = identities.get(pod).networks().get(network).split(" ");
        return parts[1];
    }

    private static boolean linkExists(String netns, String link) {
        return Shell.run("ip", "-n", netns, "link", "show", link).ok();
    }

    /** The table's lines, sorted and without counters: a restored chain may be listed elsewhere, and counters move. */
    private static List<String> rules(String sb) {
        Shell.Result r = Shell.run("ip", "netns", "exec", sb, "nft", "list", "table", "inet", "podnet");
        return Stream.of(r.output().split("\n")).map(l -> l.replaceAll("counter packets \\d+ bytes \\d+", "counter").trim())
                .filter(l -> !l.isEmpty()).sorted().toList();
    }

    private List<String> chains(String sb) {
        List<String> out = new ArrayList<>();
        try {
            for (JsonNode item : JSON.readTree(Shell.ok("ip", "netns", "exec", sb, "nft", "-j", "list", "table", "inet", "podnet")).path("nftables")) {
                if (item.has("chain")) {
                    out.add(item.get("chain").get("name").asText());
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }

    /** Deletes one element ("set-name element-json" as tableElements lists it) through nft's JSON input. */
    private static void deleteElement(String sb, String element) {
        String set = element.substring(0, element.indexOf(' '));
        String elem = element.substring(element.indexOf(' ') + 1);
        try {
            JsonNode e = JSON.readTree(elem);
            // a map element is [key, value]; delete names the key
            JsonNode key = e.isArray() ? e.get(0) : e;
            String command = "{\"nftables\":[{\"delete\":{\"element\":{\"family\":\"inet\",\"table\":\"podnet\",\"name\":\"" + set
                    + "\",\"elem\":[" + JSON.writeValueAsString(key) + "]}}}]}";
            Path file = Files.createTempFile("podnet-drift-", ".json");
            try {
                Files.writeString(file, command);
                Shell.ok("ip", "netns", "exec", sb, "nft", "-j", "-f", file.toString());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** podnet_repairs_total by kind, scraped from the agent. */

    private static boolean counted(Map<String, Double> before, Map<String, Double> after, String kindPrefix) {
        double b = before.entrySet().stream().filter(e -> e.getKey().startsWith(kindPrefix)).mapToDouble(Map.Entry::getValue).sum();
        double a = after.entrySet().stream().filter(e -> e.getKey().startsWith(kindPrefix)).mapToDouble(Map.Entry::getValue).sum();
        return a > b;
    }

    private static boolean poll(BooleanSupplier test, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (test.getAsBoolean()) {
                return true;
            }
            CampaignNode.sleep(50);
        }
        return test.getAsBoolean();
    }
}
