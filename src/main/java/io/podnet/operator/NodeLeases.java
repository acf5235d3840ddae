package io.podnet.operator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The agents' node leases (coordination.k8s.io/v1, one per node, labelled podnet.io/node-lease):
 * this agent renews its own, and reads when the others last renewed theirs.
 */
@ApplicationScoped
public class NodeLeases {
    static final String LABEL = "podnet.io/node-lease";
    private static final int MAX_NAME = 253;

    @Inject
    KubernetesClient client;

    @Inject
    PodnetConfig config;

    String namespace() {
        return config.nodeGone().leaseNamespace().filter(n -> !n.isBlank()).orElseGet(() -> {
            String ns = client.getNamespace();
            return ns == null ? "default" : ns;
        });
    }

    /** Creates or renews this node's lease. */
    public void renewOwn(Instant now) {
        String node = config.nodeName();
        ZonedDateTime time = now.atZone(ZoneOffset.UTC);
        var leases = client.leases().inNamespace(namespace());
        Lease existing = leases.withName(name(node)).get();
        if (existing == null) {
            leases.resource(new LeaseBuilder().withNewMetadata().withName(name(node)).withNamespace(namespace())
                    .addToLabels(LABEL, "true").endMetadata()
                    .withNewSpec().withHolderIdentity(node).withLeaseDurationSeconds((int) config.nodeGone().grace().toSeconds())
                    .withAcquireTime(time).withRenewTime(time).endSpec().build()).create();
            return;
        }
        existing.getSpec().setHolderIdentity(node);
        existing.getSpec().setRenewTime(time);
        existing.getSpec().setLeaseDurationSeconds((int) config.nodeGone().grace().toSeconds());
        leases.resource(existing).update(); // optimistic: only this node's agent writes it
    }

    /** Node name -> when its agent last renewed its lease. */
    public Map<String, Instant> lastRenewals() {
        Map<String, Instant> out = new HashMap<>();
        for (Lease lease : client.leases().inNamespace(namespace()).withLabel(LABEL, "true").list().getItems()) {
            if (lease.getSpec() != null && lease.getSpec().getHolderIdentity() != null && lease.getSpec().getRenewTime() != null) {
                out.put(lease.getSpec().getHolderIdentity(), lease.getSpec().getRenewTime().toInstant());
            }
        }
        return out;
    }

    /** The lease's name: from the node name, which is a DNS subdomain; a hash when the prefix makes it too long. */
    static String name(String node) {
        String plain = "podnet-node-" + node;
        if (plain.length() <= MAX_NAME) {
            return plain;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(node.getBytes(StandardCharsets.UTF_8));
            return "podnet-node-" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
