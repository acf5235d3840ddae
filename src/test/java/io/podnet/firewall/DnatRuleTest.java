package io.podnet.firewall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.podnet.inet.IpAddresses;
import io.podnet.inet.PortMapping;
import io.podnet.inet.Protocol;

class DnatRuleTest {
    private static final java.net.InetAddress V4 = IpAddresses.parse("10.89.0.2");
    private static final java.net.InetAddress V6 = IpAddresses.parse("fd00:89::2");

    @Test
    void anyHostAddressForwardsEveryFamilyThePodHas() {
        List<DnatRule> rules = DnatRule.forMappings(List.of(new PortMapping(null, 8080, 80, Protocol.TCP, 1)), List.of(V4, V6));
        assertThat(rules).containsExactly(new DnatRule(null, Protocol.TCP, 8080, 1, V4, 80), new DnatRule(null, Protocol.TCP, 8080, 1, V6, 80));
    }

    @Test
    void aHostAddressForwardsOnlyItsFamily() {
        PortMapping onV4 = new PortMapping(IpAddresses.parse("192.168.1.1"), 8080, 80, Protocol.UDP, 2);
        assertThat(DnatRule.forMappings(List.of(onV4), List.of(V4, V6)))
                .containsExactly(new DnatRule(IpAddresses.parse("192.168.1.1"), Protocol.UDP, 8080, 2, V4, 80));
        assertThat(DnatRule.forMappings(List.of(onV4), List.of(V6))).isEmpty();
    }

    @Test
    void aWildcardHostAddressIsAnyAddress() {
        assertThat(new DnatRule(IpAddresses.parse("0.0.0.0"), Protocol.TCP, 8080, 1, V4, 80).hostIp()).isNull();
    }

    @Test
    void invalidRulesAreRefused() {
        assertThatThrownBy(() -> new DnatRule(null, Protocol.TCP, 65535, 2, V4, 80)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DnatRule(null, Protocol.TCP, 8080, 1, V4, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DnatRule(IpAddresses.parse("fd00::1"), Protocol.TCP, 8080, 1, V4, 80))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DnatRule.forMappings(List.of(new PortMapping(null, 0, 80, Protocol.TCP, 1)), List.of(V4)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void overlapNeedsFamilyProtocolAddressAndPorts() {
        DnatRule a = new DnatRule(null, Protocol.TCP, 8000, 10, V4, 80);
        assertThat(a.overlaps(new DnatRule(IpAddresses.parse("10.0.0.1"), Protocol.TCP, 8009, 1, V4, 80))).isTrue();
        assertThat(a.overlaps(new DnatRule(null, Protocol.TCP, 8010, 1, V4, 80))).isFalse();
        assertThat(a.overlaps(new DnatRule(null, Protocol.UDP, 8005, 1, V4, 80))).isFalse();
        assertThat(a.overlaps(new DnatRule(null, Protocol.TCP, 8005, 1, V6, 80))).isFalse();
        DnatRule specific = new DnatRule(IpAddresses.parse("10.0.0.1"), Protocol.TCP, 8005, 1, V4, 80);
        assertThat(specific.overlaps(new DnatRule(IpAddresses.parse("10.0.0.2"), Protocol.TCP, 8005, 1, V4, 80))).isFalse();
    }
}
