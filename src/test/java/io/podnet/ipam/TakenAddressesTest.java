package io.podnet.ipam;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.BitSet;
import java.util.Random;

import org.junit.jupiter.api.Test;

class TakenAddressesTest {
    private static BigInteger b(long v) {
        return BigInteger.valueOf(v);
    }

    @Test
    void runsMergeAndSplit() {
        TakenAddresses t = new TakenAddresses();
        assertThat(t.add(b(5))).isTrue();
        assertThat(t.add(b(7))).isTrue();
        assertThat(t.runCount()).isEqualTo(2);
        assertThat(t.add(b(6))).as("joins 5 and 7").isTrue();
        assertThat(t.runCount()).isEqualTo(1);
        assertThat(t.add(b(6))).isFalse();
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.firstFreeAtOrAfter(b(5))).isEqualTo(b(8));
        assertThat(t.firstFreeAtOrAfter(b(4))).isEqualTo(b(4));

        assertThat(t.remove(b(6))).isTrue();
        assertThat(t.runCount()).isEqualTo(2);
        assertThat(t.contains(b(6))).isFalse();
        assertThat(t.firstFreeAtOrAfter(b(5))).isEqualTo(b(6));
        assertThat(t.remove(b(6))).isFalse();
        assertThat(t.remove(b(5))).isTrue();
        assertThat(t.remove(b(7))).isTrue();
        assertThat(t.runCount()).isZero();
        assertThat(t.size()).isZero();
    }

    @Test
    void agreesWithABitSetUnderRandomChanges() {
        Random random = new Random(42);
        TakenAddresses t = new TakenAddresses();
        BitSet model = new BitSet();
        for (int i = 0; i < 20_000; i++) {
            int x = random.nextInt(500);
            if (random.nextBoolean()) {
                assertThat(t.add(b(x))).isEqualTo(!model.get(x));
                model.set(x);
            } else {
                assertThat(t.remove(b(x))).isEqualTo(model.get(x));
                model.clear(x);
            }
            int probe = random.nextInt(500);
            assertThat(t.contains(b(probe))).isEqualTo(model.get(probe));
            assertThat(t.firstFreeAtOrAfter(b(probe))).isEqualTo(b(model.nextClearBit(probe)));
        }
        assertThat(t.size()).isEqualTo(model.cardinality());
    }

    // its cost at volume is measured by bench/run io.podnet.ipam.TakenAddressesBench, not asserted here
}
