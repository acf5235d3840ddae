package io.podnet.operator.embedded;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.Pluralize;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeSet;

/**
 * Puts stored objects back into the CRUD store exactly as they were (UID, finalizers, deletion
 * timestamp, status), as if each had just been created at its own path. CRDs go first, so the
 * store knows their custom resources' plurals. The resourceVersions are renumbered in their old
 * order from the store's fresh counter, so versions stay increasing across the restart.
 */
final class StoreRestore {
    private static final Logger LOG = Logger.getLogger(StoreRestore.class);
    private static final String CRD_KIND = "CustomResourceDefinition";

    private StoreRestore() {
    }

    static void restore(EmbeddedApiDispatcher store, List<String> stored) {
        List<GenericKubernetesResource> objects = new ArrayList<>();
        for (String json : stored) {
            try {
                GenericKubernetesResource object = Serialization.unmarshal(json, GenericKubernetesResource.class);
                if (object != null && object.getMetadata() != null && object.getMetadata().getName() != null && object.getKind() != null) {
                    objects.add(object);
                }
            } catch (RuntimeException e) {
                LOG.warnf("the embedded API skips a stored object it cannot read: %s", e.getMessage());
            }
        }
        objects.sort(Comparator.comparingLong(StoreRestore::version));
        objects.forEach(o -> o.getMetadata().setResourceVersion(String.valueOf(store.requestResourceVersion())));
        objects.sort(Comparator.comparing(o -> !CRD_KIND.equals(o.getKind()))); // stable: CRDs first, versions kept in order

        Map<String, String> plurals = new HashMap<>();
        for (GenericKubernetesResource object : objects) {
            if (CRD_KIND.equals(object.getKind())) {
                Map<String, Object> spec = object.get("spec");
                Map<String, Object> names = object.get("spec", "names");
                plurals.put(spec.get("group") + "/" + names.get("kind"), String.valueOf(names.get("plural")));
            }
            String collection = collectionPath(object, plurals);
            AttributeSet key = store.getKey(collection).add(new Attribute("name", object.getMetadata().getName()));
            store.processEvent(collection, key, null, object, Serialization.asJson(object));
        }
        if (!objects.isEmpty()) {
            LOG.infof("the embedded API restored %d objects", objects.size());
        }
    }

    private static long version(GenericKubernetesResource object) {
        try {
            return Long.parseLong(object.getMetadata().getResourceVersion());
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** /api/v1[/namespaces/<ns>]/<plural> or /apis/<group>/<version>[/namespaces/<ns>]/<plural> */
    private static String collectionPath(GenericKubernetesResource object, Map<String, String> plurals) {
        String apiVersion = object.getApiVersion();
        int slash = apiVersion.indexOf('/');
        String group = slash < 0 ? "" : apiVersion.substring(0, slash);
        String plural = plurals.getOrDefault(group + "/" + object.getKind(), Pluralize.toPlural(object.getKind().toLowerCase(java.util.Locale.ROOT)));
        String namespace = object.getMetadata().getNamespace();
        return (slash < 0 ? "/api/" + apiVersion : "/apis/" + apiVersion)
                + (namespace == null || namespace.isEmpty() ? "" : "/namespaces/" + namespace) + "/" + plural;
    }
}
