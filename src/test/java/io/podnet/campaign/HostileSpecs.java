package io.podnet.campaign;

import java.math.BigInteger;
import java.util.List;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.quicktheories.api.Pair;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;
import org.quicktheories.generators.SourceDSL;

/**
 * Generated PodNetwork specs, as raw JSON trees, for the hostile campaign: every field is absent,
 * valid, or hostile. Strings take every length (to 300) and character class, NUL, newlines and
 * paths that escape; numbers are negative, zero, huge, beyond int and long, fractional or not
 * numbers at all; pids are 0, 1, negative, the campaign's own, a dead one, a kernel thread and a
 * live one; protocols and modes are unknown or misspelt; lists are empty, duplicated, beyond
 * their limit (40 networks on one pod). A valid value is drawn often enough that one hostile
 * field at a time meets otherwise good specs, where a missing check shows. QuickTheories shrinks a
 * failing spec towards fewer and simpler fields (an absent field is each field's first choice).
 */
final class HostileSpecs {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** What the generator needs from the node: its name, a namespace it may join, pids of each kind. */
    record Node(String name, String joinablePath, long ownPid, long deadPid, long livePid) {
    }

    private final Node node;

    HostileSpecs(Node node) {
        this.node = node;
    }

    Gen<ObjectNode> specs() {
        return object(
                field("nodeName", 0.01, Generate.frequency(Pair.of(240, Generate.constant(text(node.name()))), Pair.of(1, strings()))),
                field("mode", Generate.frequency(Pair.of(80, texts("Rootful", "Rootless")),
                        Pair.of(1, texts("rootful", "ROOTLESS", "", "Bridge", "Rootful ")), Pair.of(1, anyValue()))),
                field("netns", Generate.frequency(Pair.of(120, netns()), Pair.of(1, anyValue()))),
                field("networks", Generate.frequency(Pair.of(160, list(attachment(), 0, 3)), Pair.of(1, manyNetworks()),
                        Pair.of(1, anyValue()))),
                field("portMappings", Generate.frequency(Pair.of(160, list(portMapping(), 0, 3)), Pair.of(1, anyValue()))),
                field("dns", Generate.frequency(Pair.of(120, dns()), Pair.of(1, anyValue()))),
                field("extra", 0.9, anyValue()));
    }

    private Gen<JsonNode> netns() {
        return object(
                field("type", Generate.frequency(Pair.of(120, texts("New", "Path", "Pid")),
                        Pair.of(1, texts("new", "Host", "", "Pid\n")), Pair.of(1, anyValue()))),
                field("path", Generate.frequency(Pair.of(80, Generate.constant(text(node.joinablePath()))),
                        Pair.of(3, texts("/run/netns/../../etc/passwd", "/run/netns/../netns/x", "relative/netns", "/run/netns",
                                "/run/netns/", "//run/netns/x", "/proc/1/ns/net", "/proc/self/ns/net", "/etc/passwd", "",
                                node.joinablePath() + "/", node.joinablePath() + "\u0000x", node.joinablePath() + "\n",
                                "/" + "x".repeat(4096))),
                        Pair.of(2, strings()), Pair.of(1, anyValue()))),
                field("pid", Generate.frequency(Pair.of(80, pids()), Pair.of(1, anyValue()))));
    }

    private Gen<JsonNode> pids() {
        return pick(0L, 1L, -1L, 2L, node.ownPid(), node.deadPid(), node.livePid(), 4194304L, 4194305L,
                (long) Integer.MAX_VALUE, 1L << 31, Long.MAX_VALUE).map(F::numberNode)
                .map(JsonNode.class::cast);
    }

    private Gen<JsonNode> attachment() {
        return object(
                field("name", Generate.frequency(Pair.of(160, texts("podnet", "backend")), Pair.of(1, texts("nope", "Podnet", "podnet ")),
                        Pair.of(2, strings()), Pair.of(1, anyValue()))),
                field("interfaceName", Generate.frequency(Pair.of(80, texts("eth0", "eth1", "net-1", "a.b", "_x", "x".repeat(15))),
                        Pair.of(3, texts("", "eth0 ", "x".repeat(16), ".hidden", "-x", "lo", "eth0/x", "all", "default", "eth0\n",
                                "e\u0000", "eth:0", "ä")),
                        Pair.of(2, strings()), Pair.of(1, anyValue()))),
                field("staticIPs", Generate.frequency(Pair.of(80, list(ips(), 0, 3)), Pair.of(2, distinctStaticIps()),
                        Pair.of(1, anyValue()))),
                field("staticMAC", Generate.frequency(Pair.of(80, texts("02:00:00:00:00:01", "0A:1b:2C:3d:4E:5f")),
                        Pair.of(3, texts("02-00-00-00-00-01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "01:00:5e:00:00:01",
                                "0200.0000.0001", "02:00:00:00:00:0g", "02:00:00:00:00:01:02", "02:00:00:00:00:1", "020000000001", "")),
                        Pair.of(2, strings()), Pair.of(1, anyValue()))),
                field("aliases", Generate.frequency(Pair.of(80, list(Generate.frequency(
                        Pair.of(3, texts("db", "web.local", "a-b")), Pair.of(2, strings())), 0, 3)),
                        Pair.of(1, list(texts("a", "b", "c", "d", "e"), 33, 34)), Pair.of(1, anyValue()))));
    }

    /** Up to ten distinct addresses inside podnet's subnet: the count limit is then the only thing wrong. */
    private static Gen<JsonNode> distinctStaticIps() {
        return Generate.range(0, 10).map(n -> {
            ArrayNode a = F.arrayNode();
            IntStream.range(0, n).forEach(i -> a.add("10.89.0." + (100 + i)));
            return a;
        });
    }

    private static Gen<JsonNode> ips() {
        return Generate.frequency(
                Pair.of(4, texts("10.89.0.50", "10.89.0.51", "10.90.0.7", "fd00::5")),
                Pair.of(3, texts("10.89.0.0", "10.89.0.255", "10.89.0.1", "192.0.2.1", "::1", "fe80::1%eth0", "::ffff:10.89.0.5",
                        "10.089.0.5", "10.89.0.5/24", "1.2.3", "", "10.89.0.256", " 10.89.0.5", "0x0a.89.0.5", "10.89.0.5\n", "::",
                        "0.0.0.0", "255.255.255.255", "224.0.0.1", "2001:db8::1", "1:2:3:4:5:6:7:8:9")),
                Pair.of(2, strings()), Pair.of(1, anyValue()));
    }

    private static Gen<JsonNode> portMapping() {
        return object(
                field("hostIP", Generate.frequency(Pair.of(60, texts("127.0.0.1", "0.0.0.0", "::", "::1")),
                        Pair.of(2, texts("", "10.89.0.1", "fe80::1%lo", "999.1.1.1", "localhost", " 127.0.0.1", "::ffff:127.0.0.1")),
                        Pair.of(1, strings()), Pair.of(1, anyValue()))),
                field("hostPort", Generate.frequency(Pair.of(80, ports()), Pair.of(1, numbers()), Pair.of(1, anyValue()))),
                field("containerPort", Generate.frequency(Pair.of(80, ports()), Pair.of(1, numbers()), Pair.of(1, anyValue()))),
                field("protocol", Generate.frequency(Pair.of(80, texts("tcp", "udp", "sctp", "tcp,udp", "udp,tcp,sctp")),
                        Pair.of(3, texts("TCP", "icmp", "tcp, udp", "", "tcp,", ",tcp", "tcp,tcp", "tcp udp", "tcp\n", " tcp")),
                        Pair.of(1, strings()), Pair.of(1, anyValue()))),
                field("range", Generate.frequency(Pair.of(80, pick(1, 2, 10, 100).map(F::numberNode).map(JsonNode.class::cast)),
                        Pair.of(2, numbers()), Pair.of(1, anyValue()))));
    }

    private static Gen<JsonNode> ports() {
        return pick(0, 1, 80, 1023, 1024, 8080, 30000, 65535, 65534).map(F::numberNode).map(JsonNode.class::cast);
    }

    private static Gen<JsonNode> dns() {
        return object(
                field("servers", Generate.frequency(Pair.of(80, list(ips(), 0, 3)), Pair.of(1, list(texts("192.0.2.1", "192.0.2.2",
                        "192.0.2.3", "192.0.2.4", "192.0.2.5", "192.0.2.6", "192.0.2.7", "192.0.2.8", "192.0.2.9"), 9, 9)),
                        Pair.of(1, anyValue()))),
                field("searches", Generate.frequency(Pair.of(80, list(Generate.frequency(
                        Pair.of(3, texts("example.com", "svc.cluster.local", "a")),
                        Pair.of(2, texts("", "example.com\nnameserver 192.0.2.66", "bad domain", "x".repeat(254), "a..b", ".", "é.com")),
                        Pair.of(2, strings())), 0, 3)), Pair.of(1, anyValue()))),
                field("options", Generate.frequency(Pair.of(80, list(Generate.frequency(
                        Pair.of(3, texts("ndots:2", "edns0", "timeout:1")),
                        Pair.of(2, texts("", "ndots:2\nnameserver 192.0.2.66", "x".repeat(65), "rotate #", "ndots:-1")),
                        Pair.of(2, strings())), 0, 3)), Pair.of(1, anyValue()))));
    }

    /** 17 or 40 networks on one pod, distinct names or one name again and again. */
    private static Gen<JsonNode> manyNetworks() {
        return pick(17, 40).zip(pick(true, false), (n, distinct) -> {
            ArrayNode a = F.arrayNode();
            IntStream.range(0, n).forEach(i -> a.add(F.objectNode().put("name", distinct ? "net" + i : "podnet")));
            return a;
        });
    }

    /** Any string: every length to 300 and every character class, NUL and newlines, or a known nasty one. */
    static Gen<JsonNode> strings() {
        return Generate.frequency(
                Pair.of(3, SourceDSL.strings().allPossible().ofLengthBetween(0, 300)),
                Pair.of(3, SourceDSL.lists().of(pick(chars("abcdefghijklmnopqrstuvwxyz0123456789-._/:%, \n\t\r\u0000*$\\\"'")))
                        .ofSizeBetween(0, 40).map(l -> l.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining()))),
                Pair.of(2, pick("", " ", "a", "../../etc/passwd", "/run/netns/../../etc/shadow", "a\u0000b", "a\nb",
                        "x".repeat(300), "ä", "\r\n", "${jndi:ldap://127.0.0.1/x}", "%n%s", "\u202e", "\uffff", "😀")))
                .map(HostileSpecs::text);
    }

    /** A value of any JSON type, including numbers beyond int and long and types where another belongs. */
    static Gen<JsonNode> anyValue() {
        return Generate.frequency(
                Pair.of(3, numbers()),
                Pair.of(2, strings()),
                Pair.of(1, pick(F.nullNode(), F.booleanNode(true), F.objectNode(), F.arrayNode(),
                        F.arrayNode().add(F.nullNode()), F.objectNode().put("a", 1)).map(JsonNode.class::cast)));
    }

    static Gen<JsonNode> numbers() {
        return pick(F.numberNode(-1), F.numberNode(0), F.numberNode(1), F.numberNode(65535), F.numberNode(65536),
                F.numberNode(Integer.MAX_VALUE), F.numberNode(1L << 31), F.numberNode(-(1L << 31) - 1), F.numberNode(Long.MAX_VALUE),
                F.numberNode(BigInteger.TWO.pow(64)), F.numberNode(BigInteger.TEN.pow(40).negate()), F.numberNode(1.5),
                F.numberNode(1e300), F.numberNode(-0.0), F.textNode("80"), F.textNode("1e3")).map(JsonNode.class::cast);
    }

    private static Gen<JsonNode> texts(String... values) {
        return pick(values).map(HostileSpecs::text);
    }

    private static JsonNode text(String s) {
        return F.textNode(s);
    }

    private static Gen<JsonNode> list(Gen<JsonNode> element, int min, int max) {
        Gen<JsonNode> orNull = Generate.frequency(Pair.of(49, element), Pair.of(1, Generate.constant((JsonNode) F.nullNode())));
        return SourceDSL.lists().of(orNull).ofSizeBetween(min, max).map(items -> {
            ArrayNode a = F.arrayNode();
            items.forEach(i -> a.add(i == null ? F.nullNode() : i));
            return a;
        });
    }

    private record Field(String name, JsonNode value) {
    }

    /** A field that is absent (null) half the time: shrinking removes fields first. */
    private static Gen<Field> field(String name, Gen<JsonNode> value) {
        return field(name, 0.45, value);
    }

    private static Gen<Field> field(String name, double absent, Gen<JsonNode> value) {
        int weight = (int) Math.round(absent * 100);
        // absent first: shrinking moves towards the first choice, so a shrunk spec has fewer fields
        return Generate.frequency(Pair.of(Math.max(weight, 1), Generate.constant((Field) null)),
                Pair.of(100 - weight, value.map(v -> new Field(name, v))));
    }

    @SafeVarargs
    private static <T> Gen<T> pick(T... values) {
        return Generate.pick(List.of(values));
    }

    private static Character[] chars(String s) {
        return s.chars().mapToObj(c -> (char) c).toArray(Character[]::new);
    }

    @SafeVarargs
    private static <T extends JsonNode> Gen<T> object(Gen<Field>... fields) {
        List<Gen<Field>> all = List.of(fields);
        return random -> {
            ObjectNode o = F.objectNode();
            for (Gen<Field> g : all) {
                Field f = g.generate(random);
                if (f != null) {
                    o.set(f.name(), f.value());
                }
            }
            @SuppressWarnings("unchecked")
            T t = (T) o;
            return t;
        };
    }
}
