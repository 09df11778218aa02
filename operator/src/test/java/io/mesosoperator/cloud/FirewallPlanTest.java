package io.mesosoperator.cloud;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.api.RoleSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class FirewallPlanTest {

  private static final NetworkRequest SEED =
      new NetworkRequest(
          "uid",
          "seed",
          null,
          "10.213.0.0/24",
          Map.of(
              "masters", RoleSpec.DEFAULT_MASTER_PORTS,
              "agents", RoleSpec.DEFAULT_AGENT_PORTS),
          List.of());

  private static Set<Integer> worldPorts(List<FirewallPlan.Rule> rules, String role) {
    return rules.stream()
        .filter(r -> r.role().equals(role) && r.isWorld())
        .map(FirewallPlan.Rule::port)
        .collect(Collectors.toSet());
  }

  @Test
  void agentsGetOnlySshFromTheWorldAndMastersTheirListedPorts() {
    List<FirewallPlan.Rule> rules = FirewallPlan.plan(SEED);
    assertThat(worldPorts(rules, "agents")).containsExactly(22);
    assertThat(worldPorts(rules, "masters")).containsExactlyInAnyOrder(22, 5050, 8080);
  }

  @Test
  void internalPortsAreNeverOpenToTheWorldUnlessTheRoleListsThem() {
    List<FirewallPlan.Rule> rules = FirewallPlan.plan(SEED);
    for (int port : List.of(2181, 2888, 3888, 5051)) {
      assertThat(rules).filteredOn(r -> r.port() == port).noneMatch(FirewallPlan.Rule::isWorld);
      assertThat(rules)
          .filteredOn(r -> r.port() == port)
          .extracting(FirewallPlan.Rule::source)
          .containsOnly("10.213.0.0/24");
    }
    // The agents do not list 5050 and 8080: those stay internal there.
    assertThat(rules)
        .filteredOn(r -> r.role().equals("agents") && (r.port() == 5050 || r.port() == 8080))
        .extracting(FirewallPlan.Rule::source)
        .containsOnly("10.213.0.0/24");
  }

  @Test
  void everyRoleGetsEveryInternalPortFromTheClusterOnceAndTheWholePlanIsExact() {
    List<FirewallPlan.Rule> rules = FirewallPlan.plan(SEED);
    assertThat(rules)
        .containsExactly(
            new FirewallPlan.Rule("agents", 22, FirewallPlan.WORLD),
            new FirewallPlan.Rule("agents", 2181, "10.213.0.0/24"),
            new FirewallPlan.Rule("agents", 2888, "10.213.0.0/24"),
            new FirewallPlan.Rule("agents", 3888, "10.213.0.0/24"),
            new FirewallPlan.Rule("agents", 5050, "10.213.0.0/24"),
            new FirewallPlan.Rule("agents", 5051, "10.213.0.0/24"),
            new FirewallPlan.Rule("agents", 8080, "10.213.0.0/24"),
            new FirewallPlan.Rule("masters", 22, FirewallPlan.WORLD),
            new FirewallPlan.Rule("masters", 2181, "10.213.0.0/24"),
            new FirewallPlan.Rule("masters", 2888, "10.213.0.0/24"),
            new FirewallPlan.Rule("masters", 3888, "10.213.0.0/24"),
            new FirewallPlan.Rule("masters", 5050, FirewallPlan.WORLD),
            new FirewallPlan.Rule("masters", 5051, "10.213.0.0/24"),
            new FirewallPlan.Rule("masters", 8080, FirewallPlan.WORLD));
  }

  @Test
  void withoutCidrInternalPortsAreForClusterMembersAndCustomPortsAreUsed() {
    NetworkRequest req =
        new NetworkRequest(
            "uid", "c", null, null, Map.of("agents", List.of(22)), List.of(12181, 5051));
    assertThat(FirewallPlan.plan(req))
        .containsExactly(
            new FirewallPlan.Rule("agents", 22, FirewallPlan.WORLD),
            new FirewallPlan.Rule("agents", 5051, FirewallPlan.CLUSTER_MEMBERS),
            new FirewallPlan.Rule("agents", 12181, FirewallPlan.CLUSTER_MEMBERS));
  }

  @Test
  void planIsDeterministic() {
    assertThat(FirewallPlan.plan(SEED)).isEqualTo(FirewallPlan.plan(SEED));
  }
}
