package io.podnet.dns;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** Queries by result since the agent started, shared by every name server of the node; cheap on the query path. */
public final class QueryCounts {
    private final EnumMap<QueryResult, LongAdder> counts = new EnumMap<>(QueryResult.class);

    public QueryCounts() {
        for (QueryResult r : QueryResult.values()) {
            counts.put(r, new LongAdder());
        }
    }

    void count(QueryResult result) {
        counts.get(result).increment();
    }

    public long get(QueryResult result) {
        return counts.get(result).sum();
    }

    /** Every result with its count, zeros included. */
    public Map<QueryResult, Long> snapshot() {
        EnumMap<QueryResult, Long> out = new EnumMap<>(QueryResult.class);
        counts.forEach((r, c) -> out.put(r, c.sum()));
        return out;
    }
}
