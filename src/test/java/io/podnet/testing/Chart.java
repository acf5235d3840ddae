package io.podnet.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;

/** What `helm template` rendered, parsed into fabric8 model objects, one per document. */
public final class Chart {
    private static final Pattern SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    private final String yaml;
    private final List<HasMetadata> objects;

    private Chart(String yaml, List<HasMetadata> objects) {
        this.yaml = yaml;
        this.objects = objects;
    }

    public static Chart parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : SEPARATOR.split(yaml)) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
                continue;
            }
            KubernetesResource parsed = Serialization.unmarshal(doc, KubernetesResource.class);
            if (!(parsed instanceof HasMetadata object)) {
                throw new AssertionError("not a Kubernetes object:\n" + doc);
            }
            objects.add(object);
        }
        return new Chart(yaml, objects);
    }

    public String yaml() {
        return yaml;
    }

    public List<HasMetadata> objects() {
        return objects;
    }

    public <T extends HasMetadata> List<T> all(Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public <T extends HasMetadata> T one(Class<T> type) {
        List<T> found = all(type);
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    public Optional<HasMetadata> byKind(String kind, String name) {
        return objects.stream().filter(o -> kind.equals(o.getKind()) && name.equals(o.getMetadata().getName())).findFirst();
    }

    /** Kind -> names, to print in a failure. */
    public Map<String, List<String>> summary() {
        Map<String, List<String>> out = new java.util.TreeMap<>();
        for (HasMetadata o : objects) {
            out.computeIfAbsent(o.getKind(), k -> new ArrayList<>()).add(o.getMetadata().getName());
        }
        return out;
    }
}
