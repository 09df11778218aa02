package io.mesosoperator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.plan.RollingRestart.Decision;
import io.mesosoperator.plan.RollingRestart.Health;
import io.mesosoperator.plan.RollingRestart.Input;
import io.mesosoperator.plan.RollingRestart.Node;
import io.mesosoperator.plan.RollingRestart.State;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class RollingRestartTest {
  static final Health HEALTHY = new Health(true, true, true, "m1", "m2");

  static Node master(String name, int zkId) {
    return new Node(name, true, zkId, false, false, false, true, true, false);
  }

  static Node agent(String name) {
    return new Node(name, false, 0, false, false, false, true, true, false);
  }

  static Node pending(Node n) {
    return new Node(
        n.name(), n.master(), n.zkId(), true, false, false, n.serving(), true, n.deleting());
  }

  static Node granted(Node n) {
    return new Node(
        n.name(), n.master(), n.zkId(), false, true, false, n.serving(), n.settled(), false);
  }

  static Node down(Node n) {
    return new Node(
        n.name(),
        n.master(),
        n.zkId(),
        n.pending(),
        n.inFlight(),
        false,
        false,
        n.settled(),
        false);
  }

  /** Three masters m0..m2 (zk 1..3) and agents a0..a(k-1), all pending. */
  static List<Node> allPending(int agents) {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(pending(master("m" + i, i + 1)));
    }
    for (int i = 0; i < agents; i++) {
      nodes.add(pending(agent("a" + i)));
    }
    return nodes;
  }

  static Decision plan(List<Node> nodes, Health h, int batch) {
    return RollingRestart.plan(new Input(nodes, h, batch, false));
  }

  /**
   * Plays the rollout to its end: each step grants, the granted nodes restart (no longer pending,
   * not granted). Returns the grants in order.
   */
  static List<List<String>> playOut(List<Node> nodes, Health h, int batch) {
    List<List<String>> steps = new ArrayList<>();
    List<Node> now = new ArrayList<>(nodes);
    for (int i = 0; i < 100; i++) {
      Decision d = plan(now, h, batch);
      if (d.grant().isEmpty()) {
        assertThat(d.state()).isEqualTo(State.IDLE);
        return steps;
      }
      steps.add(d.grant());
      // Grant: in flight; the next plan must not grant anything else meanwhile for masters.
      now.replaceAll(n -> d.grant().contains(n.name()) ? granted(n) : n);
      Decision during = plan(now, h, batch);
      if (d.grant().stream().anyMatch(g -> g.startsWith("m"))) {
        assertThat(during.grant()).isEmpty();
      }
      now.replaceAll(
          n ->
              d.grant().contains(n.name())
                  ? new Node(n.name(), n.master(), n.zkId(), false, false, false, true, true, false)
                  : n);
    }
    throw new AssertionError("did not finish");
  }

  @Test
  void mastersOneAtATimeFollowersFirstZooKeeperLeaderThenMesosLeaderThenAgents() {
    List<List<String>> steps = playOut(allPending(3), HEALTHY, 1);
    assertThat(steps)
        .containsExactly(
            List.of("m0"),
            List.of("m1"),
            List.of("m2"),
            List.of("a0"),
            List.of("a1"),
            List.of("a2"));
  }

  @Test
  void aNodeLeadingBothGoesLastOfAll() {
    Health h = new Health(true, true, true, "m0", "m0");
    assertThat(playOut(allPending(0), h, 1))
        .containsExactly(List.of("m1"), List.of("m2"), List.of("m0"));
  }

  @Test
  void mesosLeaderAfterZooKeeperLeader() {
    Health h = new Health(true, true, true, "m2", "m0");
    assertThat(playOut(allPending(0), h, 1))
        .containsExactly(List.of("m1"), List.of("m2"), List.of("m0"));
  }

  @Test
  void agentsGoInBatches() {
    assertThat(playOut(allPending(5), HEALTHY, 2).subList(3, 6))
        .containsExactly(List.of("a0", "a1"), List.of("a2", "a3"), List.of("a4"));
    assertThat(playOut(allPending(5), HEALTHY, 10).subList(3, 4))
        .containsExactly(List.of("a0", "a1", "a2", "a3", "a4"));
  }

  @Test
  void noAgentWhileAMasterIsPendingOrRestarting() {
    List<Node> nodes = new ArrayList<>(List.of(master("m0", 1), pending(master("m1", 2))));
    nodes.add(pending(agent("a0")));
    assertThat(plan(nodes, HEALTHY, 5).grant()).containsExactly("m1");
    nodes.set(1, granted(master("m1", 2)));
    Decision d = plan(nodes, HEALTHY, 5);
    assertThat(d.grant()).isEmpty();
    assertThat(d.state()).isEqualTo(State.ROLLING);
    assertThat(d.message()).contains("restarting master m1");
  }

  @Test
  void anUnhealthyClusterWaitsAndIgnoreHealthRollsAnyway() {
    Health noLeader = new Health(true, true, false, "m1", null);
    Decision d = plan(allPending(1), noLeader, 1);
    assertThat(d.grant()).isEmpty();
    assertThat(d.state()).isEqualTo(State.WAITING_FOR_HEALTH);
    Health noQuorum = new Health(true, false, true, null, "m2");
    assertThat(plan(allPending(1), noQuorum, 1).state()).isEqualTo(State.WAITING_FOR_HEALTH);
    assertThat(RollingRestart.plan(new Input(allPending(1), noLeader, 1, true)).grant())
        .containsExactly("m0");
    // Agents wait for health too.
    List<Node> agentsOnly = List.of(master("m0", 1), pending(agent("a0")));
    assertThat(plan(agentsOnly, noLeader, 1).state()).isEqualTo(State.WAITING_FOR_HEALTH);
  }

  @Test
  void withoutAnObserverOnlyTheNodesGate() {
    assertThat(plan(allPending(0), Health.UNOBSERVED, 1).grant()).containsExactly("m0");
  }

  @Test
  void aMasterThatIsNotServingOrNotSettledBlocksTheOthers() {
    List<Node> nodes = allPending(0);
    nodes.set(2, down(master("m2", 3)));
    Decision d = plan(nodes, HEALTHY, 1);
    assertThat(d.grant()).isEmpty();
    assertThat(d.state()).isEqualTo(State.WAITING);
    assertThat(d.message()).contains("m2");
    nodes.set(2, new Node("m2", true, 3, false, false, false, true, false, false));
    assertThat(plan(nodes, HEALTHY, 1).grant()).isEmpty();
  }

  @Test
  void aMasterScalingStepCountsAsTheOneMasterRestarting() {
    List<Node> nodes = allPending(0);
    nodes.set(1, new Node("m1", true, 2, false, false, true, true, false, false));
    Decision d = plan(nodes, HEALTHY, 1);
    assertThat(d.grant()).isEmpty();
    assertThat(d.state()).isEqualTo(State.ROLLING);
  }

  @Test
  void aDeletingMasterHoldsMasterRestarts() {
    List<Node> nodes = allPending(0);
    nodes.add(new Node("m3", true, 4, false, false, false, true, true, true));
    assertThat(plan(nodes, HEALTHY, 1).state()).isEqualTo(State.WAITING);
  }

  @Test
  void resumesFromAnyObservedState() {
    // m0 restarted already, m1 is restarting: nothing new; when m1 is done, m2 is next.
    List<Node> nodes =
        new ArrayList<>(
            List.of(master("m0", 1), granted(master("m1", 2)), pending(master("m2", 3))));
    assertThat(plan(nodes, HEALTHY, 1).grant()).isEmpty();
    nodes.set(1, master("m1", 2));
    assertThat(plan(nodes, HEALTHY, 1).grant()).containsExactly("m2");
    // The same inputs give the same answer (a restarted operator grants the same node).
    assertThat(plan(nodes, HEALTHY, 1)).isEqualTo(plan(List.copyOf(nodes), HEALTHY, 1));
  }

  @Test
  void unavailableAgentsCountAgainstTheBatchAndPendingDownAgentsGoFirst() {
    List<Node> nodes = new ArrayList<>(List.of(master("m0", 1)));
    nodes.add(down(agent("a0"))); // down, not pending: uses the only slot
    nodes.add(pending(agent("a1")));
    Decision d = plan(nodes, HEALTHY, 1);
    assertThat(d.grant()).isEmpty();
    assertThat(d.state()).isEqualTo(State.WAITING);
    assertThat(d.message()).contains("a0");

    nodes.set(1, down(pending(agent("a0")))); // down and pending: restarting it costs nothing
    assertThat(plan(nodes, HEALTHY, 1).grant()).containsExactly("a0");
    assertThat(plan(nodes, HEALTHY, 2).grant()).containsExactly("a0", "a1");
  }

  @Test
  void aRestartedAgentThatStaysDownStopsTheRollout() {
    UnaryOperator<Node> restartedButDown =
        n -> new Node(n.name(), false, 0, false, false, false, false, true, false);
    List<Node> nodes =
        new ArrayList<>(
            List.of(
                master("m0", 1),
                restartedButDown.apply(agent("a0")),
                pending(agent("a1")),
                pending(agent("a2"))));
    assertThat(plan(nodes, HEALTHY, 1).grant()).isEmpty();
    assertThat(plan(nodes, HEALTHY, 2).grant()).containsExactly("a1");
  }

  @Test
  void idleWhenNothingIsPendingAndRollingWhileAgentsRestart() {
    List<Node> nodes = List.of(master("m0", 1), agent("a0"));
    assertThat(plan(nodes, HEALTHY, 1).state()).isEqualTo(State.IDLE);
    assertThat(plan(List.of(master("m0", 1), granted(agent("a0"))), HEALTHY, 1).state())
        .isEqualTo(State.ROLLING);
  }

  @Test
  void deletingAgentsTakeNoTurn() {
    List<Node> nodes =
        List.of(master("m0", 1), new Node("a0", false, 0, true, false, false, true, true, true));
    assertThat(plan(nodes, HEALTHY, 1).grant()).isEmpty();
  }

  @Test
  void agentsGoByNameWhateverTheOrderTheyAreListedIn() {
    List<Node> nodes =
        List.of(pending(agent("a2")), master("m0", 1), pending(agent("a0")), pending(agent("a1")));
    assertThat(plan(nodes, HEALTHY, 2).grant()).containsExactly("a0", "a1");
  }
}
