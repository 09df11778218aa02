package io.mesosoperator.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesosoperator.api.ByonMachine;
import io.mesosoperator.api.MachineSpec;
import io.mesosoperator.api.RoleType;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByonMachineProviderTest {

  private static final String UID = "uid-1";

  static ByonMachine byon(String id, String role, String priv, String pub) {
    ByonMachine m = new ByonMachine();
    m.setId(id);
    m.setRole(role);
    m.setPrivateAddress(priv);
    m.setPublicAddress(pub);
    return m;
  }

  private static final List<ByonMachine> LISTED =
      List.of(
          byon("m-a", "masters", "10.0.0.1", "203.0.113.1"),
          byon("a-a", "agents", "10.0.0.11", null),
          byon("m-b", "masters", "10.0.0.2", null),
          byon("a-b", "agents", "fd00::12", null),
          byon("m-c", "masters", "10.0.0.3", null));

  static MachineRequest request(String node, String role) {
    return new MachineRequest(
        UID,
        "demo",
        node,
        role,
        role.equals("masters") ? RoleType.MASTER : RoleType.AGENT,
        new MachineSpec(),
        null,
        List.of(22));
  }

  @Test
  void nthNodeOfARoleIsTheNthListedMachineOfThatRole() throws Exception {
    ByonMachineProvider p = new ByonMachineProvider(LISTED);
    assertThat(p.create(request("demo-masters-0", "masters")).id()).isEqualTo("m-a");
    assertThat(p.create(request("demo-masters-2", "masters")).id()).isEqualTo("m-c");
    assertThat(p.create(request("demo-masters-1", "masters")).id()).isEqualTo("m-b");
    Machine agent = p.create(request("demo-agents-1", "agents"));
    assertThat(agent.id()).isEqualTo("a-b");
    assertThat(agent.ipv6Address()).isEqualTo("fd00::12");
  }

  @Test
  void createCarriesAddressesAndTagsAndNoCredentials() throws Exception {
    Machine m = new ByonMachineProvider(LISTED).create(request("demo-masters-0", "masters"));
    assertThat(m)
        .isEqualTo(
            new Machine(
                "m-a",
                UID,
                "demo-masters-0",
                "masters",
                Machine.State.RUNNING,
                "10.0.0.1",
                "203.0.113.1",
                null,
                null));
  }

  @Test
  void mappingSurvivesARestartWithoutMemory() throws Exception {
    Machine before = new ByonMachineProvider(LISTED).create(request("demo-agents-0", "agents"));
    ByonMachineProvider restarted = new ByonMachineProvider(LISTED);
    assertThat(restarted.list(UID)).isEmpty();
    assertThat(restarted.create(request("demo-agents-0", "agents"))).isEqualTo(before);
  }

  @Test
  void listReturnsAdoptedMachinesOfTheClusterAndDestroyOnlyForgets() throws Exception {
    ByonMachineProvider p = new ByonMachineProvider(LISTED);
    p.create(request("demo-masters-1", "masters"));
    p.create(request("demo-agents-0", "agents"));
    assertThat(p.list(UID))
        .extracting(Machine::node)
        .containsExactly("demo-agents-0", "demo-masters-1");
    assertThat(p.list("other-uid")).isEmpty();
    p.destroy("a-a");
    p.destroy("never-heard-of");
    assertThat(p.list(UID)).extracting(Machine::id).containsExactly("m-b");
    // The machine is still there to adopt again.
    assertThat(p.create(request("demo-agents-0", "agents")).id()).isEqualTo("a-a");
  }

  @Test
  void createIsIdempotentForTheSameNode() throws Exception {
    ByonMachineProvider p = new ByonMachineProvider(LISTED);
    Machine first = p.create(request("demo-masters-0", "masters"));
    assertThat(p.create(request("demo-masters-0", "masters"))).isEqualTo(first);
    assertThat(p.list(UID)).hasSize(1);
  }

  @Test
  void aListedMachineNamedAfterTheNodeWins() throws Exception {
    List<ByonMachine> listed =
        List.of(
            byon("x", "agents", "10.0.0.20", null),
            byon("demo-agents-7", "agents", "10.0.0.27", null));
    ByonMachineProvider p = new ByonMachineProvider(listed);
    assertThat(p.create(request("demo-agents-7", "agents")).privateAddress())
        .isEqualTo("10.0.0.27");
    // Node 1 would map to the same listed machine, which already serves node 7.
    assertThatThrownBy(() -> p.create(request("demo-agents-1", "agents")))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("already serves node demo-agents-7");
    assertThatThrownBy(() -> p.create(request("custom-name", "agents")))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("not named");
  }

  @Test
  void tooFewListedMachinesIsAPermanentError() {
    ByonMachineProvider p = new ByonMachineProvider(LISTED);
    assertThatThrownBy(() -> p.create(request("demo-masters-3", "masters")))
        .isInstanceOfSatisfying(CloudException.class, e -> assertThat(e.isTransient()).isFalse())
        .hasMessageContaining("masters")
        .hasMessageContaining("3");
    assertThatThrownBy(() -> p.create(request("demo-workers-0", "workers")))
        .isInstanceOf(CloudException.class);
  }

  @Test
  void ordinalParsing() {
    assertThat(ByonMachineProvider.ordinal("demo", "agents", "demo-agents-12")).isEqualTo(12);
    assertThat(ByonMachineProvider.ordinal("demo", "agents", "demo-agents-")).isEqualTo(-1);
    assertThat(ByonMachineProvider.ordinal("demo", "agents", "demo-agents-x")).isEqualTo(-1);
    assertThat(ByonMachineProvider.ordinal("demo", "agents", "other-agents-1")).isEqualTo(-1);
  }
}
