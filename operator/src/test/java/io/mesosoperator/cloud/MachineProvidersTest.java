package io.mesosoperator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesosoperator.api.CloudSpec;
import io.mesosoperator.api.MachineSpec;
import io.mesosoperator.api.NetworkSpec;
import io.mesosoperator.api.RoleType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MachineProvidersTest {

  static CloudSpec cloud(String provider) {
    CloudSpec c = new CloudSpec();
    c.setProvider(provider);
    c.setNetwork(new NetworkSpec());
    return c;
  }

  @Test
  void byonAdoptsTheListedMachines() throws Exception {
    CloudSpec c = cloud("byon");
    c.setByon(List.of(ByonMachineProviderTest.byon("m1", "masters", "10.0.0.1", null)));
    try (MachineProvider p = MachineProviders.forCloud(c, null, null)) {
      assertThat(p).isInstanceOf(ByonMachineProvider.class);
      assertThat(p.create(ByonMachineProviderTest.request("demo-masters-0", "masters")).id())
          .isEqualTo("m1");
    }
  }

  @Test
  void localIsMadeElsewhereAndAProviderIsRequired() {
    assertThatThrownBy(() -> MachineProviders.forCloud(cloud("local"), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("local");
    assertThatThrownBy(() -> MachineProviders.forCloud(cloud(null), null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void everythingElseIsJclouds() throws Exception {
    try (MachineProvider p =
        MachineProviders.forCloud(cloud("stub"), "mp-" + UUID.randomUUID(), "x")) {
      assertThat(p).isInstanceOf(JcloudsMachineProvider.class);
      assertThat(p.list("none")).isEmpty();
    }
  }

  @Test
  void anUnknownProviderIsAPermanentErrorOrRejected() {
    assertThatThrownBy(() -> MachineProviders.forCloud(cloud("no-such-cloud"), "i", "secret-c"))
        .satisfies(
            e -> {
              assertThat(e.getMessage()).doesNotContain("secret-c");
              if (e instanceof CloudException ce) {
                assertThat(ce.isTransient()).isFalse();
              }
            });
  }

  @Test
  void countingCountsMutationsAndListsSeparately() throws Exception {
    CountingMachineProvider counting =
        new CountingMachineProvider(
            new JcloudsMachineProvider("stub", "count-" + UUID.randomUUID(), "x"));
    try (counting) {
      String uid = UUID.randomUUID().toString();
      counting.ensureNetwork(
          new NetworkRequest(uid, "c", null, null, Map.of("agents", List.of(22)), List.of()));
      Machine m =
          counting.create(
              new MachineRequest(
                  uid,
                  "c",
                  "c-agents-0",
                  "agents",
                  RoleType.AGENT,
                  new MachineSpec(),
                  null,
                  List.of(22)));
      counting.list(uid);
      counting.list(uid);
      counting.destroy(m.id());
      assertThat(counting.creates()).isEqualTo(1);
      assertThat(counting.destroys()).isEqualTo(1);
      assertThat(counting.ensureNetworks()).isEqualTo(1);
      assertThat(counting.lists()).isEqualTo(2);
      assertThat(counting.mutations()).isEqualTo(3);
      counting.reset();
      assertThat(counting.mutations()).isZero();
      assertThat(counting.lists()).isZero();
    }
  }
}
