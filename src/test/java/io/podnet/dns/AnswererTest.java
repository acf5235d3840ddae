package io.podnet.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;

/**
 * What the name server answers, decided without sockets: pods' names on the client's networks,
 * PTR for their addresses, REFUSED for clients of other networks, NXDOMAIN under the search
 * domain and on internal networks, and the rest forwarded to the right upstreams (aardvark-dns's
 * rules).
 */
class AnswererTest {
    private static final InetAddress WEB = IpAddresses.parse("10.91.0.2");
    private static final InetAddress WEB6 = IpAddresses.parse("fd91::2");
    private static final InetAddress DB = IpAddresses.parse("10.91.0.3");
    private static final InetAddress DB_ON_BACK = IpAddresses.parse("10.92.0.3");
    private static final InetAddress OTHER = IpAddresses.parse("10.93.0.2");
    private static final InetAddress UPSTREAM = IpAddresses.parse("198.51.100.53");
    private static final InetAddress BACK_UPSTREAM = IpAddresses.parse("198.51.100.54");
    private static final InetAddress WEB_OWN = IpAddresses.parse("198.51.100.99");

    private static DnsRecords.Network network(String name, String subnet, String gateway, List<InetAddress> upstreams, boolean internal) {
        return new DnsRecords.Network(name, List.of(Cidr.parse(subnet)), List.of(IpAddresses.parse(gateway)), 53, upstreams, internal);
    }

    private static final DnsRecords RECORDS = DnsRecords.builder()
            .defaultUpstreams(List.of(UPSTREAM))
            .network(new DnsRecords.Network("front", List.of(Cidr.parse("10.91.0.0/24"), Cidr.parse("fd91::/64")),
                    List.of(IpAddresses.parse("10.91.0.1"), IpAddresses.parse("fd91::1")), 53, List.of(), false))
            .network(network("back", "10.92.0.0/24", "10.92.0.1", List.of(BACK_UPSTREAM), true))
            .network(network("other", "10.93.0.0/24", "10.93.0.1", List.of(), false))
            .pod("web", "front", List.of(WEB, WEB6), List.of("web", "WWW", "2f1c1c9e1f7e", "not a name!"), List.of())
            .pod("db", "front", List.of(DB), List.of("db"), List.of())
            .pod("db", "back", List.of(DB_ON_BACK), List.of("db"), List.of())
            .pod("cache", "back", List.of(IpAddresses.parse("10.92.0.4")), List.of("cache"), List.of())
            .pod("lonely", "other", List.of(OTHER), List.of("lonely"), List.of())
            .build();

    private static byte[] query(String name, int type) {
        try {
            return Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN)).toWire();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Answerer.Outcome ask(String network, InetAddress client, String name, int type) {
        return Answerer.decide(query(name, type), client, network, RECORDS, false);
    }

    private static Message reply(Answerer.Outcome o, QueryResult expected) {
        assertThat(o).isInstanceOf(Answerer.Reply.class);
        Answerer.Reply r = (Answerer.Reply) o;
        assertThat(r.result()).isEqualTo(expected);
        try {
            return new Message(r.wire());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> answers(Message m) {
        return m.getSection(Section.ANSWER).stream().map(r -> r.rdataToString()).toList();
    }

    @Test
    void aPodOnTheNetworkGetsTheAddressesOfEachNameAliasAndShortIdCaseAndSearchDomainAside() {
        Message m = reply(ask("front", DB, "web", Type.A), QueryResult.ANSWERED);
        assertThat(m.getHeader().getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.QR)).isTrue();
        assertThat(m.getHeader().getFlag(Flags.AA)).isTrue();
        assertThat(answers(m)).containsExactly("10.91.0.2");
        assertThat(m.getSection(Section.ANSWER).get(0).getTTL()).isEqualTo(60);
        assertThat(answers(reply(ask("front", DB, "web", Type.AAAA), QueryResult.ANSWERED))).containsExactly("fd91:0:0:0:0:0:0:2");
        assertThat(answers(reply(ask("front", DB, "www.dns.podman.", Type.A), QueryResult.ANSWERED))).containsExactly("10.91.0.2");
        assertThat(answers(reply(ask("front", DB, "2F1C1C9E1F7E", Type.A), QueryResult.ANSWERED))).containsExactly("10.91.0.2");
        // a known name's other types: no data, not forwarded
        Message mx = reply(ask("front", DB, "web", Type.MX), QueryResult.ANSWERED);
        assertThat(mx.getHeader().getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(mx.getSection(Section.ANSWER)).isEmpty();
    }

    @Test
    void aPodOnTwoNetworksSeesTheNamesOfBothOnEitherGateway() {
        // db is on front and back: asking front's gateway it also sees back's cache, and db's both addresses
        assertThat(answers(reply(ask("front", DB, "cache", Type.A), QueryResult.ANSWERED))).containsExactly("10.92.0.4");
        assertThat(answers(reply(ask("front", DB, "db", Type.A), QueryResult.ANSWERED))).containsExactlyInAnyOrder("10.91.0.3",
                "10.92.0.3");
        // web is on front only: back's names are not its to see
        assertThat(ask("front", WEB, "cache", Type.A)).isInstanceOf(Answerer.Forward.class);
    }

    @Test
    void aClientOfAnotherNetworkIsRefusedEvenForNamesItWouldForward() {
        Message m = reply(ask("front", OTHER, "web", Type.A), QueryResult.REFUSED);
        assertThat(m.getHeader().getRcode()).isEqualTo(Rcode.REFUSED);
        assertThat(m.getSection(Section.ANSWER)).isEmpty();
        assertThat(reply(ask("front", OTHER, "example.com", Type.A), QueryResult.REFUSED).getHeader().getRcode()).isEqualTo(Rcode.REFUSED);
        // and on its own gateway the other network's pods are unknown: forwarded like any name
        assertThat(ask("other", OTHER, "web", Type.A)).isInstanceOf(Answerer.Forward.class);
    }

    @Test
    void ptrGivesThePodsNamesAndNxdomainForOtherAddressesOfItsSubnets() throws IOException {
        Message m = reply(ask("front", DB, ReverseMap.fromAddress(WEB).toString(), Type.PTR), QueryResult.ANSWERED);
        assertThat(answers(m)).containsExactly("web.", "www.", "2f1c1c9e1f7e.");
        Message v6 = reply(ask("front", DB, ReverseMap.fromAddress(WEB6).toString(), Type.PTR), QueryResult.ANSWERED);
        assertThat(answers(v6)).startsWith("web.");
        Message unknown = reply(ask("front", DB, ReverseMap.fromAddress(IpAddresses.parse("10.91.0.77")).toString(), Type.PTR),
                QueryResult.NXDOMAIN);
        assertThat(unknown.getHeader().getRcode()).isEqualTo(Rcode.NXDOMAIN);
        // an address outside the client's networks is someone else's: forwarded
        assertThat(ask("front", DB, ReverseMap.fromAddress(IpAddresses.parse("192.0.2.1")).toString(), Type.PTR))
                .isInstanceOf(Answerer.Forward.class);
    }

    @Test
    void otherNamesGoToTheNetworksServersElseTheDefaults() {
        Answerer.Forward f = (Answerer.Forward) ask("front", WEB, "example.com", Type.A);
        assertThat(f.upstreams()).containsExactly(UPSTREAM);
        assertThat(f.query().getQuestion().getName().toString()).isEqualTo("example.com.");
        // the SERVFAIL kept for when no upstream answers has the client's id and question
        Message fail = reply(new Answerer.Reply(f.failure(), QueryResult.FAILED), QueryResult.FAILED);
        assertThat(fail.getHeader().getRcode()).isEqualTo(Rcode.SERVFAIL);
        assertThat(fail.getHeader().getID()).isEqualTo(f.query().getHeader().getID());
        // db is also on back, which names its own servers (and is internal, which front is not)
        assertThat(((Answerer.Forward) ask("front", DB, "example.com", Type.A)).upstreams()).containsExactly(BACK_UPSTREAM);
    }

    @Test
    void aPodsOwnServersComeFirst() {
        DnsRecords own = DnsRecords.builder().defaultUpstreams(List.of(UPSTREAM)).network(network("n", "10.9.0.0/24", "10.9.0.1",
                List.of(BACK_UPSTREAM), false)).pod("p", "n", List.of(IpAddresses.parse("10.9.0.2")), List.of("p"), List.of(WEB_OWN)).build();
        Answerer.Forward f = (Answerer.Forward) Answerer.decide(query("example.com", Type.A), IpAddresses.parse("10.9.0.2"), "n", own,
                false);
        assertThat(f.upstreams()).containsExactly(WEB_OWN);
    }

    @Test
    void namesUnderTheSearchDomainAndEveryNameOnInternalNetworksOnlyAreNotForwarded() {
        assertThat(reply(ask("front", WEB, "nobody.dns.podman", Type.A), QueryResult.NXDOMAIN).getHeader().getRcode())
                .isEqualTo(Rcode.NXDOMAIN);
        // cache is on the internal back only; db is on front too, so it has a way out
        assertThat(reply(ask("back", IpAddresses.parse("10.92.0.4"), "example.com", Type.A), QueryResult.NXDOMAIN).getHeader()
                .getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(ask("back", DB_ON_BACK, "example.com", Type.A)).isInstanceOf(Answerer.Forward.class);
    }

    @Test
    void withNoUpstreamAtAllItSaysServfailAtOnce() {
        DnsRecords none = DnsRecords.builder().network(network("n", "10.9.0.0/24", "10.9.0.1", List.of(), false)).build();
        Message m = reply(Answerer.decide(query("example.com", Type.A), IpAddresses.parse("10.9.0.5"), "n", none, false),
                QueryResult.FAILED);
        assertThat(m.getHeader().getRcode()).isEqualTo(Rcode.SERVFAIL);
    }

    @Test
    void ednsIsAnsweredAndLongUdpAnswersAreTruncated() throws IOException {
        DnsRecords.Builder b = DnsRecords.builder().network(network("n", "10.9.0.0/16", "10.9.0.1", List.of(), false));
        List<InetAddress> many = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) { // 50 answers: over 512 bytes, under 1232
            many.add(IpAddresses.add(IpAddresses.parse("10.9.1.0"), i));
        }
        DnsRecords big = b.pod("big", "n", many, List.of("big"), List.of()).build();
        InetAddress client = IpAddresses.parse("10.9.0.5");

        Message plain = new Message(((Answerer.Reply) Answerer.decide(query("big", Type.A), client, "n", big, false)).wire());
        assertThat(plain.getHeader().getFlag(Flags.TC)).isTrue();
        assertThat(plain.toWire().length).isLessThanOrEqualTo(512);

        Message q = Message.newQuery(Record.newRecord(Name.fromString("big."), Type.A, DClass.IN));
        q.addRecord(new OPTRecord(4096, 0, 0), Section.ADDITIONAL);
        Message edns = new Message(((Answerer.Reply) Answerer.decide(q.toWire(), client, "n", big, false)).wire());
        assertThat(edns.getOPT()).isNotNull();
        assertThat(edns.getHeader().getFlag(Flags.TC)).isFalse();
        assertThat(edns.getSection(Section.ANSWER)).hasSize(50);

        Message tcp = new Message(((Answerer.Reply) Answerer.decide(query("big", Type.A), client, "n", big, true)).wire());
        assertThat(tcp.getSection(Section.ANSWER)).hasSize(50);
    }

    @Test
    void garbageIsDroppedOrFormerrAndOtherOpcodesNotimp() throws IOException {
        assertThat(Answerer.decide(new byte[5], WEB, "front", RECORDS, false)).isInstanceOf(Answerer.Drop.class);
        byte[] header = query("web", Type.A);
        byte[] cut = java.util.Arrays.copyOf(header, 15); // a header and half a question
        Message formerr = reply(Answerer.decide(cut, WEB, "front", RECORDS, false), QueryResult.MALFORMED);
        assertThat(formerr.getHeader().getRcode()).isEqualTo(Rcode.FORMERR);

        Message notify = Message.newQuery(Record.newRecord(Name.fromString("web."), Type.SOA, DClass.IN));
        notify.getHeader().setOpcode(Opcode.NOTIFY);
        assertThat(reply(Answerer.decide(notify.toWire(), WEB, "front", RECORDS, false), QueryResult.MALFORMED).getHeader().getRcode())
                .isEqualTo(Rcode.NOTIMP);

        Message answer = Message.newQuery(Record.newRecord(Name.fromString("web."), Type.A, DClass.IN));
        answer.getHeader().setFlag(Flags.QR);
        assertThat(Answerer.decide(answer.toWire(), WEB, "front", RECORDS, false)).isInstanceOf(Answerer.Drop.class);
    }

    @Test
    void namesThatCannotBeDnsNamesAreNotServed() {
        assertThat(RECORDS.names("front")).containsExactlyInAnyOrder("web", "www", "2f1c1c9e1f7e", "db");
    }
}
