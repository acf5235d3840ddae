package io.podnet.ipam;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Random;

/**
 * The IPAM's free-address search at volume: a /16 with 60,000 addresses taken and holes punched
 * at random; each round finds the lowest free address, takes it and frees a random one (what an
 * allocation next to a release costs). In the ipam package because TakenAddresses is its own.
 *
 * <pre>
 * bench/run io.podnet.ipam.TakenAddressesBench
 * </pre>
 */
public final class TakenAddressesBench {
    private TakenAddressesBench() {
    }

    public static void main(String[] args) {
        TakenAddresses t = new TakenAddresses();
        for (int i = 1; i <= 60_000; i++) {
            t.add(BigInteger.valueOf(i));
        }
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            t.remove(BigInteger.valueOf(1 + random.nextInt(60_000)));
        }
        for (int i = 0; i < 20_000; i++) { // warm-up
            round(t, random);
        }
        int batches = 50;
        long[] perRound = new long[batches];
        for (int b = 0; b < batches; b++) {
            long start = System.nanoTime();
            for (int i = 0; i < 1_000; i++) {
                round(t, random);
            }
            perRound[b] = (System.nanoTime() - start) / 1_000;
        }
        Arrays.sort(perRound);
        System.out.printf("find lowest free + take + free, 60,000 of a /16 taken: median %d ns, p90 %d ns per round (%d batches of 1,000)%n",
                perRound[batches / 2], perRound[(int) Math.ceil(batches * 0.9) - 1], batches);
    }

    private static void round(TakenAddresses t, Random random) {
        t.add(t.firstFreeAtOrAfter(BigInteger.ONE));
        t.remove(BigInteger.valueOf(1 + random.nextInt(60_000)));
    }
}
