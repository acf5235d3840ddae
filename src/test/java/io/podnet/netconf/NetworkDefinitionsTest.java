package io.podnet.netconf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.podnet.inet.Cidr;
import io.podnet.inet.IpAddresses;

class NetworkDefinitionsTest {
    @TempDir
    Path dir;

    private Path write(String file, String json) throws IOException {
        return Files.writeString(dir.resolve(file), json);
    }

    /** A minimal valid file, with the parts a test wants to vary. */
    private static String net(String name, String bridge, String subnetsJson, String extra) {
        return "{\"name\": \"" + name + "\", \"driver\": \"bridge\", \"network_interface\": \"" + bridge + "\", "
                + "\"subnets\": " + subnetsJson + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    @Test
    void defaultsAreThePodnetBridgeOn10_89_0_0() {
        NetworkDefinitions defs = NetworkDefinitions.defaults();
        assertThat(defs.all()).hasSize(1);
        NetworkDefinition d = defs.get("podnet").orElseThrow();
        assertThat(d.driver()).isEqualTo("bridge");
        assertThat(d.bridgeName()).isEqualTo("podnet0");
        assertThat(d.subnets()).containsExactly(new Subnet(Cidr.parse("10.89.0.0/24"), IpAddresses.parse("10.89.0.1"), null, null));
        assertThat(d.internal()).isFalse();
        assertThat(d.ipv6Enabled()).isFalse();
        assertThat(d.mtu()).isNull();
        assertThat(defs.get("other")).isEmpty();
    }

    @Test
    void missingOrEmptyDirectoryGivesTheDefaultNetwork() throws IOException {
        assertThat(NetworkDefinitions.load(dir.resolve("absent")).all()).extracting(NetworkDefinition::name).containsExactly("podnet");
        write("README", "not a network");
        write(".hidden.json", "garbage");
        assertThat(NetworkDefinitions.load(dir).all()).extracting(NetworkDefinition::name).containsExactly("podnet");
    }

    @Test
    void loadsTwoValidFilesAndNothingElse() throws IOException {
        write("a.json", """
                {"name": "front", "id": "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9",
                 "driver": "bridge", "network_interface": "pn-front",
                 "subnets": [{"subnet": "10.90.0.0/24", "gateway": "10.90.0.254",
                              "lease_range": {"start_ip": "10.90.0.100", "end_ip": "10.90.0.199"}}],
                 "ipv6_enabled": false, "internal": false, "dns_enabled": true,
                 "options": {"mtu": "9000", "isolate": "true"}, "ipam_options": {"driver": "host-local"}}
                """);
        write("b.json", net("back", "pn-back", "[{\"subnet\": \"10.91.0.0/16\"}]", "\"internal\": true"));
        // a ConfigMap volume's bookkeeping entries and other files are not networks
        Files.createDirectory(dir.resolve("..data"));
        write("notes.txt", "{}");

        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.all()).extracting(NetworkDefinition::name).containsExactly("back", "front");
        assertThat(defs.get("podnet")).as("files replace the default network").isEmpty();

        NetworkDefinition front = defs.get("front").orElseThrow();
        assertThat(front.bridgeName()).isEqualTo("pn-front");
        assertThat(front.dnsEnabled()).isTrue();
        assertThat(front.mtu()).isEqualTo(9000);
        assertThat(front.options()).containsEntry("isolate", "true").containsEntry("mtu", "9000");
        assertThat(front.subnets()).containsExactly(new Subnet(Cidr.parse("10.90.0.0/24"), IpAddresses.parse("10.90.0.254"),
                IpAddresses.parse("10.90.0.100"), IpAddresses.parse("10.90.0.199")));

        NetworkDefinition back = defs.get("back").orElseThrow();
        assertThat(back.internal()).isTrue();
        assertThat(back.subnets()).hasSize(1);
        assertThat(back.subnets().get(0).gateway()).as("internal without DNS: no derived gateway").isNull();
    }

    @Test
    void unknownFieldsAreIgnored() throws IOException {
        write("full.json", """
                {
                  "name": "podman1",
                  "id": "a9d7d67f0a4d1a56e5b8c1ab7e1b6c9d0d44f24bd8fd39a1ab6a1aa2b1f6f3e1",
                  "driver": "bridge",
                  "network_interface": "podman1",
                  "created": "2024-05-01T10:00:00.123456789Z",
                  "subnets": [{"subnet": "10.89.1.0/24", "gateway": "10.89.1.1"}],
                  "routes": [{"destination": "10.10.0.0/16", "gateway": "10.89.1.5"}],
                  "network_dns_servers": ["1.1.1.1"],
                  "ipv6_enabled": false,
                  "internal": false,
                  "dns_enabled": true,
                  "labels": {"team": "x"},
                  "future_field": {"nested": [1, 2, 3]},
                  "ipam_options": {"driver": "host-local", "something": "else"}
                }
                """);
        NetworkDefinition d = NetworkDefinitions.load(dir).get("podman1").orElseThrow();
        assertThat(d.subnets()).extracting(Subnet::subnet).containsExactly(Cidr.parse("10.89.1.0/24"));
        assertThat(d.options()).isEmpty();
    }

    @Test
    void ipv6SubnetsAreLoadedWithDerivedGateways() throws IOException {
        write("dual.json", net("dual", "pn-dual",
                "[{\"subnet\": \"10.92.0.0/24\"}, {\"subnet\": \"fd00:dead:beef::/64\"}]", "\"ipv6_enabled\": true"));
        NetworkDefinition d = NetworkDefinitions.load(dir).get("dual").orElseThrow();
        assertThat(d.ipv6Enabled()).isTrue();
        assertThat(d.subnets()).hasSize(2);
        Subnet v6 = d.subnets().get(1);
        assertThat(v6.isV4()).isFalse();
        assertThat(v6.subnet()).isEqualTo(Cidr.parse("fd00:dead:beef::/64"));
        assertThat(v6.gateway()).isEqualTo(IpAddresses.parse("fd00:dead:beef::1"));
    }

    @Test
    void gatewayIsDerivedFollowingNetavark() throws IOException {
        write("a.json", net("open", "br-a", "[{\"subnet\": \"10.1.0.0/24\"}]", ""));
        write("b.json", net("closed", "br-b", "[{\"subnet\": \"10.2.0.0/24\"}]", "\"internal\": true"));
        write("c.json", net("closeddns", "br-c", "[{\"subnet\": \"10.3.0.0/24\"}]", "\"internal\": true, \"dns_enabled\": true"));
        write("d.json", net("given", "br-d", "[{\"subnet\": \"10.4.0.0/24\", \"gateway\": \"10.4.0.77\"}]", "\"internal\": true"));
        write("e.json", net("tiny", "br-e", "[{\"subnet\": \"10.5.0.0/30\"}]", ""));
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(gateway(defs, "open")).isEqualTo("10.1.0.1");
        assertThat(gateway(defs, "closed")).isNull();
        assertThat(gateway(defs, "closeddns")).isEqualTo("10.3.0.1");
        assertThat(gateway(defs, "given")).isEqualTo("10.4.0.77");
        assertThat(gateway(defs, "tiny")).isEqualTo("10.5.0.1");
    }

    private static String gateway(NetworkDefinitions defs, String name) {
        var g = defs.get(name).orElseThrow().subnets().get(0).gateway();
        return g == null ? null : IpAddresses.format(g);
    }

    @Test
    void internalNetworkWithoutGatewayMayUseASlash31() throws IOException {
        write("p2p.json", net("p2p", "br-p2p", "[{\"subnet\": \"10.6.0.0/31\"}]", "\"internal\": true"));
        assertThat(NetworkDefinitions.load(dir).get("p2p").orElseThrow().subnets().get(0).gateway()).isNull();
    }

    /** A macvlan or ipvlan network on eth0 with 10.89.0.0/24. */
    private static String vlanNet(String driver, String extra) {
        return "{\"name\": \"v\", \"driver\": \"" + driver + "\", \"network_interface\": \"eth0\", "
                + "\"subnets\": [{\"subnet\": \"10.89.0.0/24\"}]" + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    static Stream<Arguments> badFiles() {
        String v4 = "[{\"subnet\": \"10.89.0.0/24\"}]";
        return Stream.of(
                Arguments.of("not JSON", "{\"name\": ", "invalid JSON"),
                Arguments.of("empty file", "", "file is empty"),
                Arguments.of("content after the object", net("n", "br0", v4, "") + " {}", "invalid JSON at line 1, column "),
                Arguments.of("option null", net("n", "br0", v4, "\"options\": {\"mtu\": null}"), "\"options.mtu\" must be a string, found null"),
                Arguments.of("not an object", "[1, 2]", "expected a JSON object, found an array"),
                Arguments.of("duplicate key", "{\"name\": \"a\", \"name\": \"b\"}", "Duplicate field 'name'"),
                Arguments.of("missing name", "{\"driver\": \"bridge\", \"network_interface\": \"br0\", \"subnets\": " + v4 + "}", "\"name\" is required"),
                Arguments.of("bad name", net("-bad", "br0", v4, ""), "network name \"-bad\" is invalid"),
                Arguments.of("name with slash", net("a/b", "br0", v4, ""), "network name \"a/b\" is invalid"),
                Arguments.of("name not a string", "{\"name\": 5, \"network_interface\": \"br0\", \"subnets\": " + v4 + "}", "\"name\" must be a string"),
                Arguments.of("plugin driver", "{\"name\": \"m\", \"driver\": \"my-plugin\", \"network_interface\": \"eth0\", \"subnets\": " + v4 + "}",
                        "driver \"my-plugin\" is not supported; podnet builds bridge, macvlan, ipvlan networks"),
                Arguments.of("no bridge name", "{\"name\": \"n\", \"driver\": \"bridge\", \"subnets\": " + v4 + "}", "\"network_interface\" (the bridge name) is required"),
                Arguments.of("bridge name too long", net("n", "a23456789012345x", v4, ""), "bridge name \"a23456789012345x\" is invalid"),
                Arguments.of("bridge name .", net("n", ".", v4, ""), "bridge name \".\" is invalid"),
                Arguments.of("bridge name ..", net("n", "..", v4, ""), "bridge name \"..\" is invalid"),
                Arguments.of("bridge name with space", net("n", "br 0", v4, ""), "bridge name \"br 0\" is invalid"),
                Arguments.of("bridge name empty", net("n", "", v4, ""), "bridge name \"\" is invalid"),
                Arguments.of("subnet not a CIDR", net("n", "br0", "[{\"subnet\": \"10.89.0.0\"}]", ""), "missing /prefix"),
                Arguments.of("subnet prefix too long", net("n", "br0", "[{\"subnet\": \"10.89.0.0/33\"}]", ""), "prefix length over 32"),
                Arguments.of("subnet host bits", net("n", "br0", "[{\"subnet\": \"10.89.0.5/24\"}]", ""), "has host bits set; the network is 10.89.0.0/24"),
                Arguments.of("subnets not an array", net("n", "br0", "{}", ""), "\"subnets\" must be an array"),
                Arguments.of("no subnet", net("n", "br0", "[]", ""), "at least one subnet is required"),
                Arguments.of("overlap inside", net("n", "br0", "[{\"subnet\": \"10.89.0.0/16\"}, {\"subnet\": \"10.89.3.0/24\"}]", ""),
                        "subnet 10.89.3.0/24 overlaps its other subnet 10.89.0.0/16"),
                Arguments.of("gateway outside", net("n", "br0", "[{\"subnet\": \"10.89.0.0/24\", \"gateway\": \"10.88.0.1\"}]", ""),
                        "gateway 10.88.0.1 is not in subnet 10.89.0.0/24"),
                Arguments.of("gateway of the other family", net("n", "br0", "[{\"subnet\": \"10.89.0.0/24\", \"gateway\": \"fd00::1\"}]", ""),
                        "gateway fd00::1 is not in subnet 10.89.0.0/24"),
                Arguments.of("gateway is network", net("n", "br0", "[{\"subnet\": \"10.89.0.0/24\", \"gateway\": \"10.89.0.0\"}]", ""),
                        "gateway 10.89.0.0 is the network address of subnet 10.89.0.0/24"),
                Arguments.of("gateway is broadcast", net("n", "br0", "[{\"subnet\": \"10.89.0.0/24\", \"gateway\": \"10.89.0.255\"}]", ""),
                        "gateway 10.89.0.255 is the broadcast address of subnet 10.89.0.0/24"),
                Arguments.of("gateway not an address", net("n", "br0", "[{\"subnet\": \"10.89.0.0/24\", \"gateway\": \"router\"}]", ""),
                        "subnets[0].gateway: invalid IP address \"router\""),
                Arguments.of("no room for a gateway", net("n", "br0", "[{\"subnet\": \"10.89.0.0/31\"}]", ""),
                        "cannot derive a gateway for subnet 10.89.0.0/31"),
                Arguments.of("ipv6 not enabled", net("n", "br0", "[{\"subnet\": \"fd00::/64\"}]", ""),
                        "IPv6 subnet fd00::/64 requires \"ipv6_enabled\": true"),
                Arguments.of("ipv6_enabled not a boolean", net("n", "br0", v4, "\"ipv6_enabled\": \"yes\""),
                        "\"ipv6_enabled\" must be true or false"),
                Arguments.of("mtu not a number", net("n", "br0", v4, "\"options\": {\"mtu\": \"big\"}"), "option mtu \"big\" is not a decimal integer"),
                Arguments.of("mtu negative", net("n", "br0", v4, "\"options\": {\"mtu\": \"-1\"}"), "option mtu \"-1\" is not a decimal integer"),
                Arguments.of("mtu too small", net("n", "br0", v4, "\"options\": {\"mtu\": \"67\"}"), "option mtu 67 is out of range 68-65535"),
                Arguments.of("mtu too big", net("n", "br0", v4, "\"options\": {\"mtu\": \"65536\"}"), "option mtu 65536 is out of range 68-65535"),
                Arguments.of("mtu too small for ipv6", net("n", "br0", "[{\"subnet\": \"fd00::/64\"}]", "\"ipv6_enabled\": true, \"options\": {\"mtu\": \"1000\"}"),
                        "option mtu 1000 is below 1280"),
                Arguments.of("option not a string", net("n", "br0", v4, "\"options\": {\"mtu\": [1500]}"), "\"options.mtu\" must be a string"),
                Arguments.of("lease outside", net("n", "br0", "[{\"subnet\": \"10.89.0.0/24\", \"lease_range\": {\"start_ip\": \"10.89.1.1\"}}]", ""),
                        "lease range address 10.89.1.1 is not in subnet 10.89.0.0/24"),
                Arguments.of("lease reversed", net("n", "br0",
                        "[{\"subnet\": \"10.89.0.0/24\", \"lease_range\": {\"start_ip\": \"10.89.0.50\", \"end_ip\": \"10.89.0.40\"}}]", ""),
                        "lease range start 10.89.0.50 is after its end 10.89.0.40"),
                Arguments.of("unknown option", net("n", "br0", v4, "\"options\": {\"colour\": \"blue\"}"),
                        "option \"colour\" is not supported by podnet for bridge networks (it knows com.docker.network.driver.mtu, isolate, metric, mode, mtu, no_default_route, vlan)"),
                Arguments.of("vrf", net("n", "br0", v4, "\"options\": {\"vrf\": \"blue\"}"), "option \"vrf\" is not supported: podnet does not put bridges into a VRF"),
                Arguments.of("outbound address", net("n", "br0", v4, "\"options\": {\"outbound_addr4\": \"192.0.2.1\"}"),
                        "option \"outbound_addr4\" is not supported"),
                Arguments.of("unmanaged bridge", net("n", "br0", v4, "\"options\": {\"mode\": \"unmanaged\"}"),
                        "option mode \"unmanaged\" is not supported: podnet manages its bridges"),
                Arguments.of("isolate maybe", net("n", "br0", v4, "\"options\": {\"isolate\": \"maybe\"}"),
                        "option isolate \"maybe\" must be true, false or strict"),
                Arguments.of("vlan 0", net("n", "br0", v4, "\"options\": {\"vlan\": \"0\"}"), "option vlan 0 is out of range 1-4094"),
                Arguments.of("vlan 4095", net("n", "br0", v4, "\"options\": {\"vlan\": 4095}"), "option vlan 4095 is out of range 1-4094"),
                Arguments.of("metric 0", net("n", "br0", v4, "\"options\": {\"metric\": \"0\"}"), "option metric 0 is out of range 1-2147483647"),
                Arguments.of("metric text", net("n", "br0", v4, "\"options\": {\"metric\": \"low\"}"), "option metric \"low\" is not a decimal integer"),
                Arguments.of("no_default_route yes", net("n", "br0", v4, "\"options\": {\"no_default_route\": \"yes\"}"),
                        "option no_default_route \"yes\" must be true or false"),
                Arguments.of("two mtus", net("n", "br0", v4, "\"options\": {\"mtu\": \"1400\", \"com.docker.network.driver.mtu\": \"1500\"}"),
                        "options mtu 1400 and com.docker.network.driver.mtu 1500 disagree"),
                Arguments.of("macvlan mode", vlanNet("macvlan", "\"options\": {\"mode\": \"l3\"}"),
                        "option mode: macvlan mode \"l3\" is not one of [bridge, private, vepa, passthru]"),
                Arguments.of("ipvlan mode", vlanNet("ipvlan", "\"options\": {\"mode\": \"bridge\"}"),
                        "option mode: ipvlan mode \"bridge\" is not one of [l2, l3, l3s]"),
                Arguments.of("macvlan bclim", vlanNet("macvlan", "\"options\": {\"bclim\": \"-1\"}"),
                        "option \"bclim\" is not supported: podnet does not set the macvlan broadcast queue limit"),
                Arguments.of("vlan on macvlan", vlanNet("macvlan", "\"options\": {\"vlan\": \"5\"}"),
                        "option \"vlan\" is not supported by podnet for macvlan networks (it knows metric, mode, mtu, no_default_route)"),
                Arguments.of("isolate on ipvlan", vlanNet("ipvlan", "\"options\": {\"isolate\": \"true\"}"),
                        "option \"isolate\" is not supported by podnet for ipvlan networks"),
                Arguments.of("dns on macvlan", vlanNet("macvlan", "\"dns_enabled\": true"), "\"dns_enabled\" needs the bridge driver"),
                Arguments.of("bad parent", "{\"name\": \"m\", \"driver\": \"macvlan\", \"network_interface\": \"a b\", \"subnets\": " + v4 + "}",
                        "parent interface name \"a b\" is invalid"),
                Arguments.of("routes not an array", net("n", "br0", v4, "\"routes\": {}"), "\"routes\" must be an array, found an object"),
                Arguments.of("route without gateway", net("n", "br0", v4, "\"routes\": [{\"destination\": \"10.10.0.0/16\"}]"),
                        "\"routes[0].gateway\" is required"),
                Arguments.of("route host bits", net("n", "br0", v4, "\"routes\": [{\"destination\": \"10.10.0.1/16\", \"gateway\": \"10.89.0.5\"}]"),
                        "routes[0]: destination 10.10.0.1/16 has host bits set; the network is 10.10.0.0/16"),
                Arguments.of("route families", net("n", "br0", v4, "\"routes\": [{\"destination\": \"fd00::/64\", \"gateway\": \"10.89.0.5\"}]"),
                        "routes[0]: gateway 10.89.0.5 is not of the family of destination fd00::/64"),
                Arguments.of("route gateway off the network", net("n", "br0", v4, "\"routes\": [{\"destination\": \"10.10.0.0/16\", \"gateway\": \"192.0.2.1\"}]"),
                        "routes[0]: gateway 192.0.2.1 is in none of the network's subnets [10.89.0.0/24], so pods cannot reach it"),
                Arguments.of("route metric", net("n", "br0", v4, "\"routes\": [{\"destination\": \"10.10.0.0/16\", \"gateway\": \"10.89.0.5\", \"metric\": -1}]"),
                        "routes[0].metric must be a number"),
                Arguments.of("dhcp ipam", net("n", "br0", "[]", "\"ipam_options\": {\"driver\": \"dhcp\"}"), "ipam driver \"dhcp\" is not supported"),
                Arguments.of("none ipam with subnets", net("n", "br0", v4, "\"ipam_options\": {\"driver\": \"none\"}"),
                        "ipam driver \"none\" is set but subnets are given"),
                Arguments.of("dns servers without dns", net("n", "br0", v4, "\"network_dns_servers\": [\"192.0.2.53\"]"),
                        "network_dns_servers is given but dns_enabled is not true"),
                Arguments.of("dns port without dns", net("n", "br0", v4, "\"dns_bind_port\": 5353"),
                        "dns_bind_port is given but dns_enabled is not true"),
                Arguments.of("dns server not an address", net("n", "br0", v4, "\"dns_enabled\": true, \"network_dns_servers\": [\"dns.example\"]"),
                        "network_dns_servers entry \"dns.example\" is not an IP address"),
                Arguments.of("dns servers not a list", net("n", "br0", v4, "\"dns_enabled\": true, \"network_dns_servers\": \"192.0.2.53\""),
                        "\"network_dns_servers\" must be an array of strings, found a string"),
                Arguments.of("dns port zero", net("n", "br0", v4, "\"dns_enabled\": true, \"dns_bind_port\": 0"),
                        "dns_bind_port 0 is out of range 1-65535"),
                Arguments.of("dns port a string", net("n", "br0", v4, "\"dns_enabled\": true, \"dns_bind_port\": \"53\""),
                        "\"dns_bind_port\" must be a whole number, found a string"));
    }

    @Test
    void theNameServersUpstreamsAndPortAreReadOnADnsNetworkAndDefaultToTheHostsAnd53() throws IOException {
        write("a.json", net("a", "br-a", "[{\"subnet\": \"10.100.0.0/24\"}]",
                "\"dns_enabled\": true, \"network_dns_servers\": [\"192.0.2.53\", \"2001:db8::53\"], \"dns_bind_port\": 5353"));
        write("b.json", net("b", "br-b", "[{\"subnet\": \"10.101.0.0/24\"}]", "\"dns_enabled\": true"));
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.get("a").orElseThrow().dns()).isEqualTo(new NetworkDefinition.Dns(List.of(IpAddresses.parse("192.0.2.53"),
                IpAddresses.parse("2001:db8::53")), 5353));
        assertThat(defs.get("b").orElseThrow().dns()).isEqualTo(NetworkDefinition.Dns.DEFAULT);
        assertThat(NetworkDefinition.Dns.DEFAULT.bindPort()).isEqualTo(53);
        assertThat(NetworkDefinition.Dns.DEFAULT.servers()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void eachRuleMakesOnlyThatNetworkUnavailable(String rule, String json, String problem) throws IOException {
        write("good.json", net("good", "br-good", "[{\"subnet\": \"10.100.0.0/24\"}]", ""));
        Path bad = write("bad.json", json);
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.all()).extracting(NetworkDefinition::name).containsExactly("good");
        assertThat(defs.problems()).singleElement().satisfies(e -> {
            assertThat(e.file()).isEqualTo(bad.toString());
            assertThat(e.getMessage()).startsWith(bad + ": ").contains(problem);
        });
        // the network the file names, or the file's own name when no valid name could be read
        NetworkDefinitionException e = defs.problems().get(0);
        String key = e.network() != null ? e.network() : "bad";
        assertThat(defs.unavailable(key)).contains(e);
        assertThat(defs.unavailable("good")).isEmpty();
    }

    @Test
    void ipamNoneAllowsANetworkWithoutSubnets() throws IOException {
        write("bare.json", net("bare", "br-bare", "[]", "\"ipam_options\": {\"driver\": \"none\"}"));
        assertThat(NetworkDefinitions.load(dir).get("bare").orElseThrow().subnets()).isEmpty();
    }

    /** Loads the directory and returns the one problem, which must be the later file's. */
    private NetworkDefinitionException onlyProblem(Path later) {
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.problems()).hasSize(1);
        NetworkDefinitionException e = defs.problems().get(0);
        assertThat(e.file()).isEqualTo(later.toString());
        return e;
    }

    @Test
    void networkNamesAreUniqueAcrossFiles() throws IOException {
        Path first = write("1.json", net("same", "br1", "[{\"subnet\": \"10.1.0.0/24\"}]", ""));
        Path second = write("2.json", net("same", "br2", "[{\"subnet\": \"10.2.0.0/24\"}]", ""));
        assertThat(onlyProblem(second)).hasMessage(second + ": network name \"same\" is already defined in " + first);
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.get("same").orElseThrow().bridgeName()).as("the first file's network stays usable").isEqualTo("br1");
        assertThat(defs.unavailable("same")).as("a usable definition of the name wins").isEmpty();
    }

    @Test
    void bridgeNamesAreUniqueAcrossFiles() throws IOException {
        Path first = write("1.json", net("one", "br-same", "[{\"subnet\": \"10.1.0.0/24\"}]", ""));
        Path second = write("2.json", net("two", "br-same", "[{\"subnet\": \"10.2.0.0/24\"}]", ""));
        assertThat(onlyProblem(second)).hasMessage(second + ": bridge name \"br-same\" is already used by the network in " + first);
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.get("one")).isPresent();
        assertThat(defs.unavailable("two").orElseThrow().reason()).isEqualTo("InvalidNetworkDefinition");
    }

    @Test
    void macvlanNetworksMayShareAParent() throws IOException {
        write("1.json", "{\"name\": \"mv1\", \"driver\": \"macvlan\", \"network_interface\": \"eth0\", \"subnets\": [{\"subnet\": \"10.1.0.0/24\"}]}");
        write("2.json", "{\"name\": \"mv2\", \"driver\": \"macvlan\", \"network_interface\": \"eth0\", \"subnets\": [{\"subnet\": \"10.2.0.0/24\"}]}");
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.problems()).isEmpty();
        assertThat(defs.all()).extracting(NetworkDefinition::name).containsExactly("mv1", "mv2");
    }

    @Test
    void subnetsOfDifferentNetworksMustNotOverlap() throws IOException {
        Path first = write("1.json", net("one", "br1", "[{\"subnet\": \"10.1.0.0/16\"}]", ""));
        Path second = write("2.json", net("two", "br2", "[{\"subnet\": \"10.1.200.0/24\"}]", ""));
        assertThat(onlyProblem(second)).hasMessage(second + ": subnet 10.1.200.0/24 overlaps subnet 10.1.0.0/16 of the network in " + first);
    }

    @Test
    void ipv6SubnetsOfDifferentNetworksMustNotOverlapEither() throws IOException {
        write("1.json", net("one", "br1", "[{\"subnet\": \"fd00::/48\"}]", "\"ipv6_enabled\": true"));
        Path second = write("2.json", net("two", "br2", "[{\"subnet\": \"fd00:0:0:1::/64\"}]", "\"ipv6_enabled\": true"));
        assertThat(onlyProblem(second)).hasMessageStartingWith(second + ": subnet fd00:0:0:1::/64 overlaps subnet fd00::/48");
    }

    @Test
    void aFileThatIsNotEvenJsonIsUnavailableUnderItsFileName() throws IOException {
        write("good.json", net("good", "br-good", "[{\"subnet\": \"10.100.0.0/24\"}]", ""));
        Path broken = write("backend.json", "{\"name\": \"backend\", ");
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.get("good")).isPresent();
        NetworkDefinitionException e = defs.unavailable("backend").orElseThrow();
        assertThat(e.file()).isEqualTo(broken.toString());
        assertThat(e.network()).isNull();
        assertThat(e.problem()).startsWith("invalid JSON");
        assertThat(defs.unavailable("other")).isEmpty();
        assertThat(defs.toString()).contains("unavailable [backend]");
    }

    @Test
    void aDirectoryOfBadFilesOnlyHasNoNetworkAndNoDefault() throws IOException {
        write("a.json", "garbage");
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.all()).isEmpty();
        assertThat(defs.get("podnet")).as("files were given: the default network is not added").isEmpty();
        assertThat(defs.unavailable("a")).isPresent();
    }

    @Test
    void aPathThatIsNotADirectoryIsRefused() throws IOException {
        Path file = write("plain", "x");
        assertThatThrownBy(() -> NetworkDefinitions.load(file))
                .isInstanceOf(NetworkDefinitionException.class)
                .hasMessage(file + ": not a directory");
    }

    @Test
    void nullFieldsCountAsAbsentAndScalarOptionsAsTheirText() throws IOException {
        write("a.json", """
                {"name": "a", "driver": null, "network_interface": "br-a",
                 "subnets": [{"subnet": "10.1.0.0/24", "gateway": null, "lease_range": null}],
                 "ipv6_enabled": null, "internal": null, "dns_enabled": null,
                 "options": {"isolate": true, "mtu": 1500}, "ipam_options": null}
                """);
        NetworkDefinition d = NetworkDefinitions.load(dir).get("a").orElseThrow();
        assertThat(d.driver()).isEqualTo("bridge");
        assertThat(d.internal()).isFalse();
        assertThat(d.subnets()).containsExactly(Subnet.of(Cidr.parse("10.1.0.0/24"), IpAddresses.parse("10.1.0.1")));
        assertThat(d.options()).containsEntry("isolate", "true").containsEntry("mtu", "1500");
    }

    @Test
    void bridgeOptionsAndRoutesAreRead() throws IOException {
        write("a.json", net("a", "br-a", "[{\"subnet\": \"10.1.0.0/24\"}, {\"subnet\": \"fd00:1::/64\"}]", """
                "ipv6_enabled": true,
                "options": {"mtu": "1400", "metric": "250", "no_default_route": "1", "isolate": "strict", "vlan": "42", "mode": "managed"},
                "routes": [{"destination": "10.10.0.0/16", "gateway": "10.1.0.5", "metric": 50},
                           {"destination": "fd00:99::/64", "gateway": "fd00:1::5"}]"""));
        NetworkDefinition d = NetworkDefinitions.load(dir).get("a").orElseThrow();
        assertThat(d.mtu()).isEqualTo(1400);
        assertThat(d.metric()).isEqualTo(250);
        assertThat(d.noDefaultRoute()).isTrue();
        assertThat(d.isolate()).isEqualTo(Isolation.STRICT);
        assertThat(d.vlan()).isEqualTo(42);
        assertThat(d.mode()).as("a bridge has no mode").isNull();
        assertThat(d.routes()).containsExactly(
                new StaticRoute(Cidr.parse("10.10.0.0/16"), IpAddresses.parse("10.1.0.5"), 50),
                new StaticRoute(Cidr.parse("fd00:99::/64"), IpAddresses.parse("fd00:1::5"), StaticRoute.DEFAULT_METRIC));
    }

    @Test
    void optionsDefaultToNetavarksDefaults() throws IOException {
        write("a.json", net("a", "br-a", "[{\"subnet\": \"10.1.0.0/24\"}]", "\"options\": {\"isolate\": \"true\", \"com.docker.network.driver.mtu\": \"9000\"}"));
        write("b.json", net("b", "br-b", "[{\"subnet\": \"10.2.0.0/24\"}]", "\"options\": {\"isolate\": \"false\", \"no_default_route\": \"false\"}"));
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        NetworkDefinition a = defs.get("a").orElseThrow();
        assertThat(a.isolate()).isEqualTo(Isolation.ISOLATED);
        assertThat(a.mtu()).as("Docker's name for mtu").isEqualTo(9000);
        assertThat(a.metric()).isNull();
        assertThat(a.vlan()).isNull();
        assertThat(a.routes()).isEmpty();
        NetworkDefinition b = defs.get("b").orElseThrow();
        assertThat(b.isolate()).isEqualTo(Isolation.NONE);
        assertThat(b.noDefaultRoute()).isFalse();
    }

    @Test
    void macvlanAndIpvlanNetworksWithTheirModes() throws IOException {
        write("m.json", """
                {"name": "mv", "driver": "macvlan", "network_interface": "eth1", "subnets": [{"subnet": "192.168.5.0/24"}],
                 "options": {"mode": "passthru", "mtu": "1400", "metric": "99", "no_default_route": "true"}}""");
        write("n.json", """
                {"name": "mvdefault", "driver": "macvlan", "subnets": [{"subnet": "192.168.6.0/24", "gateway": "192.168.6.254"}]}""");
        write("i.json", """
                {"name": "iv", "driver": "ipvlan", "network_interface": "eth2", "subnets": [{"subnet": "192.168.7.0/24"}], "internal": true}""");
        write("j.json", """
                {"name": "ivl3s", "driver": "ipvlan", "network_interface": "eth2", "subnets": [{"subnet": "192.168.8.0/24"}],
                 "options": {"mode": "l3s"}}""");
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.problems()).isEmpty();
        NetworkDefinition mv = defs.get("mv").orElseThrow();
        assertThat(mv.driver()).isEqualTo("macvlan");
        assertThat(mv.isBridge()).isFalse();
        assertThat(mv.parent()).isEqualTo("eth1");
        assertThat(mv.mode()).isEqualTo("passthru");
        assertThat(mv.mtu()).isEqualTo(1400);
        assertThat(mv.metric()).isEqualTo(99);
        assertThat(mv.noDefaultRoute()).isTrue();
        assertThat(mv.subnets().get(0).gateway()).as("derived as for bridges").isEqualTo(IpAddresses.parse("192.168.5.1"));
        NetworkDefinition mvDefault = defs.get("mvdefault").orElseThrow();
        assertThat(mvDefault.parent()).as("the default route's interface").isEmpty();
        assertThat(mvDefault.mode()).isEqualTo("bridge");
        NetworkDefinition iv = defs.get("iv").orElseThrow();
        assertThat(iv.mode()).isEqualTo("l2");
        assertThat(iv.internal()).isTrue();
        assertThat(iv.subnets().get(0).gateway()).isNull();
        assertThat(defs.get("ivl3s").orElseThrow().mode()).isEqualTo("l3s");
    }

    @Test
    void unsupportedOptionsAndDriversHaveTheirOwnReason() throws IOException {
        write("a.json", net("a", "br-a", "[{\"subnet\": \"10.1.0.0/24\"}]", "\"options\": {\"vrf\": \"red\"}"));
        write("b.json", "{\"name\": \"b\", \"driver\": \"my-plugin\", \"subnets\": []}");
        write("c.json", net("c", "br-c", "[{\"subnet\": \"10.3.0.0/24\"}]", "\"options\": {\"mtu\": \"huge\"}"));
        NetworkDefinitions defs = NetworkDefinitions.load(dir);
        assertThat(defs.unavailable("a").orElseThrow().reason()).isEqualTo("UnsupportedNetworkOption");
        assertThat(defs.unavailable("b").orElseThrow().reason()).isEqualTo("UnsupportedNetworkDriver");
        assertThat(defs.unavailable("c").orElseThrow().reason()).isEqualTo("InvalidNetworkDefinition");
        assertThat(defs.unavailable("a").orElseThrow().network()).isEqualTo("a");
    }

    @Test
    void definitionsAreImmutable() throws IOException {
        write("a.json", net("a", "br-a", "[{\"subnet\": \"10.1.0.0/24\"}]", "\"options\": {\"mtu\": 1400}"));
        NetworkDefinition d = NetworkDefinitions.load(dir).get("a").orElseThrow();
        assertThat(d.mtu()).as("a numeric option is taken as its text").isEqualTo(1400);
        assertThatThrownBy(() -> d.subnets().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> d.options().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }
}
