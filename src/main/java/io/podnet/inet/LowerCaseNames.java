package io.podnet.inet;

import java.util.Arrays;
import java.util.Locale;

/** The lower-case names the mode enums are written with in network definitions and by iproute2. */
final class LowerCaseNames {
    private LowerCaseNames() {
    }

    static String of(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    /** The constant named {@code text}; IllegalArgumentException names the bad value and the choices. */
    static <E extends Enum<E>> E parse(E[] values, String text, String what) {
        return Arrays.stream(values).filter(v -> of(v).equals(text)).findFirst().orElseThrow(() -> new IllegalArgumentException(
                what + " \"" + text + "\" is not one of " + Arrays.stream(values).map(LowerCaseNames::of).toList()));
    }
}
