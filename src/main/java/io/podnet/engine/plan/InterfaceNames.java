package io.podnet.engine.plan;

import java.util.Collection;
import java.util.regex.Pattern;

/** Interface names inside a pod: user-chosen ones checked, default ones picked as ethN. */
final class InterfaceNames {
    private static final Pattern VALID = Pattern.compile("[a-zA-Z0-9_-][a-zA-Z0-9_.-]{0,14}");

    private InterfaceNames() {
    }

    /** Null when valid, else why not. */
    static String problem(String name) {
        if (name.length() > 15) {
            return "interface name \"" + name + "\" is longer than 15 characters";
        }
        if (!VALID.matcher(name).matches() || name.equals(".") || name.equals("..")) {
            return "interface name \"" + name + "\" may only contain letters, digits, '_', '-' and '.'";
        }
        if (name.equals("lo")) {
            return "interface name \"lo\" is the loopback device";
        }
        return null;
    }

    /** The first ethN not in use, as the seed's getFreeInterfaceName. */
    static String firstFree(Collection<String> used) {
        for (int i = 0; i < 100_000; i++) {
            String name = "eth" + i;
            if (!used.contains(name)) {
                return name;
            }
        }
        throw new IllegalStateException("no free ethN interface name");
    }
}
