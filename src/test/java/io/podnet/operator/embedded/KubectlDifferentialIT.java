package io.podnet.operator.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.apiserver.ChartRbac;
import io.podnet.apiserver.Crds;
import io.podnet.testing.RequiresRoot;
import io.podnet.testing.Trees;
import io.podnet.testing.kube.AgentProcess;
import io.podnet.testing.kube.Kubectl;
import io.podnet.testing.kube.LocalApiServer;
import io.podnet.testing.kube.RequiresApiServer;

/**
 * One kubectl script, run against the real API server (with an agent on it) and against an
 * agent's embedded API, step by step; the answers are compared after what must differ is
 * normalised (UIDs, resourceVersions, times, ages, MACs, the agents' own folders). A difference
 * is a bug of the embedded API unless the README lists it under "What the embedded API does not
 * do"; the whole comparison is written to target/kubectl-differences.txt.
 */
@RequiresRoot
@RequiresApiServer
class KubectlDifferentialIT {
    private static final String NS = "kubectl-diff";
    private static final String NODE = "diff-node";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final Path REPORT = Path.of("target", "kubectl-differences.txt");

    /** One kubectl call of the script, and what to wait for on both sides before the next. */
    private record Step(String name, String stdin, List<String> args, String awaitJsonPath, String awaitValue) {
        static Step of(String name, String... args) {
            return new Step(name, null, List.of(args), null, null);
        }

        static Step apply(String name, String manifest) {
            return new Step(name, manifest, List.of("apply", "-f", "-"), null, null);
        }

        Step thenAwait(String jsonPath, String value) {
            return new Step(name, stdin, args, jsonPath, value);
        }
    }

    @Test
    void kubectlGetsTheSameAnswersFromTheEmbeddedApiAsFromTheRealOne() throws Exception {
        LocalApiServer server = LocalApiServer.shared();
        Path home = Files.createTempDirectory("podnet-kubectl-diff-");
        try (KubernetesClient admin = server.adminClient()) {
            Crds.apply(admin);
            Map<String, String> onRealServer = ChartRbac.agentEnvironment(server, admin);
            Path embeddedKubeconfig = home.resolve("embedded.kubeconfig");
            try (AgentProcess realAgent = AgentProcess.start(NODE, onRealServer);
                    AgentProcess embeddedAgent = AgentProcess.start(NODE, Map.of(
                            "PODNET_EMBEDDED_ENABLED", "true",
                            "PODNET_EMBEDDED_KUBECONFIG", embeddedKubeconfig.toString()))) {
                Kubectl real = new Kubectl(server.kubeconfig("kubectl-diff", server.adminToken()));
                Kubectl embedded = new Kubectl(embeddedKubeconfig);
                Normaliser realSide = new Normaliser(realAgent.runDir().getParent());
                Normaliser embeddedSide = new Normaliser(embeddedAgent.runDir().getParent());

                List<String> report = new ArrayList<>();
                Set<String> differing = new TreeSet<>();
                for (Step step : script()) {
                    Kubectl.Result r = real.run(step.stdin(), step.args());
                    Kubectl.Result e = embedded.run(step.stdin(), step.args());
                    String a = realSide.of(r);
                    String b = embeddedSide.of(e);
                    report.add("### " + step.name() + ": kubectl " + String.join(" ", step.args()));
                    if (a.equals(b)) {
                        report.add("same:\n" + a);
                    } else {
                        differing.add(step.name());
                        report.add("real API server:\n" + a + "\nembedded API:\n" + b);
                    }
                    if (step.awaitJsonPath() != null) {
                        for (Kubectl side : List.of(real, embedded)) {
                            try {
                                await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(250)).until(() -> side
                                        .run("get", "-n", NS, "pn", "web", "-o", "jsonpath=" + step.awaitJsonPath()).stdout().trim()
                                        .equals(step.awaitValue()));
                            } catch (org.awaitility.core.ConditionTimeoutException timeout) {
                                differing.add(step.name() + "-never-" + (side == real ? "on-the-real-server" : "on-the-embedded-api"));
                                report.add("!!! " + step.awaitJsonPath() + " never became " + step.awaitValue() + ":\n"
                                        + side.run("get", "-n", NS, "pn", "web", "-o", "yaml").stdout());
                            }
                        }
                    }
                    Files.createDirectories(REPORT.getParent());
                    Files.writeString(REPORT, String.join("\n", report) + "\n");
                }
                String realWatch = realSide.watch(real);
                String embeddedWatch = embeddedSide.watch(embedded);
                report.add("### watch: kubectl get pn -w\nreal API server:\n" + realWatch + "\nembedded API:\n" + embeddedWatch);
                if (!realWatch.equals(embeddedWatch)) {
                    differing.add("watch");
                }
                // the real agent tears its pods down before it stops; the embedded API goes with its agent
                real.run("delete", "-n", NS, "pn", "--all", "--wait=true", "--timeout=60s");
                Files.createDirectories(REPORT.getParent());
                Files.writeString(REPORT, String.join("\n", report) + "\n");

                Set<String> documented = documentedDifferences();
                assertThat(differing).as("steps where the embedded API answers kubectl otherwise than the real one, and the README does "
                        + "not say so (see %s)", REPORT.toAbsolutePath()).isSubsetOf(documented);
                assertThat(documented).as("differences the README lists that are gone (see %s)", REPORT.toAbsolutePath())
                        .isSubsetOf(differing);
                assertThat(realWatch).as("kubectl get -w streams the change").contains("labelled");
            }
        } finally {
            Trees.delete(home);
        }
    }

    private static List<Step> script() {
        return List.of(
                Step.apply("apply-namespace", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + NS + "\n"),
                Step.of("create-namespace", "create", "namespace", NS + "-created"),
                Step.apply("apply-create", web(List.of("podnet"), List.of("10.0.0.10", "10.0.0.11"), true))
                        .thenAwait("{.status.phase}", "Ready"),
                Step.of("wait-ready", "wait", "-n", NS, "--for=condition=Ready", "pn/web", "--timeout=60s"),
                Step.of("get-yaml", "get", "-n", NS, "pn", "web", "-o", "yaml"),
                Step.of("get-json", "get", "-n", NS, "pn", "web", "-o", "json"),
                Step.of("get-table", "get", "-n", NS, "pn"),
                Step.of("get-wide", "get", "-n", NS, "pn", "-o", "wide"),
                Step.apply("apply-item-added", web(List.of("podnet", "backend"), List.of("10.0.0.10", "10.0.0.11", "10.0.0.12"), true))
                        .thenAwait("{.status.networks.backend.interfaces.eth1.subnets[0].ipnet}", "10.90.0.2/24"),
                Step.of("get-after-item-added", "get", "-n", NS, "pn", "web", "-o", "yaml"),
                Step.apply("apply-items-reordered", web(List.of("podnet", "backend"), List.of("10.0.0.12", "10.0.0.10", "10.0.0.11"), true)),
                Step.of("get-after-reorder", "get", "-n", NS, "pn", "web", "-o", "jsonpath={.spec.dns.servers}"),
                Step.apply("apply-item-removed", web(List.of("podnet", "backend"), List.of("10.0.0.10"), true)),
                Step.of("get-after-item-removed", "get", "-n", NS, "pn", "web", "-o", "jsonpath={.spec.dns.servers}"),
                Step.apply("apply-field-removed", web(List.of("podnet", "backend"), List.of(), false)),
                Step.of("get-after-field-removed", "get", "-n", NS, "pn", "web", "-o", "jsonpath={.spec}"),
                Step.of("patch-merge", "patch", "-n", NS, "pn", "web", "--type", "merge", "-p", "{\"metadata\":{\"labels\":{\"tier\":\"web\"}}}"),
                Step.of("patch-json", "patch", "-n", NS, "pn", "web", "--type", "json",
                        "-p", "[{\"op\":\"add\",\"path\":\"/metadata/annotations/note\",\"value\":\"x\"}]"),
                Step.of("patch-strategic", "patch", "-n", NS, "pn", "web", "-p", "{\"metadata\":{\"labels\":{\"s\":\"1\"}}}"),
                Step.of("annotate", "annotate", "-n", NS, "pn", "web", "owner=team-a"),
                Step.of("label", "label", "-n", NS, "pn", "web", "env=test"),
                Step.of("label-without-overwrite", "label", "-n", NS, "pn", "web", "env=prod"),
                Step.of("get-labels", "get", "-n", NS, "pn", "web", "-o", "jsonpath={.metadata.labels}"),
                Step.of("get-by-label", "get", "-n", NS, "pn", "-l", "env=test", "-o", "name"),
                Step.of("describe", "describe", "-n", NS, "pn", "web"),
                Step.of("get-events", "get", "-n", NS, "events", "--field-selector", "involvedObject.name=web",
                        "-o", "custom-columns=TYPE:.type,REASON:.reason,OBJECT:.involvedObject.name", "--no-headers"),
                Step.of("get-missing", "get", "-n", NS, "pn", "nothing-here"),
                Step.of("hold", "patch", "-n", NS, "pn", "web", "--type", "json",
                        "-p", "[{\"op\":\"add\",\"path\":\"/metadata/finalizers/-\",\"value\":\"example.com/hold\"}]"),
                Step.of("delete-held", "delete", "-n", NS, "pn", "web", "--wait=false")
                        .thenAwait("{.metadata.finalizers}", "[\"example.com/hold\"]"), // the agent has let go
                Step.of("get-held", "get", "-n", NS, "pn", "web", "-o", "jsonpath={.metadata.finalizers}"),
                Step.of("release", "patch", "-n", NS, "pn", "web", "--type", "json", "-p", "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]"),
                Step.of("get-released", "get", "-n", NS, "pn", "web", "--ignore-not-found", "-o", "name"),
                Step.apply("apply-db", db()),
                Step.of("wait-db", "wait", "-n", NS, "--for=condition=Ready", "pn/db", "--timeout=60s"),
                Step.of("delete-wait", "delete", "-n", NS, "pn", "db", "--wait=true", "--timeout=60s"),
                Step.of("get-deleted", "get", "-n", NS, "pn", "db"),
                // last: the embedded API stores what the schema refuses, and the agent then meets it
                Step.apply("invalid-no-node", invalid("no-node", "networks: [{name: podnet}]")),
                Step.apply("invalid-port", invalid("bad-port", "nodeName: " + NODE + "\n  portMappings: [{hostPort: 70000, containerPort: 80}]")),
                Step.apply("invalid-mode", invalid("bad-mode", "nodeName: " + NODE + "\n  mode: Sideways")),
                Step.apply("apply-pinned", invalid("pinned", "nodeName: " + NODE + "\n  networks: []")),
                Step.of("immutable-node", "patch", "-n", NS, "pn", "pinned", "--type", "merge", "-p", "{\"spec\":{\"nodeName\":\"elsewhere\"}}"));
    }

    private static String web(List<String> networks, List<String> dnsServers, boolean withDns) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata:
                  name: web
                  namespace: %s
                spec:
                  nodeName: %s
                  networks:
                """.formatted(NS, NODE));
        if (networks.isEmpty()) {
            yaml.setLength(yaml.length() - 1);
            yaml.append(" []\n");
        }
        networks.forEach(n -> yaml.append("    - name: ").append(n).append('\n'));
        if (withDns) {
            yaml.append("  dns:\n    servers: [").append(String.join(", ", dnsServers)).append("]\n");
        }
        return yaml.toString();
    }

    private static String db() {
        return """
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata:
                  name: db
                  namespace: %s
                spec:
                  nodeName: %s
                  networks:
                    - name: podnet
                      interfaceName: net0
                      staticIPs: ["10.89.0.50"]
                      staticMAC: "02:42:0a:59:00:32"
                """.formatted(NS, NODE);
    }

    private static String invalid(String name, String spec) {
        return """
                apiVersion: podnet.io/v1alpha1
                kind: PodNetwork
                metadata:
                  name: %s
                  namespace: %s
                spec:
                  %s
                """.formatted(name, NS, spec);
    }

    /** The step names the README lists as differences, in its "What the embedded API does not do" section. */
    static Set<String> documentedDifferences() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("<!-- embedded-api-differences -->");
        int end = readme.indexOf("<!-- /embedded-api-differences -->");
        Set<String> steps = new TreeSet<>();
        if (start < 0 || end < start) {
            return steps;
        }
        // "  - `step`, `other-step`: why" names the steps before its colon
        Matcher item = Pattern.compile("^\\s*- (.*?):", Pattern.MULTILINE).matcher(readme.substring(start, end));
        while (item.find()) {
            Matcher name = Pattern.compile("`([a-z-]+)`").matcher(item.group(1));
            while (name.find()) {
                steps.add(name.group(1));
            }
        }
        return steps;
    }

    /** What must differ between two servers and two agents, replaced by placeholders. */
    private static final class Normaliser {
        private static final List<Map.Entry<Pattern, String>> RULES = List.of(
                Map.entry(Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uid>"),
                Map.entry(Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z"), "<time>"),
                Map.entry(Pattern.compile("\\w{3}, \\d\\d \\w{3} \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}"), "<time>"),
                Map.entry(Pattern.compile("(\"?resourceVersion\"?:\\s*)\"\\d+\""), "$1\"<rv>\""),
                Map.entry(Pattern.compile("(Resource Version:\\s*)\\d+"), "$1<rv>"),
                Map.entry(Pattern.compile("(?i)\\b([0-9a-f]{2}:){5}[0-9a-f]{2}\\b"), "<mac>"),
                Map.entry(Pattern.compile("\\b\\d+(\\.\\d+)?(ms|s|m|h|d)(\\d+(s|m|h))?\\b"), "<age>"),
                Map.entry(Pattern.compile("<age> \\(x\\d+ over <age>\\)"), "<age>"));

        private final String agentDir;

        Normaliser(Path agentDir) {
            this.agentDir = agentDir.toString();
        }

        String of(Kubectl.Result r) {
            return "exit " + r.exitCode() + "\n" + text(r.stdout()) + (r.stderr().isBlank() ? "" : "stderr: " + text(r.stderr()));
        }

        String text(String s) {
            String out = s.replace(agentDir, "<agent-dir>");
            for (Map.Entry<Pattern, String> rule : RULES) {
                out = rule.getKey().matcher(out).replaceAll(rule.getValue());
            }
            // columns are aligned to the widest cell, and ages differ in width
            return out.replaceAll(" {2,}", " ").replaceAll("(?m) +$", "").strip() + "\n";
        }

        /** kubectl get -w on a fresh PodNetwork: what it prints before and after the PodNetwork is labelled. */
        String watch(Kubectl kubectl) throws IOException, InterruptedException {
            String manifest = web(List.of(), List.of(), false).replace("name: web", "name: watched");
            kubectl.run(manifest, List.of("apply", "-f", "-"));
            // the agent's own writes (finalizer, status) are over before the watch starts
            kubectl.run("wait", "-n", NS, "--for=condition=Ready", "pn/watched", "--timeout=60s");
            Process watch = kubectl.start("get", "-n", NS, "pn", "watched", "-w", "-o", "custom-columns=NAME:.metadata.name,LABELS:.metadata.labels");
            List<String> lines = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                lines.add(readLine(out)); // header
                lines.add(readLine(out)); // the PodNetwork as listed
                kubectl.run("label", "-n", NS, "pn", "watched", "step=labelled");
                String line;
                do {
                    line = readLine(out);
                    lines.add(line);
                } while (line != null && !line.contains("labelled") && lines.size() < 20);
            } finally {
                watch.destroy();
                watch.waitFor(10, TimeUnit.SECONDS);
            }
            kubectl.run("delete", "-n", NS, "pn", "watched", "--wait=false");
            // a write that changes none of the columns (a status the agent rewrites) prints the same row again
            List<String> rows = new ArrayList<>();
            for (String line : lines) {
                if (rows.isEmpty() || !rows.get(rows.size() - 1).equals(line)) {
                    rows.add(line);
                }
            }
            return text(String.join("\n", rows));
        }

        private static String readLine(BufferedReader reader) {
            try {
                return CompletableFuture.supplyAsync(() -> {
                    try {
                        return reader.readLine();
                    } catch (IOException e) {
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                return "<no line within 30 s>";
            }
        }
    }
}
