package io.podnet.operator;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.podnet.api.PodNetwork;

/**
 * Kubernetes events on a PodNetwork or the agent's Node (core/v1 Events, as kubectl describe shows them). Events are
 * best effort: they are sent in order from a small background queue, so a reconcile never waits
 * for one, and dropped (with a log line) if the API server falls far behind.
 */
@ApplicationScoped
public class EventRecorder {
    private static final Logger LOG = Logger.getLogger(EventRecorder.class);
    static final String COMPONENT = "podnet-agent";
    private static final int QUEUE = 1000;
    static final String NODE_EVENTS_NAMESPACE = "default";

    private final java.util.concurrent.ThreadPoolExecutor sender = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0,
            java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "podnet-events");
                t.setDaemon(true);
                return t;
            }, (r, pool) -> LOG.warn("dropping a Kubernetes event: more than " + QUEUE + " are waiting to be sent"));

    @jakarta.annotation.PreDestroy
    void stop() {
        sender.shutdown();
        try {
            sender.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Inject
    KubernetesClient client;

    @Inject
    PodnetConfig config;

    public void normal(PodNetwork pn, String reason, String message) {
        record(pn, "Normal", reason, message);
    }

    public void warning(PodNetwork pn, String reason, String message) {
        record(pn, "Warning", reason, message);
    }

    /**
     * An event on the agent's Node (where kubelet puts node events: namespace {@code default}),
     * for what concerns the node rather than one PodNetwork, such as its network definition files.
     */
    public void onNode(String type, String reason, String message) {
        record(NODE_EVENTS_NAMESPACE, config.nodeName() + ".", new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node")
                .withName(config.nodeName()).build(), type, reason, message);
    }

    private void record(PodNetwork pn, String type, String reason, String message) {
        record(pn.getMetadata().getNamespace(), pn.getMetadata().getName() + ".", new ObjectReferenceBuilder()
                .withApiVersion(pn.getApiVersion())
                .withKind(pn.getKind())
                .withName(pn.getMetadata().getName())
                .withNamespace(pn.getMetadata().getNamespace())
                .withUid(pn.getMetadata().getUid())
                .withResourceVersion(pn.getMetadata().getResourceVersion())
                .build(), type, reason, message);
    }

    private void record(String namespace, String namePrefix, ObjectReference involved, String type, String reason, String message) {
        String now = Instant.now().truncatedTo(ChronoUnit.MICROS).toString();
        var event = new EventBuilder()
                .withNewMetadata()
                .withGenerateName(namePrefix)
                .withNamespace(namespace)
                .endMetadata()
                .withInvolvedObject(involved)
                .withType(type)
                .withReason(reason)
                .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
                .withNewSource(COMPONENT, config.nodeName())
                .withReportingComponent(COMPONENT)
                .withReportingInstance(COMPONENT + "-" + config.nodeName())
                .withFirstTimestamp(now)
                .withLastTimestamp(now)
                .withCount(1)
                .build();
        sender.execute(() -> {
            try {
                client.v1().events().inNamespace(event.getMetadata().getNamespace()).resource(event).create();
            } catch (KubernetesClientException e) {
                LOG.warnf("cannot record event %s on %s/%s: %s", reason, event.getInvolvedObject().getNamespace(),
                        event.getInvolvedObject().getName(), e.getMessage());
            }
        });
    }
}
