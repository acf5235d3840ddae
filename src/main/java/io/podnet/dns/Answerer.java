package io.podnet.dns;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Decides one query, the way aardvark-dns does: names of the pods the client sees are answered
 * here (A, AAAA, PTR; other types of a known name get no data), names under the search domain
 * and every name of a client on internal networks only get NXDOMAIN, everything else goes to the
 * upstream servers. The wire format is dnsjava's.
 */
final class Answerer {
    /** As aardvark-dns: pods come and go with new addresses, so clients keep answers only briefly. */
    static final long TTL = 60;
    /** The most a UDP answer may be when the client advertises no EDNS buffer (RFC 1035). */
    static final int PLAIN_UDP = 512;
    /** The EDNS buffer size advertised back, and the most a UDP answer may be (the DNS flag day's 1232). */
    static final int EDNS_UDP = 1232;
    static final int TCP_MAX = 65535;

    private Answerer() {
    }

    /** What to do with a query. */
    sealed interface Outcome permits Reply, Forward, Drop {
    }

    /** Send these bytes back. */
    record Reply(byte[] wire, QueryResult result) implements Outcome {
    }

    /**
     * Ask the upstreams: {@code wire} is the client's query as it came (its id is replaced for each
     * upstream and put back in the answer); {@code failure} is the SERVFAIL to send when none answers.
     */
    record Forward(byte[] wire, Message query, List<InetAddress> upstreams, byte[] failure) implements Outcome {
    }

    /** Not even a DNS header: nothing to answer. */
    record Drop() implements Outcome {
    }

    /**
     * @param client  the query's source address
     * @param network the network whose gateway was asked
     * @param tcp     whether the query came over TCP (answers are not truncated to the UDP size)
     */
    static Outcome decide(byte[] wire, InetAddress client, String network, DnsRecords records, boolean tcp) {
        if (wire.length < Header.LENGTH) {
            return new Drop();
        }
        Message query;
        try {
            query = new Message(wire);
        } catch (IOException e) {
            return formErr(wire);
        }
        Header header = query.getHeader();
        if (header.getFlag(Flags.QR)) {
            return new Drop(); // an answer sent to a server: never answer answers
        }
        int max = tcp ? TCP_MAX : udpLimit(query);
        if (header.getOpcode() != Opcode.QUERY) {
            return new Reply(response(query, Rcode.NOTIMP, false).toWire(max), QueryResult.MALFORMED);
        }
        Record question = query.getQuestion();
        if (question == null || header.getCount(Section.QUESTION) != 1) {
            return new Reply(response(query, Rcode.FORMERR, false).toWire(max), QueryResult.MALFORMED);
        }
        DnsRecords.Scope scope = records.scope(network, client);
        if (scope == null) {
            return new Reply(response(query, Rcode.REFUSED, false).toWire(max), QueryResult.REFUSED);
        }
        String name = question.getName().toString(true).toLowerCase(Locale.ROOT);
        int type = question.getType();
        if (question.getDClass() == DClass.IN) {
            Reply local = type == Type.PTR ? reverse(query, name, scope, max) : forward(query, name, type, scope, max);
            if (local != null) {
                return local;
            }
        }
        if (name.equals(DnsRecords.SEARCH_DOMAIN) || name.endsWith("." + DnsRecords.SEARCH_DOMAIN) || scope.internal()) {
            return new Reply(response(query, Rcode.NXDOMAIN, false).toWire(max), QueryResult.NXDOMAIN);
        }
        byte[] servfail = response(query, Rcode.SERVFAIL, false).toWire(max);
        if (scope.upstreams().isEmpty()) {
            return new Reply(servfail, QueryResult.FAILED);
        }
        return new Forward(wire, query, scope.upstreams(), servfail);
    }

    /** A, AAAA (both for ANY) of a pod name; no data for its other types; null when no pod has the name. */
    private static Reply forward(Message query, String name, int type, DnsRecords.Scope scope, int max) {
        List<InetAddress> addresses = scope.addresses(name);
        if (addresses == null) {
            return null;
        }
        Message r = response(query, Rcode.NOERROR, true);
        Name owner = query.getQuestion().getName();
        for (InetAddress a : addresses) {
            if (a instanceof Inet4Address v4 && (type == Type.A || type == Type.ANY)) {
                r.addRecord(new ARecord(owner, DClass.IN, TTL, v4), Section.ANSWER);
            } else if (a instanceof Inet6Address v6 && (type == Type.AAAA || type == Type.ANY)) {
                r.addRecord(new AAAARecord(owner, DClass.IN, TTL, v6), Section.ANSWER);
            }
        }
        return new Reply(r.toWire(max), QueryResult.ANSWERED);
    }

    /** The pod names of an address; NXDOMAIN for other addresses of the client's subnets; null otherwise. */
    private static Reply reverse(Message query, String name, DnsRecords.Scope scope, int max) {
        InetAddress address = ReverseNames.address(name);
        if (address == null) {
            return null;
        }
        List<String> names = scope.names(address);
        if (names.isEmpty()) {
            return scope.covers(address) ? new Reply(response(query, Rcode.NXDOMAIN, true).toWire(max), QueryResult.NXDOMAIN) : null;
        }
        Message r = response(query, Rcode.NOERROR, true);
        for (String n : names) {
            try {
                r.addRecord(new PTRRecord(query.getQuestion().getName(), DClass.IN, TTL, Name.fromString(n + ".")), Section.ANSWER);
            } catch (TextParseException e) {
                // DnsRecords keeps only valid names; nothing to add
            }
        }
        return new Reply(r.toWire(max), QueryResult.ANSWERED);
    }

    /** An answer to {@code query} with its question, flags and EDNS, and no records yet. */
    private static Message response(Message query, int rcode, boolean authoritative) {
        Message r = new Message(query.getHeader().getID());
        Header h = r.getHeader();
        h.setFlag(Flags.QR);
        h.setOpcode(query.getHeader().getOpcode());
        if (query.getHeader().getFlag(Flags.RD)) {
            h.setFlag(Flags.RD);
        }
        h.setFlag(Flags.RA);
        if (authoritative) {
            h.setFlag(Flags.AA);
        }
        h.setRcode(rcode);
        if (query.getQuestion() != null) {
            r.addRecord(query.getQuestion(), Section.QUESTION);
        }
        if (query.getOPT() != null) {
            r.addRecord(new OPTRecord(EDNS_UDP, 0, 0), Section.ADDITIONAL);
        }
        return r;
    }

    /** FORMERR for a query whose header parses and the rest does not; nothing when not even the header does. */
    private static Outcome formErr(byte[] wire) {
        try {
            Header h = new Header(Arrays.copyOf(wire, Header.LENGTH));
            if (h.getFlag(Flags.QR)) {
                return new Drop();
            }
            Message r = new Message(h.getID());
            r.getHeader().setFlag(Flags.QR);
            r.getHeader().setOpcode(h.getOpcode());
            r.getHeader().setRcode(Rcode.FORMERR);
            return new Reply(r.toWire(), QueryResult.MALFORMED);
        } catch (IOException e) {
            return new Drop();
        }
    }

    /** What the client takes over UDP: its EDNS buffer (at most ours), else 512 bytes; larger answers are truncated (TC). */
    private static int udpLimit(Message query) {
        OPTRecord opt = query.getOPT();
        return opt == null ? PLAIN_UDP : Math.max(PLAIN_UDP, Math.min(opt.getPayloadSize(), EDNS_UDP));
    }

    /** The address of an in-addr.arpa or ip6.arpa name. */
    static final class ReverseNames {
        private ReverseNames() {
        }

        /** The address {@code name} (lower case, no final dot) is the reverse name of, or null. */
        static InetAddress address(String name) {
            try {
                if (name.endsWith(".in-addr.arpa")) {
                    String[] labels = name.substring(0, name.length() - ".in-addr.arpa".length()).split("\\.");
                    if (labels.length != 4) {
                        return null;
                    }
                    byte[] b = new byte[4];
                    for (int i = 0; i < 4; i++) {
                        String l = labels[3 - i];
                        if (l.isEmpty() || l.length() > 3 || !l.chars().allMatch(Character::isDigit) || Integer.parseInt(l) > 255) {
                            return null;
                        }
                        b[i] = (byte) Integer.parseInt(l);
                    }
                    return InetAddress.getByAddress(b);
                }
                if (name.endsWith(".ip6.arpa")) {
                    String[] labels = name.substring(0, name.length() - ".ip6.arpa".length()).split("\\.");
                    if (labels.length != 32) {
                        return null;
                    }
                    byte[] b = new byte[16];
                    for (int i = 0; i < 32; i++) {
                        String l = labels[31 - i];
                        int nibble = l.length() == 1 ? Character.digit(l.charAt(0), 16) : -1;
                        if (nibble < 0) {
                            return null;
                        }
                        b[i / 2] |= (byte) (i % 2 == 0 ? nibble << 4 : nibble);
                    }
                    return InetAddress.getByAddress(b);
                }
            } catch (UnknownHostException e) {
                return null;
            }
            return null;
        }
    }
}
