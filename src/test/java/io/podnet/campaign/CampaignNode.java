package io.podnet.campaign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.podnet.api.PodNetwork;
import io.podnet.apiserver.ChartRbac;
import io.podnet.apiserver.Crds;
import io.podnet.testing.Shell;
import io.podnet.testing.kube.AgentProcess;
import io.podnet.testing.kube.LocalApiServer;

/**
 * One node of a campaign: the packaged agent as a process against the real API server tier (so
 * PodNetworks outlive the agent across kills), a namespace of its own, and what the campaigns
 * read back: readiness, the identity a pod must keep, the node's nftables elements.
 */
final class CampaignNode implements AutoCloseable {
    static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    final KubernetesClient admin;
    final String ns = "campaign-" + UUID.randomUUID().toString().substring(0, 8);
    final AgentProcess agent;
    /** Where the agent makes pod namespaces: /run/netns unless the campaign gave it one of its own. */
    final Path netnsDir;

    private CampaignNode(KubernetesClient admin, AgentProcess agent, Path netnsDir) {
        this.admin = admin;
        this.agent = agent;
        this.netnsDir = netnsDir;
    }

    /** An agent for {@code node}; {@code env} adds to its environment (a resync interval, a helper). */
    static CampaignNode start(String node, Map<String, String> env) {
        LocalApiServer server = LocalApiServer.shared();
        KubernetesClient admin = server.adminClient();
        Crds.apply(admin);
        Map<String, String> all = new HashMap<>(ChartRbac.agentEnvironment(server, admin));
        // JOSDK says at debug when a reconcile starts and ends: the phase a kill landed in is read from it
        all.put("QUARKUS_LOG_CATEGORY__IO_JAVAOPERATORSDK_OPERATOR_PROCESSING_EVENT__LEVEL", "DEBUG");
        // a campaign restarts the agent hundreds of times: C1 only and the serial GC start it faster on a loaded machine
        all.put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        all.putAll(env);
        AgentProcess agent = AgentProcess.start(node, all);
        // pasta starts only where the host namespace has an external interface
        io.podnet.testing.SandboxUplink.add(agent.sandbox());
        CampaignNode n = new CampaignNode(admin, agent,
                all.containsKey("PODNET_NETNS_DIR") ? Path.of(all.get("PODNET_NETNS_DIR")) : io.podnet.testing.Sandbox.NETNS_DIR);
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(n.ns).endMetadata().build()).create();
        return n;
    }

    static final java.util.regex.Pattern REPAIRS = java.util.regex.Pattern.compile("^podnet_repairs_total\\{[^}]*kind=\"([^\"]+)\"[^}]*} ([0-9.eE+]+)$", java.util.regex.Pattern.MULTILINE);

    /** podnet_repairs_total by kind, as the agent's /q/metrics says now. */
    Map<String, Double> repairs() {
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        java.util.regex.Matcher m = REPAIRS.matcher(agent.body("/q/metrics"));
        while (m.find()) {
            out.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
        return out;
    }

    /** The pid the rootless netns's helper wrote, if one runs. */
    java.util.Optional<Integer> helperPid() {
        try (Stream<Path> dirs = Files.list(agent.runDir())) {
            for (Path dir : dirs.filter(p -> p.getFileName().toString().startsWith("rootless-") && Files.isDirectory(p)).toList()) {
                Path pid = dir.resolve("helper.pid");
                if (Files.exists(pid)) {
                    return java.util.Optional.of(Integer.parseInt(Files.readString(pid).trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // being rewritten
        }
        return java.util.Optional.empty();
    }

    /** The durable state dir (PODNET_STATE_DIR). */
    Path stateDir() {
        return agent.runDir().resolveSibling("state");
    }

    /** Where pod records and IPAM leases live now: {@code <runDir>/state} (EngineSettings.kernelStateDir()). */
    Path kernelStateDir() {
        return agent.runDir().resolve("state");
    }

    PodNetwork get(String name) {
        return admin.resources(PodNetwork.class).inNamespace(ns).withName(name).get();
    }

    List<PodNetwork> all() {
        return admin.resources(PodNetwork.class).inNamespace(ns).list().getItems();
    }

    /** Ready for its current generation (and reload annotation, if any): the agent has applied what the spec says. */
    static boolean ready(PodNetwork pn) {
        if (pn == null || pn.getStatus() == null || pn.getMetadata().getDeletionTimestamp() != null) {
            return false;
        }
        String reload = pn.getMetadata().getAnnotations() == null ? null : pn.getMetadata().getAnnotations().get("podnet.io/reload");
        return pn.getMetadata().getGeneration().equals(pn.getStatus().getObservedGeneration())
                && (reload == null || reload.equals(pn.getStatus().getObservedReload()))
                && pn.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals("True"));
    }

    /** Polls until the PodNetwork passes {@code test}; empty after the timeout. */
    Optional<PodNetwork> await(String name, Predicate<PodNetwork> test, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            PodNetwork pn = get(name);
            if (test.test(pn)) {
                return Optional.ofNullable(pn);
            }
            if (System.nanoTime() > deadline) {
                return Optional.empty();
            }
            sleep(25);
        }
    }

    /** Polls until the PodNetwork is gone from the API server; false after the timeout. */
    boolean awaitGone(String name, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (get(name) != null) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            sleep(25);
        }
        return true;
    }

    void removeFinalizers(String name) {
        try {
            admin.resources(PodNetwork.class).inNamespace(ns).withName(name)
                    .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
        } catch (RuntimeException e) {
            // gone already
        }
    }

    /**
     * What a pod must keep across restarts: per network its interface names, MACs and addresses
     * (from the status and, checked against it, from the pod's namespace), and its host ports.
     */
    record Identity(Map<String, String> networks, String ports) {
        static Identity of(PodNetwork pn) {
            Map<String, String> networks = new TreeMap<>();
            pn.getStatus().getNetworks().forEach((network, block) -> {
                StringBuilder b = new StringBuilder();
                new TreeMap<>(block.getInterfaces()).forEach((ifname, i) -> {
                    b.append(ifname).append('=').append(i.getMacAddress());
                    i.getSubnets().stream().map(a -> a.getIpnet()).sorted().forEach(ip -> b.append(' ').append(ip));
                });
                networks.put(network, b.toString());
            });
            List<String> ports = new ArrayList<>();
            pn.getStatus().getPorts().forEach(p -> ports.add(p.getHostIP() + ":" + p.getHostPort() + "->" + p.getContainerPort() + "/"
                    + p.getProtocol() + "x" + p.getRange()));
            ports.sort(null);
            return new Identity(networks, String.join(",", ports));
        }
    }

    /**
     * The interfaces the status names, as the pod's namespace has them: "ifname=mac ip/len...";
     * empty when the namespace cannot be entered.
     */
    static Map<String, String> kernelInterfaces(PodNetwork pn) {
        Map<String, String> out = new TreeMap<>();
        Shell.Result r = Shell.run("nsenter", "--net=" + pn.getStatus().getNetnsPath(), "ip", "-j", "addr", "show");
        if (!r.ok()) {
            return out;
        }
        try {
            for (JsonNode link : JSON.readTree(r.output())) {
                StringBuilder b = new StringBuilder(link.path("ifname").asText()).append('=').append(link.path("address").asText());
                List<String> ips = new ArrayList<>();
                for (JsonNode a : link.path("addr_info")) {
                    if (!a.path("scope").asText().equals("link") && !a.path("scope").asText().equals("host")) {
                        ips.add(a.path("local").asText() + "/" + a.path("prefixlen").asInt());
                    }
                }
                ips.sort(null);
                ips.forEach(ip -> b.append(' ').append(ip));
                out.put(link.path("ifname").asText(), b.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Every element of every set and map of table inet podnet in the node's host namespace, as
     * "set-name element-json", sorted (a duplicate shows as a second equal entry); empty without the table.
     */
    List<String> tableElements() {
        Shell.Result r = Shell.run("ip", "netns", "exec", agent.sandbox().name(), "nft", "-j", "list", "table", "inet", "podnet");
        if (!r.ok()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try {
            for (JsonNode item : JSON.readTree(r.output()).path("nftables")) {
                JsonNode set = item.has("set") ? item.get("set") : item.get("map");
                if (set != null) {
                    for (JsonNode element : set.path("elem")) {
                        out.add(set.get("name").asText() + " " + JSON.writeValueAsString(element));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(null);
        return out;
    }

    /** The names of the links in the node's host namespace. */
    List<String> hostLinks() {
        List<String> out = new ArrayList<>();
        for (JsonNode link : Shell.ipJson(agent.sandbox().name(), "link", "show")) {
            out.add(link.get("ifname").asText());
        }
        out.sort(null);
        return out;
    }

    /** The current agent log from byte {@code offset}. */
    String logFrom(long offset) {
        try {
            byte[] all = Files.readAllBytes(agent.log());
            return new String(all, (int) Math.min(offset, all.length), (int) Math.max(0, all.length - offset),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    long logSize() {
        try {
            return Files.size(agent.log());
        } catch (IOException e) {
            return 0;
        }
    }

    /** Copies the agent's logs to target/campaign-logs before close() deletes them. */
    void keepLogs(String campaign) {
        try {
            Path dir = Files.createDirectories(Path.of("target", "campaign-logs"));
            List<Path> logs = agent.logs();
            for (int i = 0; i < logs.size(); i++) {
                if (Files.exists(logs.get(i))) {
                    Files.copy(logs.get(i), dir.resolve(campaign + "-agent-" + i + ".log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("cannot keep the agent's logs: " + e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Deletes every PodNetwork while the agent runs and waits (bounded) until it tore them down:
     * stopping it first would leave their namespaces and the rootless helper behind.
     */
    void deleteAll() {
        if (!agent.isAlive()) {
            return;
        }
        admin.resources(PodNetwork.class).inNamespace(ns).delete();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!all().isEmpty() && System.nanoTime() < deadline) {
            sleep(100);
        }
    }

    /** Lets every PodNetwork go (torn down by the agent, finalizers removed of what is left), then the agent, its sandbox and namespace. */
    @Override
    public void close() {
        try {
            deleteAll();
            for (PodNetwork pn : all()) {
                removeFinalizers(pn.getMetadata().getName());
            }
            admin.resources(PodNetwork.class).inNamespace(ns).delete();
            admin.namespaces().withName(ns).delete();
        } finally {
            agent.close();
            admin.close();
        }
    }
}
