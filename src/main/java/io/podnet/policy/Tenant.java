package io.podnet.policy;

import java.util.Map;
import java.util.TreeMap;

/**
 * Whom a pod request belongs to, as the node policy sees it: for a PodNetwork, its Kubernetes
 * namespace and that namespace's labels.
 */
public record Tenant(String name, Map<String, String> labels) {
    /** The label the API server puts on every namespace; the embedded API does not, so it is added here. */
    public static final String NAME_LABEL = "kubernetes.io/metadata.name";

    public Tenant {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a tenant has a name");
        }
        Map<String, String> copy = new TreeMap<>(labels == null ? Map.of() : labels);
        copy.put(NAME_LABEL, name);
        labels = Map.copyOf(copy);
    }

    /** A namespace whose labels are not known (or not needed): only its name label. */
    public static Tenant named(String name) {
        return new Tenant(name, Map.of());
    }
}
