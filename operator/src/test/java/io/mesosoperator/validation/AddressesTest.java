package io.mesosoperator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AddressesTest {
  @Test
  void ipv4IsStrictDottedQuad() {
    assertThat(Addresses.ipv4("10.0.0.1")).isEqualTo(0x0A000001L);
    assertThat(Addresses.ipv4("255.255.255.255")).isEqualTo(0xFFFFFFFFL);
    for (String bad :
        new String[] {"010.0.0.1", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.-4", "a.b.c.d", ""}) {
      assertThat(Addresses.ipv4(bad)).as(bad).isEqualTo(-1);
    }
  }

  @Test
  void ipLiteralsNeverResolveNames() {
    assertThat(Addresses.isIp("::1")).isTrue();
    assertThat(Addresses.isIp("2001:db8::7")).isTrue();
    assertThat(Addresses.isIp("192.0.2.1")).isTrue();
    // Would resolve if handed to InetAddress; must be refused before that.
    assertThat(Addresses.isIp("localhost")).isFalse();
    assertThat(Addresses.isIp("example.com")).isFalse();
    assertThat(Addresses.isIp("zz::1")).isFalse();
    assertThat(Addresses.isIp("1:2:3")).isFalse();
  }

  @Test
  void cidrParsingAndPrivateRanges() {
    assertThat(Addresses.cidr("10.213.0.0/24").isPrivate()).isTrue();
    assertThat(Addresses.cidr("172.31.255.0/24").isPrivate()).isTrue();
    assertThat(Addresses.cidr("192.168.0.0/16").isPrivate()).isTrue();
    assertThat(Addresses.cidr("192.168.0.0/15").isPrivate()).isFalse();
    assertThat(Addresses.cidr("8.8.8.0/24").isPrivate()).isFalse();
    assertThat(Addresses.cidr("10.0.0.5/24").hostBitsZero()).isFalse();
    assertThat(Addresses.cidr("10.0.0.5/24").networkText()).isEqualTo("10.0.0.0/24");
    assertThat(Addresses.cidr("10.0.0.0/24").usableHosts()).isEqualTo(253);
    assertThat(Addresses.cidr("10.0.0.0/24").contains(Addresses.ipv4("10.0.0.200"))).isTrue();
    assertThat(Addresses.cidr("10.0.0.0/24").contains(Addresses.ipv4("10.0.1.1"))).isFalse();
    for (String bad :
        new String[] {"10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/a"}) {
      assertThat(Addresses.cidr(bad)).as(bad).isNull();
    }
  }
}
