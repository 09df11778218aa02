package io.mesosoperator.cloud.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CidrTest {

  @Test
  void gatewayIsFirstHostAndMachinesGetTheLowestFreeAfterIt() {
    Cidr c = Cidr.parse("10.213.0.0/24");
    assertThat(c.gateway()).isEqualTo("10.213.0.1");
    assertThat(c.lowestFree(List.of())).contains("10.213.0.2");
    assertThat(c.lowestFree(List.of("10.213.0.2", "10.213.0.4"))).contains("10.213.0.3");
  }

  @Test
  void fullRangeHasNoFreeAddressAndNeverHandsOutBroadcast() {
    Cidr c = Cidr.parse("192.168.7.0/29"); // hosts .1-.6, .1 is the bridge
    List<String> used = List.of("192.168.7.2", "192.168.7.3", "192.168.7.4", "192.168.7.5");
    assertThat(c.lowestFree(used)).contains("192.168.7.6");
    assertThat(
            c.lowestFree(
                List.of("192.168.7.2", "192.168.7.3", "192.168.7.4", "192.168.7.5", "192.168.7.6")))
        .isEmpty();
  }

  @Test
  void containsOnlyAddressesOfTheRange() {
    Cidr c = Cidr.parse("172.20.0.0/16");
    assertThat(c.contains("172.20.255.9")).isTrue();
    assertThat(c.contains("172.21.0.1")).isFalse();
    assertThat(c.contains("not-an-ip")).isFalse();
  }

  @Test
  void rejectsPublicMisalignedAndOddRanges() {
    assertThatThrownBy(() -> Cidr.parse("8.8.8.0/24")).hasMessageContaining("private");
    assertThatThrownBy(() -> Cidr.parse("10.213.0.5/24")).hasMessageContaining("10.213.0.0/24");
    assertThatThrownBy(() -> Cidr.parse("10.0.0.0/8")).hasMessageContaining("/16 and /29");
    assertThatThrownBy(() -> Cidr.parse("10.213.0.0/30")).hasMessageContaining("/16 and /29");
    assertThatThrownBy(() -> Cidr.parse("10.213.0.256/24")).hasMessageContaining("not an IPv4");
    assertThatThrownBy(() -> Cidr.parse("10.213.0.0; rm -rf /"))
        .hasMessageContaining("not an IPv4");
  }
}
