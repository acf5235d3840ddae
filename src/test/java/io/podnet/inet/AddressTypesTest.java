package io.podnet.inet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;

import org.junit.jupiter.api.Test;

class AddressTypesTest {
    @Test
    void parsesLiteralsOnlyAndNeverResolvesNames() {
        assertThat(IpAddresses.format(IpAddresses.parse("10.89.0.5"))).isEqualTo("10.89.0.5");
        assertThat(IpAddresses.format(IpAddresses.parse("fd00:0:0:0:0:0:0:1"))).isEqualTo("fd00::1");
        for (String bad : new String[] {"10.89.0.300", "10.89.0", "010.1.1.1", "localhost", "example.com", "1::2::3", "", "fe80::1%eth0", "[::1]"}) {
            assertThatThrownBy(() -> IpAddresses.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anIpv4MappedIpv6AddressStaysIpv6() {
        assertThat(IpAddresses.parse("::ffff:10.0.0.1")).isInstanceOf(java.net.Inet6Address.class);
        assertThat(Cidr.parse("::ffff:0:0/96").prefixLength()).isEqualTo(96);
        assertThat(IpAddresses.format(Cidr.parse("::ffff:0:0/96").lastAddress())).isEqualTo("::ffff:ffff:ffff");
    }

    @Test
    void formatsIpv6AsRfc5952() {
        assertThat(IpAddresses.format(IpAddresses.parse("2001:db8:0:0:1:0:0:1"))).isEqualTo("2001:db8::1:0:0:1");
        assertThat(IpAddresses.format(IpAddresses.parse("::"))).isEqualTo("::");
        assertThat(IpAddresses.format(IpAddresses.parse("2001:db8:1:2:3:4:5:6"))).isEqualTo("2001:db8:1:2:3:4:5:6");
    }

    @Test
    void cidrArithmetic() {
        Cidr c = Cidr.parse("10.89.0.5/24");
        assertThat(c.toString()).isEqualTo("10.89.0.5/24");
        assertThat(c.network()).isEqualTo(Cidr.parse("10.89.0.0/24"));
        assertThat(IpAddresses.format(c.lastAddress())).isEqualTo("10.89.0.255");
        assertThat(c.contains(IpAddresses.parse("10.89.0.200"))).isTrue();
        assertThat(c.contains(IpAddresses.parse("10.89.1.1"))).isFalse();
        assertThat(c.contains(IpAddresses.parse("fd00::1"))).isFalse();
        assertThat(c.overlaps(Cidr.parse("10.0.0.0/8"))).isTrue();
        assertThat(c.overlaps(Cidr.parse("10.90.0.0/24"))).isFalse();
        assertThat(Cidr.parse("fd00::/64").size()).isEqualTo(BigInteger.ONE.shiftLeft(64));
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0/33")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Cidr.parse("10.0.0.0")).hasMessageContaining("missing /prefix");
    }

    @Test
    void macAddresses() {
        MacAddress m = MacAddress.parse("02:42:AC:11:00:02");
        assertThat(m.toString()).isEqualTo("02:42:ac:11:00:02");
        assertThat(MacAddress.parse("01:00:5e:00:00:01").isMulticast()).isTrue();
        assertThat(MacAddress.parse("00:00:00:00:00:00").isZero()).isTrue();
        for (int i = 0; i < 100; i++) {
            MacAddress r = MacAddress.randomLocal();
            assertThat(r.isMulticast()).isFalse();
            assertThat(r.bytes()[0] & 0x02).isEqualTo(2);
        }
        assertThatThrownBy(() -> MacAddress.parse("02:42:ac:11:00")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MacAddress.parse("02:42:ac:11:00:zz")).hasMessageContaining("not hex");
        assertThatThrownBy(() -> MacAddress.parse("-1:42:ac:11:00:02")).hasMessageContaining("not hex");
        assertThatThrownBy(() -> MacAddress.parse("+f:42:ac:11:00:02")).hasMessageContaining("not hex");
    }
}
