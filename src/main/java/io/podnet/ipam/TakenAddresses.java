package io.podnet.ipam;

import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * A set of addresses (as unsigned integers) kept as merged runs of consecutive values, so that
 * membership, insertion, removal and "lowest free value at or after x" all cost O(log runs)
 * however many addresses are taken. Not thread-safe: guarded by its {@link NetworkState}.
 */
final class TakenAddresses {
    /** run start -> run end (inclusive); runs never touch or overlap. */
    private final TreeMap<BigInteger, BigInteger> runs = new TreeMap<>();
    private long size;

    long size() {
        return size;
    }

    int runCount() {
        return runs.size();
    }

    void clear() {
        runs.clear();
        size = 0;
    }

    boolean contains(BigInteger x) {
        Map.Entry<BigInteger, BigInteger> run = runs.floorEntry(x);
        return run != null && run.getValue().compareTo(x) >= 0;
    }

    /** Adds x; false when it was there already. */
    boolean add(BigInteger x) {
        Map.Entry<BigInteger, BigInteger> left = runs.floorEntry(x);
        if (left != null && left.getValue().compareTo(x) >= 0) {
            return false;
        }
        BigInteger next = x.add(BigInteger.ONE);
        BigInteger rightEnd = runs.remove(next);
        BigInteger end = rightEnd != null ? rightEnd : x;
        if (left != null && left.getValue().add(BigInteger.ONE).equals(x)) {
            runs.put(left.getKey(), end);
        } else {
            runs.put(x, end);
        }
        size++;
        return true;
    }

    /** Removes x; false when it was not there. */
    boolean remove(BigInteger x) {
        Map.Entry<BigInteger, BigInteger> run = runs.floorEntry(x);
        if (run == null || run.getValue().compareTo(x) < 0) {
            return false;
        }
        BigInteger start = run.getKey();
        BigInteger end = run.getValue();
        runs.remove(start);
        if (start.compareTo(x) < 0) {
            runs.put(start, x.subtract(BigInteger.ONE));
        }
        if (end.compareTo(x) > 0) {
            runs.put(x.add(BigInteger.ONE), end);
        }
        size--;
        return true;
    }

    /** The lowest value &gt;= x that is not taken (runs are merged, so one look-up is enough). */
    BigInteger firstFreeAtOrAfter(BigInteger x) {
        Map.Entry<BigInteger, BigInteger> run = runs.floorEntry(x);
        if (run != null && run.getValue().compareTo(x) >= 0) {
            return run.getValue().add(BigInteger.ONE);
        }
        return x;
    }
}
