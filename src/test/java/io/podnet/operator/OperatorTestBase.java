package io.podnet.operator;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;

import com.fasterxml.jackson.databind.JsonNode;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.podnet.api.NetworkAttachment;
import io.podnet.api.PodNetwork;
import io.podnet.testing.PodNetworks;
import io.podnet.testing.Shell;

/**
 * What the operator tests share: the client of the embedded API, PodNetworks made, read and
 * awaited in the test namespace, the sandbox that plays the node, and the agent's metrics. After
 * each test every PodNetwork is deleted and awaited gone (the agent tore it down), between the
 * test's own cleanups. A subclass carries {@code @QuarkusTest @RequiresRoot
 * @WithTestResource(SandboxHostResource.class)} itself, so that Quarkus sees them on the class it runs.
 */
abstract class OperatorTestBase {
    static final String NAMESPACE = "default";
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    KubernetesClient client;

    private final List<AutoCloseable> closeFirst = new ArrayList<>();
    private final List<AutoCloseable> closeLast = new ArrayList<>();

    /** How long a helper waits for the agent; a subclass whose pods take longer says so. */
    Duration timeout() {
        return TIMEOUT;
    }

    /** Closed after the test, before its PodNetworks are deleted: servers and namespace handles that would hold up a teardown. */
    final <T extends AutoCloseable> T closeFirst(T resource) {
        closeFirst.add(resource);
        return resource;
    }

    /** Closed once the test's PodNetworks are gone: what they joined (a namespace, a process) must outlive their teardown. */
    final <T extends AutoCloseable> T closeLast(T resource) {
        closeLast.add(resource);
        return resource;
    }

    @AfterEach
    final void deletePodNetworksBetweenCleanups() throws Exception {
        try {
            closeAll(closeFirst);
        } finally {
            try {
                deleteAllAndWait();
            } finally {
                closeAll(closeLast);
            }
        }
    }

    private static void closeAll(List<AutoCloseable> resources) throws Exception {
        for (AutoCloseable c : resources) {
            c.close();
        }
        resources.clear();
    }

    /** Deletes every PodNetwork of the test namespace and waits until their finalizers ran (the agent tore them down). */
    final void deleteAllAndWait() {
        client.resources(PodNetwork.class).inNamespace(NAMESPACE).delete();
        await().atMost(timeout()).until(() -> client.resources(PodNetwork.class).inNamespace(NAMESPACE).list().getItems().isEmpty());
    }

    static PodNetwork podNetwork(String name, String node, NetworkAttachment... networks) {
        PodNetwork pn = PodNetworks.of(NAMESPACE, name, node);
        pn.getSpec().setNetworks(List.of(networks));
        return pn;
    }

    static NetworkAttachment network(String name) {
        NetworkAttachment a = new NetworkAttachment();
        a.setName(name);
        return a;
    }

    /** The PodNetwork as the API has it now; null when it is gone. */
    final PodNetwork get(String name) {
        return client.resources(PodNetwork.class).inNamespace(NAMESPACE).withName(name).get();
    }

    /** The PodNetwork's condition as the API has it now; null while it has none of that type. */
    final Condition condition(String name, String type) {
        PodNetwork pn = get(name);
        if (pn == null || pn.getStatus() == null) {
            return null;
        }
        return pn.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElse(null);
    }

    /** The condition of a PodNetwork already read; it must have it. */
    static Condition condition(PodNetwork pn, String type) {
        return pn.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    final PodNetwork awaitCondition(String name, String type, String status) {
        await().atMost(timeout()).until(() -> {
            Condition c = condition(name, type);
            return c != null && c.getStatus().equals(status);
        });
        return get(name);
    }

    /** Waits for the phase the test expects (a transient Pending is not an answer). */
    final PodNetwork awaitPhase(String name, String phase) {
        return awaitPhase(name, phase, pn -> true);
    }

    final PodNetwork awaitPhase(String name, String phase, Predicate<PodNetwork> also) {
        await().atMost(timeout()).until(() -> {
            PodNetwork pn = get(name);
            return pn != null && pn.getStatus() != null && phase.equals(pn.getStatus().getPhase()) && also.test(pn);
        });
        return get(name);
    }

    final PodNetwork awaitReady(String name, Predicate<PodNetwork> also) {
        return awaitPhase(name, "Ready", also);
    }

    /** Creates the PodNetwork and waits for the phase the test expects. */
    final PodNetwork createAndAwait(PodNetwork pn, String phase) {
        client.resource(pn).create();
        return awaitPhase(pn.getMetadata().getName(), phase);
    }

    final void awaitGone(String name) {
        await().atMost(timeout()).until(() -> get(name) == null);
    }

    /** Events about this PodNetwork (by uid: an earlier one of the same name is another object). */
    final List<Event> events(String uid) {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .filter(e -> uid.equals(e.getInvolvedObject().getUid())).toList();
    }

    /** The name of the namespace that plays the node's host namespace. */
    static String sandbox() {
        return SandboxHostResource.sandbox.name();
    }

    /** The links of the node (the sandbox), as `ip -j link show` lists them. */
    static JsonNode sandboxLinks() {
        return Shell.ipJson(sandbox(), "link", "show");
    }

    /** The file of the network namespace the agent creates for a PodNetwork (in the test's own netns dir). */
    static String podNetns(PodNetwork pn) {
        return podNetnsPath(pn).toString();
    }

    static Path podNetnsPath(PodNetwork pn) {
        return SandboxHostResource.netnsDir.resolve("podnet-" + pn.getMetadata().getUid());
    }

    static String metrics() {
        return given().when().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The value of the first series of {@code name} whose labels contain every fragment; -1 when absent. */
    static double metricValue(String metrics, String name, String... labelFragments) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{([^}]*)\\})? ([0-9.eE+-]+)$").matcher(metrics);
        while (m.find()) {
            String labels = m.group(1) == null ? "" : m.group(1);
            if (List.of(labelFragments).stream().allMatch(labels::contains)) {
                return Double.parseDouble(m.group(2));
            }
        }
        return -1;
    }
}
