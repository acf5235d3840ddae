package io.podnet.operator.embedded;

import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.zjsonpatch.JsonDiff;

/**
 * JSON merge patches (RFC 7386) as the API server applies them: a list in the patch replaces the
 * list, null removes a member. The fabric8 mock appends list items instead, so `kubectl apply`
 * of a PodNetwork whose network list gained an entry listed the old one twice. A merge patch is
 * applied here and handed to the mock as the JSON patch (RFC 6902) between before and after.
 */
final class MergePatches {
    private MergePatches() {
    }

    /** The target with the patch merged in; the target is not changed. */
    static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy()
                : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> member = it.next();
            if (member.getValue().isNull()) {
                result.remove(member.getKey());
            } else {
                result.set(member.getKey(), merge(result.get(member.getKey()), member.getValue()));
            }
        }
        return result;
    }

    /** The JSON patch that turns {@code current} into {@code current} merged with {@code patch}. */
    static JsonNode asJsonPatch(JsonNode current, JsonNode patch) {
        return JsonDiff.asJson(current, merge(current, patch));
    }
}
