package io.podnet.operator.embedded;

import java.util.UUID;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.mockwebserver.http.MockResponse;

/**
 * UIDs as an API server gives them: random. The mock counts them up from zero on every start
 * (fabric8's Utils.generateId), so a restarted embedded API would hand a new PodNetwork the UID
 * of an old one, and podnet keys a pod's kernel objects by it. A create's UID is replaced when the
 * mock stores the object, and the create's answer, written before that, is told the same.
 */
final class RandomUids {
    private record Replaced(String counted, String random) {
    }

    private static final ThreadLocal<Replaced> LAST_CREATE = new ThreadLocal<>();

    private RandomUids() {
    }

    /** For the object a create is about to store: gives it a random UID, and remembers it for the answer. */
    static void assign(GenericKubernetesResource created) {
        String counted = created.getMetadata().getUid();
        String random = UUID.randomUUID().toString();
        created.getMetadata().setUid(random);
        LAST_CREATE.set(new Replaced(counted, random));
    }

    /** The create's answer with the UID that was stored; any other answer as it is. */
    static MockResponse answered(MockResponse response) {
        Replaced replaced = LAST_CREATE.get();
        LAST_CREATE.remove();
        if (replaced == null || replaced.counted() == null || response.getBody() == null) {
            return response;
        }
        String body = response.getBody().readUtf8();
        return response.setBody(body.replace("\"uid\":\"" + replaced.counted() + "\"", "\"uid\":\"" + replaced.random() + "\""));
    }
}
