package io.podnet.operator.embedded;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.Value;

/**
 * The mock store's keys by object name. The store finds an object by testing every key against the
 * query, so each request cost O(objects) and 1000 PodNetworks with their events made the embedded
 * API the agent's bottleneck; a query that names an object only tests the keys of that name.
 * <p>
 * The index may hold keys the store has dropped (the store deletes without telling); a lookup
 * tests each candidate against the store and forgets those gone, so it never answers more than
 * the store holds, and every key the store puts is added here ({@link #put}), so it never answers less.
 */
final class NamedKeys {
    private static final String NAME = "name";
    private final Map<String, Set<AttributeSet>> byName = new ConcurrentHashMap<>();

    /** The name a key or query carries, or null (a list). */
    static String nameOf(AttributeSet attributes) {
        Attribute name = attributes.getAttribute(NAME);
        if (name == null || name.getValues().size() != 1) {
            return null;
        }
        Value value = name.getValues().get(0);
        return value == null ? null : value.toString();
    }

    void put(AttributeSet key) {
        String name = nameOf(key);
        if (name != null) {
            byName.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(key);
        }
    }

    void remove(AttributeSet key) {
        String name = key == null ? null : nameOf(key);
        if (name != null) {
            byName.computeIfPresent(name, (n, keys) -> {
                keys.remove(key);
                return keys.isEmpty() ? null : keys;
            });
        }
    }

    /** The store's entries of the name {@code query} names that match it; null when the query names none (scan the store). */
    List<Map.Entry<AttributeSet, String>> matching(AttributeSet query, Map<AttributeSet, String> store) {
        String name = nameOf(query);
        if (name == null) {
            return null;
        }
        Set<AttributeSet> keys = byName.get(name);
        List<Map.Entry<AttributeSet, String>> found = new ArrayList<>(1);
        if (keys == null) {
            return found;
        }
        for (AttributeSet key : keys.toArray(AttributeSet[]::new)) {
            String value = store.get(key);
            if (value == null) {
                remove(key); // deleted by the store
            } else if (key.matches(query)) {
                found.add(Map.entry(key, value));
            }
        }
        return found;
    }

    void clear() {
        byName.clear();
    }

    /** The key the store files {@code resource} under, as KubernetesCrudDispatcher.processEvent computes it. */
    static AttributeSet storeKey(io.fabric8.kubernetes.client.server.mock.KubernetesAttributesExtractor extractor,
            AttributeSet pathAttributes, HasMetadata resource, String state) {
        AttributeSet key = resource != null ? extractor.extract(resource) : extractor.fromResource(state);
        return key.containsKey("plural") ? key : AttributeSet.merge(pathAttributes, key);
    }
}
