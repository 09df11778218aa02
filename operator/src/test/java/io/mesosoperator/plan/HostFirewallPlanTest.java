package io.mesosoperator.plan;

import static io.mesosoperator.plan.PlanFixtures.ADMIN;
import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.HostFirewall;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.render.TestInputs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostFirewallPlanTest {
  private static final List<NodeInfo> NODES =
      List.of(
          TestInputs.master("m1", "10.1.0.11", 1),
          TestInputs.master("m2", "10.1.0.12", 2),
          TestInputs.master("m3", "10.1.0.13", 3),
          TestInputs.agent("a1", "10.1.0.21"));

  private static final NodeFacts FACTS = new NodeFacts("ubuntu", "trusty", InitStyle.UPSTART);

  private static NodeConfig config(MesosClusterSpec spec) {
    return ClusterRenderer.render(spec, NODES, NODES.get(0), FACTS);
  }

  private static Observation with(Observation o, Observation.FirewallState fw) {
    return new Observation(
        o.facts(),
        o.wholeDigests(),
        o.blockDigests(),
        o.packages(),
        o.services(),
        o.aptKeyPresent(),
        o.upgraded(),
        o.adminExists(),
        o.adminKeyAuthorized(),
        o.sshd(),
        o.clock(),
        o.appliedDigest(),
        o.started(),
        o.runningHostname(),
        fw);
  }

  private static Observation.FirewallState loaded(String digest) {
    return new Observation.FirewallState("10.1.0.1", 22, digest, digest);
  }

  private static List<Action.LoadFirewall> loads(List<Action> plan) {
    return plan.stream()
        .filter(a -> a instanceof Action.LoadFirewall)
        .map(a -> (Action.LoadFirewall) a)
        .toList();
  }

  @Test
  void aConvergedNodeWithItsTableLoadedGivesAnEmptyPlan() {
    NodeConfig c = config(TestInputs.spec());
    Observation o = with(PlanFixtures.converged(c, InitStyle.UPSTART, ADMIN), loaded("abc"));
    assertThat(NodePlan.diff(c, o, new PlanOptions(ADMIN, true))).isEmpty();
  }

  @Test
  void aFreshNodeGetsTheFileAndOneLoadAfterItAndAfterTheNftablesPackage() {
    NodeConfig c = config(TestInputs.spec());
    assertThat(c.packages()).contains(HostFirewall.PACKAGE);
    List<Action> plan =
        NodePlan.diff(c, PlanFixtures.fresh(InitStyle.UPSTART), new PlanOptions(ADMIN, true));
    List<String> lines = plan.stream().map(Action::describe).toList();
    int install = indexOf(lines, "install ");
    int write = indexOf(lines, "write " + HostFirewall.PATH);
    int load = indexOf(lines, "load firewall " + HostFirewall.PATH + " (file changed)");
    int restart = indexOf(lines, "restart zookeeper");
    assertThat(install).isNotNegative().isLessThan(write);
    assertThat(write).isLessThan(load);
    assertThat(load).isLessThan(restart);
    assertThat(lines.get(install)).contains("nftables");
    assertThat(loads(plan)).singleElement().satisfies(l -> assertThat(l.drift()).isFalse());
  }

  @Test
  void aFlushedOrEditedLiveTableIsReloadedAsDriftWithoutRestartingAnything() {
    NodeConfig c = config(TestInputs.spec());
    Observation converged = PlanFixtures.converged(c, InitStyle.UPSTART, ADMIN);
    for (Observation.FirewallState fw :
        List.of(
            new Observation.FirewallState("10.1.0.1", 22, Observation.ABSENT, "abc"),
            new Observation.FirewallState("10.1.0.1", 22, "def", "abc"))) {
      List<Action> plan = NodePlan.diff(c, with(converged, fw), new PlanOptions(ADMIN, true));
      assertThat(plan).singleElement().isInstanceOf(Action.LoadFirewall.class);
      assertThat(loads(plan).get(0).drift()).isTrue();
    }
  }

  @Test
  void aChangedRuleSetIsWrittenAndLoadedWithoutRestarts() {
    MesosClusterSpec spec = TestInputs.spec();
    NodeConfig before = config(spec);
    Observation o = with(PlanFixtures.converged(before, InitStyle.UPSTART, ADMIN), loaded("abc"));
    spec.getCloud().getNetwork().setAllowedSources(List.of("203.0.113.0/24"));
    NodeConfig after = config(spec);
    List<Action> plan = NodePlan.diff(after, o, new PlanOptions(ADMIN, true));
    assertThat(plan.stream().map(Action::describe))
        .containsExactly(
            "write " + HostFirewall.PATH + " whole 0644 root:root (update)",
            "load firewall " + HostFirewall.PATH + " (file changed)",
            "record " + ConfigDigest.of(after) + " in " + NodePlan.APPLIED_DIGEST);
  }

  @Test
  void aHandEditedFirewallFileIsRestoredAndLoaded() {
    NodeConfig c = config(TestInputs.spec());
    Observation converged =
        with(PlanFixtures.converged(c, InitStyle.UPSTART, ADMIN), loaded("abc"));
    Map<String, String> whole = new HashMap<>(converged.wholeDigests());
    whole.put(HostFirewall.PATH, Digests.sha256("flush ruleset\n"));
    Observation edited =
        new Observation(
            converged.facts(),
            whole,
            converged.blockDigests(),
            converged.packages(),
            converged.services(),
            true,
            true,
            true,
            true,
            converged.sshd(),
            converged.clock(),
            converged.appliedDigest(),
            converged.started(),
            converged.runningHostname(),
            converged.firewall());
    List<Action> plan = NodePlan.diff(c, edited, new PlanOptions(ADMIN, true));
    assertThat(plan.stream().map(Action::describe))
        .containsExactly(
            "write " + HostFirewall.PATH + " whole 0644 root:root (restore)",
            "load firewall " + HostFirewall.PATH + " (file changed)");
  }

  @Test
  void theRefusalComesFromTheSessionTheNodeReported() {
    NodeConfig c = config(TestInputs.spec());
    Observation o = PlanFixtures.fresh(InitStyle.UPSTART);
    assertThat(NodePlan.firewallRefusal(c, o)).contains("did not report the source address");
    assertThat(
            NodePlan.firewallRefusal(
                c, with(o, new Observation.FirewallState("198.51.100.7", 22, "absent", ""))))
        .isNull();
    assertThat(
            NodePlan.firewallRefusal(
                c, with(o, new Observation.FirewallState("198.51.100.7", 2222, "absent", ""))))
        .contains("would drop");
  }

  private static int indexOf(List<String> lines, String prefix) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith(prefix)) {
        return i;
      }
    }
    return -1;
  }
}
