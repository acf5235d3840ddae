package io.podnet.campaign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.Condition;
import io.podnet.api.PodNetwork;
import io.podnet.netconf.NetworkDefinitionException;
import io.podnet.operator.NetworkDefinitionEvents;
import io.podnet.testing.PodNetworks;

/**
 * An admin puts a bad network definition file into the node's networks dir: malformed JSON, a
 * driver podnet does not support, macvlan on a parent that does not exist, an unsupported option,
 * an invalid subnet, a subnet overlapping another file's. Half the rounds write it before the agent
 * starts, the other half while it runs (the agent reads the dir again every resync). Each round
 * checks that the agent starts and stays up, that readiness detail,
 * {@code podnet_network_definitions{state="invalid"}} and a Node event name the bad file, that a
 * PodNetwork on the bad network gets Ready=False with a condition (and an event) naming the file
 * and the problem, that the PodNetworks on every good network stay Ready and a fresh one there
 * becomes Ready, and that once the file is fixed (with a restart, or without one while running)
 * the waiting PodNetwork becomes Ready. At the end, the file of a network in use is changed: its
 * PodNetwork keeps its addresses, and the change is reported as waiting until it is taken back.
 */
public final class BadNodeConfigCampaign {
    private static final String NODE = "node-badconfig";
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Resync interval of the agent: it reads the networks dir again at each. */
    private static final Duration RESYNC = Duration.ofSeconds(2);
    private static final List<String> GOOD = List.of("podnet", "backend");

    enum Fault {
        MALFORMED_JSON("malformed JSON", NetworkDefinitionException.INVALID, "JSON"),
        UNKNOWN_DRIVER("driver \"foo\"", NetworkDefinitionException.UNSUPPORTED_DRIVER, "foo"),
        MACVLAN_BAD_PARENT("macvlan on a missing parent", null, "nosuchparent0"),
        UNSUPPORTED_OPTION("unsupported option", NetworkDefinitionException.UNSUPPORTED_OPTION, "frobnicate"),
        INVALID_SUBNET("invalid subnet", NetworkDefinitionException.INVALID, "10.101.7.1/24"),
        OVERLAPPING_SUBNET("subnet overlapping backend's", NetworkDefinitionException.INVALID, "overlaps");

        final String label;
        /** The reason the load gives, or null when the file loads and the problem shows at setup. */
        final String reason;
        /** A word the condition's message must hold: the problem, in the admin's terms. */
        final String problem;

        Fault(String label, String reason, String problem) {
            this.label = label;
            this.reason = reason;
            this.problem = problem;
        }

        /** The bad file's JSON for network {@code name}. */
        String json(String name) {
            return switch (this) {
                case MALFORMED_JSON -> "{\"name\": \"" + name + "\", \"driver\": \"bridge\", \"subnets\": [";
                case UNKNOWN_DRIVER -> "{\"name\": \"" + name + "\", \"driver\": \"foo\", \"subnets\": [{\"subnet\": \"10.101.1.0/24\"}]}";
                case MACVLAN_BAD_PARENT -> "{\"name\": \"" + name + "\", \"driver\": \"macvlan\", \"network_interface\": \"nosuchparent0\","
                        + " \"subnets\": [{\"subnet\": \"10.101.2.0/24\"}]}";
                case UNSUPPORTED_OPTION -> good(name).replace("\"subnets\"", "\"options\": {\"frobnicate\": \"1\"}, \"subnets\"");
                case INVALID_SUBNET -> "{\"name\": \"" + name + "\", \"driver\": \"bridge\", \"network_interface\": \"pnbad0\","
                        + " \"subnets\": [{\"subnet\": \"10.101.7.1/24\"}]}";
                case OVERLAPPING_SUBNET -> "{\"name\": \"" + name + "\", \"driver\": \"bridge\", \"network_interface\": \"pnbad0\","
                        + " \"subnets\": [{\"subnet\": \"10.90.0.128/25\"}]}";
            };
        }
    }

    enum When {
        BEFORE_START("before start"), WHILE_RUNNING("while running");

        final String label;

        When(String label) {
            this.label = label;
        }
    }

    /** The fixed file: a bridge network of its own, so the waiting PodNetwork can become Ready. */
    static String good(String name) {
        return "{\"name\": \"" + name + "\", \"driver\": \"bridge\", \"network_interface\": \"pnbad0\", \"internal\": true,"
                + " \"subnets\": [{\"subnet\": \"10.101.9.0/24\", \"gateway\": \"10.101.9.1\"}]}";
    }

    private final CampaignReport report = new CampaignReport("bad-node-config");
    private CampaignNode node;
    private Path networks;
    private int counter;

    public static void main(String[] args) {
        CampaignReport report = run(args.length > 0 ? Integer.parseInt(args[0]) : 24);
        System.out.println(report.render());
        System.exit(report.findings().isEmpty() ? 0 : 1);
    }

    /** Runs {@code count} rounds: the faults in turn, alternately before start and while running. */
    public static CampaignReport run(int count) {
        return new BadNodeConfigCampaign().campaign(count);
    }

    private CampaignReport campaign(int count) {
        node = CampaignNode.start(NODE, Map.of("PODNET_RESYNC_INTERVAL", RESYNC.toSeconds() + "s"));
        try {
            networks = node.agent.runDir().resolveSibling("networks");
            for (String network : GOOD) {
                create("steady-" + network, network);
            }
            for (String network : GOOD) {
                node.await("steady-" + network, CampaignNode::ready, WAIT)
                        .orElseThrow(() -> new AssertionError("steady-" + network + " not Ready at the start"));
            }
            Fault[] faults = Fault.values();
            for (int i = 0; i < count && report.findings().size() < 20; i++) {
                // with 6 faults and 2 timings, i / 6 shifts the timing so each fault meets both over 12 rounds
                round(faults[i % faults.length], When.values()[(i + i / faults.length) % 2]);
            }
            changeInUse();
            report.figure("rounds", count);
            report.figure("agent starts", node.agent.logs().size());
        } catch (RuntimeException | AssertionError e) {
            report.found("the campaign stopped: " + e);
            e.printStackTrace();
        } finally {
            node.keepLogs("bad-node-config");
            node.close();
        }
        return report;
    }

    private void round(Fault fault, When when) {
        int n = counter++;
        String network = "bad" + n;
        // the overlapping file sorts after backend.json: a conflict is reported on the later file
        Path file = networks.resolve((fault == Fault.OVERLAPPING_SUBNET ? "zz-" : "") + network + ".json");
        String where = fault.label + " " + when.label;
        report.did(where);
        String waiting = "wait-" + n;
        if (when == When.BEFORE_START) {
            node.agent.stop();
            write(file, fault.json(network));
            start(where);
            create(waiting, network);
        } else {
            create(waiting, network);
            if (node.await(waiting, pn -> reason(pn).equals("UnknownNetwork"), WAIT).isEmpty()) { // the file not there yet
                report.found(where + ": " + waiting + " on a network no file defines is not refused as UnknownNetwork: " + conditions(node.get(waiting)));
            }
            long starts = node.agent.logs().size();
            write(file, fault.json(network)); // read again at the next resync: no restart
            if (node.agent.logs().size() != starts) {
                report.found(where + ": the agent was restarted");
            }
        }
        badNetworkReported(where, fault, file, waiting);
        goodNetworksWork(where);

        // the fix: the file rewritten as a good definition; before-start rounds restart, the others only wait
        write(file, good(network));
        if (when == When.BEFORE_START) {
            start(where + ", fixed");
        }
        long fixed = System.nanoTime();
        if (node.await(waiting, CampaignNode::ready, WAIT).isEmpty()) {
            report.found(where + ": " + waiting + " not Ready " + WAIT.toSeconds() + " s after the file was fixed: " + conditions(node.get(waiting)));
        } else {
            report.took(when == When.BEFORE_START ? "Ready after the fix and restart" : "Ready after the fix while running",
                    Duration.ofNanos(System.nanoTime() - fixed));
        }
        if (!awaitReadyDetail("ok")) {
            report.found(where + ": readiness still reports a bad definition after the fix: " + readyDetail());
        }
        delete(waiting);
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * backend's file changed while steady-backend uses it: the PodNetwork keeps its addresses and
     * stays Ready, the change is reported as waiting (readiness, gauge, Node event), and taking the
     * change back ends the wait.
     */
    private void changeInUse() {
        String where = "backend.json changed while in use";
        report.did(where);
        Path file = networks.resolve("backend.json");
        String original;
        try {
            original = Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CampaignNode.Identity before = CampaignNode.Identity.of(node.get("steady-backend"));
        write(file, original.replace("10.90.0.0/24", "10.101.8.0/24").replace("10.90.0.1", "10.101.8.1"));
        if (!awaitReadyDetail("1 change(s) waiting: network \"backend\" (" + file + ") changed")) {
            report.found(where + ": readiness does not report the waiting change: " + readyDetail());
        }
        Double pending = gauge("pending");
        if (pending == null || pending != 1.0) {
            report.found(where + ": podnet_network_definitions{state=\"pending\"} is " + pending + ", not 1");
        }
        if (!nodeEventNames(NetworkDefinitionEvents.WAITING, "backend.json")) {
            report.found(where + ": no Node event says the change waits");
        }
        CampaignNode.sleep(2 * RESYNC.toMillis());
        PodNetwork steady = node.get("steady-backend");
        if (!CampaignNode.ready(steady) || !CampaignNode.Identity.of(steady).equals(before)) {
            report.found(where + ": steady-backend changed or is not Ready: " + before + " -> "
                    + (steady == null ? null : CampaignNode.Identity.of(steady)) + " " + conditions(steady));
        }
        write(file, original);
        if (!awaitReadyDetail("ok")) {
            report.found(where + ": the change taken back still waits: " + readyDetail());
        }
    }

    /** After a start with the bad file: the agent up, its readiness, metric, condition and event naming the file. */
    private void badNetworkReported(String where, Fault fault, Path file, String waiting) {
        String name = file.getFileName().toString();
        Optional<PodNetwork> refused = node.await(waiting, BadNodeConfigCampaign::refused, WAIT);
        if (fault.reason != null) {
            if (!awaitReadyDetail(name) || !readyDetail().contains(fault.problem)) {
                report.found(where + ": readiness detail does not name " + name + " and its problem: " + readyDetail());
            }
            Double invalid = gauge("invalid");
            if (invalid == null || invalid != 1.0) {
                report.found(where + ": podnet_network_definitions{state=\"invalid\"} is " + invalid + ", not 1");
            }
            if (!nodeEventNames(NetworkDefinitionEvents.UNUSABLE, name)) {
                report.found(where + ": no Node event names " + name);
            }
        }
        if (refused.isEmpty()) {
            report.found(where + ": " + waiting + " on the bad network got no Ready=False: " + conditions(node.get(waiting)));
            return;
        }
        Condition ready = readyCondition(refused.get());
        report.did(fault.label + " -> " + ready.getReason());
        String message = ready.getMessage();
        boolean namesFile = fault.reason == null || message.contains(name);
        if ((fault.reason != null && !fault.reason.equals(ready.getReason())) || !namesFile || !message.contains(fault.problem)) {
            report.found(where + ": the condition does not name the file and the problem: " + ready.getReason() + ": " + message);
        }
        if (!eventNames(waiting, fault.reason == null ? fault.problem : name)) {
            report.found(where + ": no event on " + waiting + " names " + (fault.reason == null ? fault.problem : name));
        }
    }

    /** The steady PodNetworks of every good network Ready, and a fresh one on each becomes Ready. */
    private void goodNetworksWork(String where) {
        for (String network : GOOD) {
            String steady = "steady-" + network;
            if (node.await(steady, CampaignNode::ready, WAIT).isEmpty()) {
                report.found(where + ": " + steady + " not Ready: " + conditions(node.get(steady)));
            }
        }
        String network = GOOD.get(counter % GOOD.size());
        String fresh = "fresh-" + counter;
        create(fresh, network);
        long start = System.nanoTime();
        if (node.await(fresh, CampaignNode::ready, WAIT).isEmpty()) {
            report.found(where + ": a fresh PodNetwork on good network " + network + " not Ready: " + conditions(node.get(fresh)));
        } else {
            report.took("fresh PodNetwork on a good network Ready", Duration.ofNanos(System.nanoTime() - start));
        }
        delete(fresh);
    }

    /** (Re)starts the agent on the networks dir as it is now; it must come up ready. */
    private void start(String where) {
        try {
            node.agent.restart();
        } catch (RuntimeException e) {
            report.found(where + ": the agent did not start: " + e.getMessage());
            throw e;
        }
    }

    private String readyDetail() {
        String body = node.agent.body("/q/health/ready");
        Matcher m = Pattern.compile("\"networkDefinitions\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(body);
        return m.find() ? m.group(1).replace("\\\"", "\"") : "missing in " + body;
    }

    /** Whether the readiness detail holds {@code text} within a few resyncs ("ok" must be the whole detail). */
    private boolean awaitReadyDetail(String text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        do {
            String detail = readyDetail();
            if (text.equals("ok") ? detail.equals("ok") : detail.contains(text)) {
                return true;
            }
            CampaignNode.sleep(200);
        } while (System.nanoTime() < deadline);
        return false;
    }

    /** {@code podnet_network_definitions{state}}, or null when no scrape in 10 s had it (a scrape on a loaded machine can time out). */
    private Double gauge(String state) {
        Pattern series = Pattern.compile("podnet_network_definitions\\{state=\"" + state + "\",?\\}\\s+(\\S+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        do {
            Matcher m = series.matcher(node.agent.body("/q/metrics"));
            if (m.find()) {
                return Double.valueOf(m.group(1));
            }
            CampaignNode.sleep(200);
        } while (System.nanoTime() < deadline);
        return null;
    }

    /** Whether an event on the agent's Node (namespace default) with this reason mentions {@code text}. */
    private boolean nodeEventNames(String reason, String text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            boolean found = node.admin.v1().events().inNamespace("default").list().getItems().stream()
                    .anyMatch(e -> "Node".equals(e.getInvolvedObject().getKind()) && NODE.equals(e.getInvolvedObject().getName())
                            && reason.equals(e.getReason()) && e.getMessage() != null && e.getMessage().contains(text));
            if (found) {
                return true;
            }
            CampaignNode.sleep(200);
        }
        return false;
    }

    private boolean eventNames(String pn, String text) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            boolean found = node.admin.v1().events().inNamespace(node.ns).list().getItems().stream()
                    .anyMatch(e -> pn.equals(e.getInvolvedObject().getName()) && e.getMessage() != null && e.getMessage().contains(text));
            if (found) {
                return true;
            }
            CampaignNode.sleep(200);
        }
        return false;
    }

    static boolean refused(PodNetwork pn) {
        return pn != null && pn.getStatus() != null && pn.getStatus().getConditions().stream()
                .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("False") && c.getReason() != null
                        && !c.getReason().equals("UnknownNetwork"));
    }

    /** The reason of a Ready=False condition, or "". */
    private static String reason(PodNetwork pn) {
        return pn == null || pn.getStatus() == null ? "" : pn.getStatus().getConditions().stream()
                .filter(c -> c.getType().equals("Ready") && c.getStatus().equals("False") && c.getReason() != null)
                .map(Condition::getReason).findFirst().orElse("");
    }

    private static Condition readyCondition(PodNetwork pn) {
        return pn.getStatus().getConditions().stream().filter(c -> c.getType().equals("Ready")).findFirst().orElseThrow();
    }

    private static String conditions(PodNetwork pn) {
        return pn == null || pn.getStatus() == null ? "no status" : String.valueOf(pn.getStatus().getConditions());
    }

    private void create(String name, String network) {
        node.admin.resource(PodNetworks.of(node.ns, name, NODE, network)).create();
    }

    private void delete(String name) {
        node.admin.resources(PodNetwork.class).inNamespace(node.ns).withName(name).delete();
        if (!node.awaitGone(name, WAIT)) {
            report.found(name + " not deleted in " + WAIT.toSeconds() + " s");
        }
    }

    private static void write(Path file, String json) {
        try {
            Files.writeString(file, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
