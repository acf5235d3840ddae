package io.podnet.dns;

import java.util.Locale;

/** How a query to a network's name server ended, for the metric. */
public enum QueryResult {
    /** Answered from the pods' records (addresses, names, or no data of that type for a known name). */
    ANSWERED,
    /** Answered NXDOMAIN here: a name under the search domain, or no way out (an internal network). */
    NXDOMAIN,
    /** An upstream server's answer, passed on. */
    FORWARDED,
    /** No upstream answered in time (or there was none): SERVFAIL. */
    FAILED,
    /** The client has no address on the network it asked: REFUSED. */
    REFUSED,
    /** Too many forwarded queries already waiting for upstreams: SERVFAIL at once. */
    OVERLOADED,
    /** Not a DNS query that can be answered (FORMERR or NOTIMP, or dropped when not even the header parses). */
    MALFORMED;

    /** The metric tag's value. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
