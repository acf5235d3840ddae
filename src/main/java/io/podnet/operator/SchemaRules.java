package io.podnet.operator;

import java.lang.reflect.AnnotatedParameterizedType;
import java.lang.reflect.AnnotatedType;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.podnet.engine.RejectedRequestException;
import io.podnet.engine.Stage;

/**
 * The CRD schema's own rules (sizes, ranges, patterns, required fields, no null list items),
 * applied by the agent to a mapped spec. They are read from the same annotations of
 * {@code io.podnet.api} that generate the CRD, so the two cannot drift apart, and what a real API
 * server refuses by the schema the agent refuses too, on an API server that does not check it
 * (the embedded one). A pattern matches the whole string, as in the API server (Go's {@code $}
 * does not match before a final newline, Java's does).
 */
final class SchemaRules {
    private static final Map<String, java.util.regex.Pattern> PATTERNS = new ConcurrentHashMap<>();

    private SchemaRules() {
    }

    /** @throws RejectedRequestException naming the field, with its own check's reason (InvalidSpec when it has none) */
    static void check(Object model, String path) {
        if (model == null) {
            return;
        }
        for (Field f : FIELDS.get(model.getClass())) {
            Object value;
            try {
                value = f.get(model);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
            checkValue(value, path + f.getName(), f.getAnnotatedType(), f.isAnnotationPresent(Required.class));
        }
    }

    /** A model class's instance fields, its superclasses' included, made accessible once: every reconcile maps a spec. */
    private static final ClassValue<List<Field>> FIELDS = new ClassValue<>() {
        @Override
        protected List<Field> computeValue(Class<?> type) {
            List<Field> out = new java.util.ArrayList<>();
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
                        f.setAccessible(true);
                        out.add(f);
                    }
                }
            }
            return List.copyOf(out);
        }
    };

    private static void checkValue(Object value, String field, AnnotatedType type, boolean required) {
        if (value == null) {
            if (required) {
                throw refuse(field, field + " is required");
            }
            return;
        }
        Size size = type.getAnnotation(Size.class);
        Min min = type.getAnnotation(Min.class);
        Max max = type.getAnnotation(Max.class);
        Pattern pattern = type.getAnnotation(Pattern.class);
        if (value instanceof String s) {
            int length = s.codePointCount(0, s.length());
            if (size != null && (length < size.min() || length > size.max())) {
                throw refuse(field, field + " must be " + size.min() + " to " + size.max() + " characters long, not " + length);
            }
            if (pattern != null && !matches(pattern.value(), s)) {
                throw refuse(field, field + " must match " + pattern.value());
            }
        } else if (value instanceof Number n) {
            if (min != null && n.doubleValue() < min.value() || max != null && n.doubleValue() > max.value()) {
                throw refuse(field, field + " must be between " + (min == null ? "-" : (long) min.value()) + " and "
                        + (max == null ? "-" : (long) max.value()) + ", not " + n);
            }
        } else if (value instanceof List<?> list) {
            if (size != null && (list.size() < size.min() || list.size() > size.max())) {
                throw refuse(field, field + " must have " + size.min() + " to " + size.max() + " items, not " + list.size());
            }
            AnnotatedType element = type instanceof AnnotatedParameterizedType p ? p.getAnnotatedActualTypeArguments()[0] : null;
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) == null) {
                    throw refuse(field, field + "[" + i + "] must not be null");
                }
                if (element != null) {
                    checkValue(list.get(i), field + "[" + i + "]", element, false);
                }
            }
        } else if (!(value instanceof Enum<?>) && value.getClass().getPackageName().equals("io.podnet.api")) {
            check(value, field + ".");
        }
    }

    private static boolean matches(String regex, String s) {
        java.util.regex.Pattern p = PATTERNS.computeIfAbsent(regex, r -> java.util.regex.Pattern.compile(
                r.startsWith("^") && r.endsWith("$") ? r.substring(1, r.length() - 1) : r));
        return regex.startsWith("^") && regex.endsWith("$") ? p.matcher(s).matches() : p.matcher(s).find();
    }

    /**
     * The reason a field's own check gives (the engine's or the mapper's), so that a value refused
     * here first gets the same reason as one those checks refuse; InvalidSpec for the rest.
     */
    private static final Map<String, FieldCheck> FIELD_CHECKS = Map.of(
            "interfaceName", new FieldCheck(Stage.NETWORKS, "InvalidInterfaceName"),
            "staticMAC", new FieldCheck(Stage.NETWORKS, "InvalidMAC"),
            "staticIPs", new FieldCheck(Stage.NETWORKS, "InvalidStaticIP"),
            "servers", new FieldCheck(Stage.NETWORKS, "InvalidDNSServer"),
            "hostIP", new FieldCheck(Stage.PORTS, "InvalidHostIP"),
            "protocol", new FieldCheck(Stage.PORTS, "InvalidProtocol"));
    private static final FieldCheck SPEC = new FieldCheck(Stage.NETNS, "InvalidSpec");

    /** Where a field's own check would have refused it: its stage and reason. */
    private record FieldCheck(Stage stage, String reason) {
    }

    private static RejectedRequestException refuse(String field, String message) {
        String name = field.substring(field.lastIndexOf('.') + 1).replaceAll("\\[\\d+]$", "");
        FieldCheck check = FIELD_CHECKS.getOrDefault(name, SPEC);
        return new RejectedRequestException(check.stage(), check.reason(), "the spec breaks the CRD's schema, nothing was changed: " + message);
    }
}
