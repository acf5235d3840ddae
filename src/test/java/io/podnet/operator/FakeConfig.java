package io.podnet.operator;

import java.lang.reflect.Proxy;
import java.util.Map;

/**
 * A config mapping (PodnetConfig or one of its groups) that answers only the methods it is given:
 * a test whose code reads anything else fails saying which method, instead of getting a default.
 */
final class FakeConfig {
    private FakeConfig() {
    }

    /** {@code answers}: method name -> what it returns (a group is itself a FakeConfig). */
    static <T> T of(Class<T> type, Map<String, ?> answers) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            if (answers.containsKey(method.getName())) {
                return answers.get(method.getName());
            }
            throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName() + " is not faked");
        }));
    }
}
