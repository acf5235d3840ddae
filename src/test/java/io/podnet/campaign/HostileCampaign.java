package io.podnet.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.client.utils.Serialization;
import io.podnet.api.PodNetwork;
import io.podnet.apiserver.Crds;
import io.podnet.engine.plan.NetnsPolicy;
import io.podnet.inet.Cidr;
import io.podnet.inet.PortRange;
import io.podnet.netconf.NetworkDefinitions;
import io.podnet.netns.NetnsManager;
import io.podnet.operator.AgentVerdicts;
import io.podnet.policy.Grant;
import io.podnet.policy.NetnsJoin;
import io.podnet.policy.NodePolicy;
import io.podnet.policy.Tenant;
import io.podnet.testing.Shell;
import io.podnet.testing.Trees;
import io.podnet.testing.kube.AgentProcess;
import io.podnet.testing.kube.LocalApiServer;

import org.quicktheories.QuickTheory;
import org.quicktheories.core.Gen;

/**
 * Generated hostile PodNetworks (see {@link HostileSpecs}), each sent as raw JSON to the real API
 * server (schema and CEL, as a server-side dry run) and to the embedded API (no schema), behind
 * which a packaged agent runs on its own sandbox. Promises checked:
 * <ul>
 * <li>the agent never crashes and keeps reconciling: a canary stays Ready, and a fresh good
 * PodNetwork created with every batch becomes Ready;</li>
 * <li>every stored PodNetwork of its node gets a Ready condition with a reason;</li>
 * <li>nothing refused reaches the kernel or the file system: no namespace, state file or host link
 * of a refused one, and after each batch's deletion the sandbox host is as before;</li>
 * <li>the agent's checks and the CRD's rules agree: what the real server refuses, the agent refuses
 * too, both in-process (its mapper and validator, with a policy that grants everything, so no
 * check hides behind another) and as a process on the embedded API. A disagreement is shrunk by
 * QuickTheories to a smallest spec that still shows it.</li>
 * </ul>
 */
public final class HostileCampaign {
    static final String NODE = "hostile";
    private static final int BATCH = 20;
    private static final Duration VERDICT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration CAMPAIGN_TIMEOUT = Duration.ofMinutes(40);
    private static final int SHRINK_STEPS = 200;

    private final CampaignReport report = new CampaignReport("hostile");
    private final RawApi real;
    private final RawApi embedded;
    private final AgentProcess agent;
    private final NetworkDefinitions networks;
    private final NetnsPolicy netnsPolicy;
    private final NodePolicy grantAll = new NodePolicy(List.of(new Grant("all", Set.of(Grant.ALL_NAMESPACES), Map.of(),
            EnumSet.allOf(NetnsJoin.class), true, List.of(PortRange.ALL), List.of(Cidr.parse("0.0.0.0/0"), Cidr.parse("::/0")))));
    private final Map<String, Integer> reasons = new LinkedHashMap<>();

    private HostileCampaign(RawApi real, RawApi embedded, AgentProcess agent, NetworkDefinitions networks) {
        this.real = real;
        this.embedded = embedded;
        this.agent = agent;
        this.networks = networks;
        this.netnsPolicy = new NetnsPolicy(List.of(Path.of("/run/netns")), agent.sandbox().path(), NetnsManager::isNsfs, id -> List.of());
    }

    public static void main(String[] args) {
        CampaignReport report = run(args.length > 0 ? Integer.parseInt(args[0]) : 1000);
        System.out.println(report.render());
        System.exit(report.findings().isEmpty() ? 0 : 1);
    }

    public static CampaignReport run(int count) {
        LocalApiServer server = LocalApiServer.shared();
        Crds.apply(server.adminClient());
        String target = "podnet-hostile-target-" + UUID.randomUUID().toString().substring(0, 8);
        Path home = null;
        Process live = null;
        AgentProcess agent = null;
        try {
            home = Files.createTempDirectory("podnet-hostile-");
            Shell.ok("ip", "netns", "add", target);
            live = new ProcessBuilder("ip", "netns", "exec", target, "sleep", "3600").start();
            Process dead = new ProcessBuilder("true").start();
            dead.waitFor();
            Path kubeconfig = home.resolve("kubeconfig");
            agent = AgentProcess.start(NODE, Map.of("PODNET_EMBEDDED_ENABLED", "true",
                    "PODNET_EMBEDDED_KUBECONFIG", kubeconfig.toString(),
                    "PODNET_EMBEDDED_STORE_DIR", home.resolve("store").toString()));
            String conf = Files.readString(kubeconfig);
            RawApi embedded = new RawApi(kubeconfigField(conf, "server"), kubeconfigField(conf, "token"),
                    Base64.getDecoder().decode(kubeconfigField(conf, "certificate-authority-data")));
            RawApi real = new RawApi(server.url(), server.adminToken(), Files.readAllBytes(server.caFile()));
            HostileCampaign campaign = new HostileCampaign(real, embedded, agent,
                    NetworkDefinitions.load(agent.runDir().getParent().resolve("networks")));
            long livePid = livePid(live);
            campaign.campaign(count, new HostileSpecs(new HostileSpecs.Node(NODE, "/run/netns/" + target,
                    ProcessHandle.current().pid(), dead.pid(), livePid)));
            return campaign.report;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            if (agent != null) {
                agent.close();
            }
            if (live != null) {
                live.destroyForcibly();
            }
            Shell.run("ip", "netns", "delete", target);
            if (home != null) {
                Trees.delete(home);
            }
        }
    }

    private static String kubeconfigField(String kubeconfig, String key) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*" + key + ":\\s*\"?([^\"\\s]+)").matcher(kubeconfig);
        if (!m.find()) {
            throw new IllegalStateException("the embedded API's kubeconfig has no " + key);
        }
        return m.group(1);
    }

    /** The sleep's own pid: `ip netns exec` execs it, so the child is the sleep in the target namespace. */
    private static long livePid(Process live) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            try {
                if (Files.readSymbolicLink(Path.of("/proc", Long.toString(live.pid()), "exe")).toString().endsWith("sleep")) {
                    return live.pid();
                }
            } catch (IOException e) {
                // not yet exec'd
            }
            Thread.sleep(100);
        }
        return live.pid();
    }

    private void campaign(int count, HostileSpecs specs) throws InterruptedException {
        long deadline = System.nanoTime() + CAMPAIGN_TIMEOUT.toNanos();
        Gen<ObjectNode> gen = specs.specs();
        long seed = Long.getLong("podnet.campaign.seed", System.nanoTime());
        report.figure("seed (-Dpodnet.campaign.seed)", seed);
        agreement(count, gen, seed);
        List<ObjectNode> generated = new ArrayList<>();
        QuickTheory.qt().withFixedSeed(seed + 1).withExamples(count).withGenerateAttempts(count * 10)
                .forAll(gen).checkAssert(generated::add);
        createGood("canary");
        awaitReady(List.of("canary"));
        Map<String, String> hostBefore = hostSide();
        int tried = 0;
        for (int batch = 0; tried < generated.size() && System.nanoTime() < deadline; batch++) {
            List<ObjectNode> slice = generated.subList(tried, Math.min(generated.size(), tried + BATCH));
            tried += slice.size();
            batch(batch, slice);
            if (!agent.isAlive()) {
                report.found("the agent exited during batch " + batch + ":\n" + agent.tail());
                break;
            }
            Map<String, String> hostAfter = hostSide();
            if (!hostAfter.equals(hostBefore)) {
                report.found("after batch " + batch + " was deleted, the sandbox host differs: before " + hostBefore + ", after " + hostAfter);
                hostBefore = hostAfter;
            }
        }
        report.figure("specs tried on the embedded API (agent process)", tried);
        reasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .forEach(e -> report.did("agent on embedded API: " + e.getKey(), e.getValue()));
    }

    /**
     * The property "what the real server refuses, the agent's checks refuse", over {@code count}
     * generated specs; QuickTheories shrinks the first counterexample before it reports it.
     */
    private void agreement(int count, Gen<ObjectNode> gen, long seed) {
        int[] tried = {0};
        try {
            QuickTheory.qt().withFixedSeed(seed).withExamples(count).withShrinkCycles(SHRINK_STEPS).withGenerateAttempts(count * 10)
                    .forAll(gen).check(spec -> {
                        tried[0]++;
                        RawApi.Answer onReal = real.post(RawApi.collection("default") + "?dryRun=All", object("dry", spec));
                        if (onReal.code() == -1 || onReal.code() >= 500) {
                            report.found("the real server answered " + onReal.code() + " to " + spec + ": " + onReal.body());
                        }
                        String verdict = inProcess(spec);
                        report.did(onReal.ok() ? "real server (dry run): accepted" : "real server (dry run): refused");
                        report.did(verdict.equals(AgentVerdicts.ALLOWED) ? "agent's checks (in-process): accepted"
                                : "agent's checks (in-process): refused");
                        return onReal.ok() || !verdict.equals(AgentVerdicts.ALLOWED);
                    });
        } catch (AssertionError e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            report.found("the real server refuses and the agent's checks accept (shrunk by QuickTheories): "
                    + message.substring(0, Math.min(message.length(), 2000)));
        }
        report.figure("specs tried on the real API server (with shrinking)", tried[0]);
    }

    private void batch(int batch, List<ObjectNode> generated) throws InterruptedException {
        Map<String, ObjectNode> stored = new LinkedHashMap<>();
        Map<String, Boolean> realRefused = new HashMap<>();
        for (int i = 0; i < generated.size(); i++) {
            String name = "h" + batch + "-" + i;
            ObjectNode spec = generated.get(i);
            RawApi.Answer onReal = real.post(RawApi.collection("default") + "?dryRun=All", object(name, spec));
            boolean refused = !onReal.ok();
            if (onReal.code() == -1 || onReal.code() >= 500) {
                report.found("the real server answered " + onReal.code() + " to " + spec + ": " + onReal.body());
            }
            report.did(refused ? "specs the real server refused" : "specs the real server accepted");
            if (refused) {
                JsonNode cause = onReal.json().at("/details/causes/0/field");
                report.did("  real server refused at " + (cause.isMissingNode() ? "(no field)" : cause.asText().replaceAll("\\[\\d+\\]", "[]")));
            }
            realRefused.put(name, refused);
            RawApi.Answer onEmbedded = embedded.post(RawApi.collection("default"), object(name, spec));
            if (onEmbedded.ok()) {
                stored.put(name, spec);
                report.did("specs the embedded API stored");
            } else {
                report.did("specs the embedded API refused at the door (" + onEmbedded.code() + ")");
                if (onEmbedded.code() == -1 || onEmbedded.code() >= 500) {
                    report.found("the embedded API answered " + onEmbedded.code() + " to " + spec + ": " + onEmbedded.body());
                }
            }
        }
        String probe = "probe-" + batch;
        createGood(probe);
        Map<String, JsonNode> seen = awaitVerdicts(stored, probe);
        check(stored, realRefused, seen, probe);
        List<String> names = new ArrayList<>(stored.keySet());
        names.add(probe);
        for (String name : names) {
            embedded.delete(RawApi.collection("default") + "/" + name);
        }
        awaitGone(names);
    }

    /** The agent's own verdict on the spec, in-process; a throw other than a refusal is a crash. */
    private String inProcess(ObjectNode spec) {
        try {
            PodNetwork pn = Serialization.unmarshal(object("x", spec), PodNetwork.class);
            pn.getMetadata().setUid(UUID.randomUUID().toString());
            if (!NODE.equals(pn.getSpec() == null ? null : pn.getSpec().getNodeName())) {
                return "OtherNode";
            }
            return AgentVerdicts.ofAll(pn, Tenant.named("default"), networks, netnsPolicy, grantAll);
        } catch (RuntimeException e) {
            report.found("the agent's checks threw " + e + " on " + spec);
            return "Threw";
        }
    }

    private static String object(String name, JsonNode spec) {
        ObjectNode o = RawApi.JSON.createObjectNode().put("apiVersion", "podnet.io/v1alpha1").put("kind", "PodNetwork");
        o.putObject("metadata").put("name", name).put("namespace", "default");
        o.set("spec", spec);
        return o.toString();
    }

    private void createGood(String name) {
        ObjectNode spec = RawApi.JSON.createObjectNode().put("nodeName", NODE);
        spec.putArray("networks").addObject().put("name", "podnet");
        RawApi.Answer a = embedded.post(RawApi.collection("default"), object(name, spec));
        if (!a.ok()) {
            report.found("the embedded API refused the good PodNetwork " + name + ": " + a.code() + " " + a.body());
        }
    }

    private Map<String, JsonNode> list() {
        RawApi.Answer a = embedded.get(RawApi.collection("default"));
        Map<String, JsonNode> out = new HashMap<>();
        if (a.ok()) {
            a.json().path("items").forEach(i -> out.put(i.at("/metadata/name").asText(), i));
        }
        return out;
    }

    private static JsonNode ready(JsonNode pn) {
        for (JsonNode c : pn.at("/status/conditions")) {
            if (c.path("type").asText().equals("Ready")) {
                return c;
            }
        }
        return null;
    }

    private static boolean isReady(JsonNode pn) {
        JsonNode c = pn == null ? null : ready(pn);
        return c != null && c.path("status").asText().equals("True");
    }

    private void awaitReady(List<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + VERDICT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, JsonNode> all = list();
            if (names.stream().allMatch(n -> isReady(all.get(n)))) {
                return;
            }
            Thread.sleep(250);
        }
        report.found(names + " did not become Ready within " + VERDICT_TIMEOUT.toSeconds() + " s:\n" + agent.tail());
    }

    /** Waits until every stored spec of this node has a Ready condition with a reason, and the probe is Ready. */
    private Map<String, JsonNode> awaitVerdicts(Map<String, ObjectNode> stored, String probe) throws InterruptedException {
        long deadline = System.nanoTime() + VERDICT_TIMEOUT.toNanos();
        Map<String, JsonNode> all = Map.of();
        while (System.nanoTime() < deadline) {
            all = list();
            Map<String, JsonNode> seen = all;
            boolean done = isReady(seen.get(probe)) && stored.keySet().stream().filter(n -> onThisNode(seen.get(n)))
                    .allMatch(n -> ready(seen.get(n)) != null && !ready(seen.get(n)).path("reason").asText().isEmpty()
                            && seen.get(n).at("/status/observedGeneration").asLong(-1) == seen.get(n).at("/metadata/generation").asLong(-2));
            if (done) {
                return all;
            }
            Thread.sleep(250);
        }
        return all;
    }

    private static boolean onThisNode(JsonNode pn) {
        return pn != null && NODE.equals(pn.at("/spec/nodeName").isTextual() ? pn.at("/spec/nodeName").asText() : null);
    }

    private void check(Map<String, ObjectNode> stored, Map<String, Boolean> realRefused, Map<String, JsonNode> seen, String probe) {
        if (!isReady(seen.get("canary"))) {
            report.found("the canary is no longer Ready: " + seen.get("canary"));
        }
        if (!isReady(seen.get(probe))) {
            report.found("the good PodNetwork " + probe + " created beside the batch did not become Ready: " + seen.get(probe));
        }
        int readyVeths = 0;
        for (var e : stored.entrySet()) {
            JsonNode pn = seen.get(e.getKey());
            if (pn == null) {
                report.found(e.getKey() + " was stored but is gone: " + e.getValue());
                continue;
            }
            if (!onThisNode(pn)) {
                report.did("stored specs of no node of the agent's");
                continue;
            }
            JsonNode c = ready(pn);
            if (c == null || c.path("reason").asText().isEmpty()) {
                report.found("no Ready condition with a reason within " + VERDICT_TIMEOUT.toSeconds() + " s for " + e.getValue()
                        + ": status " + pn.path("status"));
                continue;
            }
            boolean accepted = c.path("status").asText().equals("True");
            reasons.merge(accepted ? "Ready" : c.path("reason").asText(), 1, Integer::sum);
            if (accepted && realRefused.get(e.getKey())) {
                report.found("the agent on the embedded API made Ready what the real server refuses: " + e.getValue());
            }
            String uid = pn.at("/metadata/uid").asText();
            Path netns = Path.of("/run/netns", "podnet-" + uid);
            Path state = agent.runDir().getParent().resolve("state").resolve("pods").resolve(uid + ".json");
            if (!accepted && Files.exists(netns)) {
                report.found("refused (" + c.path("reason").asText() + ") but its namespace " + netns + " exists: " + e.getValue());
            }
            if (!accepted && Files.exists(state)) {
                report.found("refused (" + c.path("reason").asText() + ") but its state file " + state + " exists: " + e.getValue());
            }
            if (accepted && pn.at("/spec/mode").asText("Rootful").equals("Rootful")) {
                readyVeths += pn.at("/status/networks").size();
            }
        }
        int veths = vethsOnHost();
        int expected = readyVeths + 2; // the canary's and the probe's
        if (veths != expected) {
            report.found("the sandbox host has " + veths + " veths where the Ready PodNetworks account for " + expected);
        }
    }

    private int vethsOnHost() {
        return Shell.ipJson(agent.sandbox().path().toString(), "link", "show", "type", "veth").size();
    }

    /** The sandbox host's links, addresses and nftables ruleset, to compare before and after a batch. */
    private Map<String, String> hostSide() {
        Map<String, String> out = new LinkedHashMap<>();
        Set<String> links = new TreeSet<>();
        Shell.ipJson(agent.sandbox().path().toString(), "link", "show").forEach(l -> links.add(l.path("ifname").asText()));
        out.put("links", links.toString());
        out.put("nft", Shell.run("nsenter", "--net=" + agent.sandbox().path(), "nft", "list", "ruleset").output()
                .replaceAll("(?m)^\\s*# handle \\d+$", ""));
        return out;
    }

    private void awaitGone(List<String> names) throws InterruptedException {
        long deadline = System.nanoTime() + VERDICT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, JsonNode> all = list();
            if (names.stream().noneMatch(all::containsKey)) {
                return;
            }
            Thread.sleep(250);
        }
        Map<String, JsonNode> all = list();
        report.found("still there " + VERDICT_TIMEOUT.toSeconds() + " s after deletion: "
                + names.stream().filter(all::containsKey).map(n -> n + " " + all.get(n).path("status")).toList());
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
