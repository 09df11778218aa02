package io.mesosoperator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesosoperator.api.Durations;
import io.mesosoperator.plan.Remediation.Decision;
import io.mesosoperator.plan.Remediation.InProgress;
import io.mesosoperator.plan.Remediation.Input;
import io.mesosoperator.plan.Remediation.Masters;
import io.mesosoperator.plan.Remediation.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RemediationTest {
  static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  static final Duration AFTER = Duration.ofMinutes(10);
  static final Masters THREE = new Masters(3, 2, true, true, true);

  static Node agent(String name, Instant unreachableSince) {
    return new Node(
        name, false, "m-" + name, null, false, false, false, unreachableSince, false, false);
  }

  static Node healthyAgent(String name) {
    return new Node(name, false, "m-" + name, null, false, false, false, null, true, true);
  }

  static Node master(int ordinal, Instant unreachableSince) {
    boolean ok = unreachableSince == null;
    return new Node(
        "c-master-" + ordinal,
        true,
        "m-master-" + ordinal,
        ordinal + 1,
        false,
        false,
        false,
        unreachableSince,
        ok,
        ok);
  }

  static Instant ago(int minutes) {
    return NOW.minus(Duration.ofMinutes(minutes));
  }

  static Decision decide(int max, List<Node> nodes, List<InProgress> inProgress, Masters m) {
    return Remediation.decide(new Input(NOW, AFTER, max, nodes, inProgress, m));
  }

  static List<Node> withMasters(List<Node> agents) {
    List<Node> all = new ArrayList<>(List.of(master(0, null), master(1, null), master(2, null)));
    all.addAll(agents);
    return all;
  }

  @ParameterizedTest
  @CsvSource({"10m,600", "1h30m,5400", "45s,45", "2h,7200", "1m30s,90"})
  void parsesGoStyleDurations(String text, long seconds) {
    assertThat(Durations.parseDuration(text)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "10", "m", "1d", "10m5", "-1m", "1.5h", " 10m", "10M"})
  void refusesAnythingElse(String text) {
    assertThatThrownBy(() -> Durations.parseDuration(text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNodeUnreachableForLessThanTheLimitIsLeftAlone() {
    Decision d = decide(1, withMasters(List.of(agent("a0", ago(9)))), List.of(), THREE);
    assertThat(d.start()).isEmpty();
    assertThat(d.blocked()).isEmpty();
    assertThat(d.reason()).isEqualTo("Idle");
    assertThat(d.remediating()).isFalse();
  }

  @Test
  void anAgentUnreachableForTheLimitIsReplacedWithItsMachineRecorded() {
    Decision d = decide(1, withMasters(List.of(agent("a0", ago(10)))), List.of(), THREE);
    assertThat(d.start()).hasSize(1);
    InProgress p = d.start().get(0).record();
    assertThat(p.node()).isEqualTo("a0");
    assertThat(p.machineId()).isEqualTo("m-a0");
    assertThat(p.reason()).isEqualTo(Remediation.UNREACHABLE);
    assertThat(p.started()).isEqualTo(NOW);
    assertThat(p.zkId()).isNull();
    assertThat(d.reason()).isEqualTo("Replacing");
    assertThat(d.message()).contains("replacing a0");
  }

  @Test
  void aVanishedMachineIsReplacedWithoutWaiting() {
    Node vanished = new Node("a0", false, "m-a0", null, false, false, true, null, false, false);
    Decision d = decide(1, withMasters(List.of(vanished)), List.of(), THREE);
    assertThat(d.start()).extracting(s -> s.record().reason()).containsExactly("MachineVanished");
  }

  @Test
  void neverMoreThanMaxConcurrentAtOnceVanishedMachinesIncluded() {
    Node vanished = new Node("a9", false, "m-a9", null, false, false, true, null, false, false);
    List<Node> nodes = withMasters(List.of(agent("a0", ago(60)), agent("a1", ago(60)), vanished));
    Decision two = decide(2, nodes, List.of(), THREE);
    assertThat(two.start()).extracting(s -> s.record().node()).containsExactly("a0", "a1");
    assertThat(two.blocked()).extracting(Remediation.Blocked::node).containsExactly("a9");
    assertThat(two.reason()).isEqualTo(Remediation.CONCURRENCY_LIMIT);
    assertThat(two.remediating()).isTrue();

    // The two under way count against the limit in the next pass.
    Decision next = decide(2, nodes, two.underWay(), THREE);
    assertThat(next.start()).isEmpty();
    assertThat(next.continuing()).hasSize(2);
    assertThat(next.blocked())
        .extracting(Remediation.Blocked::reason)
        .containsExactly(Remediation.CONCURRENCY_LIMIT);
  }

  @Test
  void aReplacementFinishesOnANewReadyMachineOnly() {
    InProgress p = new InProgress("a0", false, "Unreachable", "m-a0", null, ago(5));
    Node sameMachine = agent("a0", ago(20));
    Node newNotReady =
        new Node("a0", false, "m-new", null, false, false, false, null, false, false);
    Node newReady = new Node("a0", false, "m-new", null, false, false, false, null, true, true);
    assertThat(decide(1, withMasters(List.of(sameMachine)), List.of(p), THREE).continuing())
        .containsExactly(p);
    assertThat(decide(1, withMasters(List.of(newNotReady)), List.of(p), THREE).continuing())
        .containsExactly(p);
    Decision done = decide(1, withMasters(List.of(newReady)), List.of(p), THREE);
    assertThat(done.finished()).containsExactly(p);
    assertThat(done.remediating()).isFalse();
    // A node removed meanwhile (scale-down) has nothing left to replace.
    assertThat(decide(1, withMasters(List.of()), List.of(p), THREE).finished()).containsExactly(p);
  }

  @Test
  void anAgentWhoseReplacementMachineVanishedTooIsReplacedAgain() {
    // Found on real nodes: the operator stopped while it created the replacement, the new
    // machine went with it, and the grant for the first machine waited for a Ready node forever.
    InProgress first = new InProgress("a0", false, "MachineVanished", "m-a0", null, ago(5));
    Node secondGone =
        new Node("a0", false, "m-second", null, false, false, true, null, false, false);
    Decision d = decide(1, withMasters(List.of(secondGone)), List.of(first), THREE);
    assertThat(d.continuing()).isEmpty();
    assertThat(d.finished()).isEmpty();
    assertThat(d.start()).extracting(s -> s.record().machineId()).containsExactly("m-second");
    assertThat(d.blocked()).isEmpty();
    // The first machine's own disappearance is still the replacement under way.
    Node firstGone = new Node("a0", false, "m-a0", null, false, false, true, null, false, false);
    assertThat(decide(1, withMasters(List.of(firstGone)), List.of(first), THREE).continuing())
        .containsExactly(first);
  }

  @Test
  void aMasterIsReplacedWhenTheOthersHoldTheQuorum() {
    List<Node> nodes = List.of(master(0, null), master(1, ago(30)), master(2, null));
    Decision d = decide(1, nodes, List.of(), THREE);
    assertThat(d.start()).hasSize(1);
    InProgress p = d.start().get(0).record();
    assertThat(p.master()).isTrue();
    assertThat(p.zkId()).isEqualTo(2);
    assertThat(d.start().get(0).message()).contains("new ZooKeeper id");
  }

  @Test
  void aMasterIsNotReplacedWhenThatWouldLoseTheQuorum() {
    List<Node> nodes = List.of(master(0, null), master(1, ago(30)), master(2, ago(30)));
    Decision d = decide(5, nodes, List.of(), THREE);
    assertThat(d.start()).isEmpty();
    assertThat(d.blocked())
        .extracting(Remediation.Blocked::reason)
        .containsOnly(Remediation.QUORUM_WOULD_BE_LOST);
    assertThat(d.reason()).isEqualTo(Remediation.QUORUM_WOULD_BE_LOST);
    assertThat(d.message()).contains("1 other masters are reachable, 2 needed");
    assertThat(d.remediating()).isFalse();
  }

  @Test
  void theMesosQuorumCountsToo() {
    // Five masters mid-way to a quorum of 4: three others reachable are not enough for Mesos.
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      nodes.add(master(i, i == 4 ? ago(30) : i == 3 ? ago(1) : null));
    }
    Decision d = decide(1, nodes, List.of(), new Masters(5, 4, true, true, true));
    assertThat(d.blocked())
        .extracting(Remediation.Blocked::reason)
        .containsExactly(Remediation.QUORUM_WOULD_BE_LOST);
    Decision ok = decide(1, nodes, List.of(), new Masters(5, 3, true, true, true));
    assertThat(ok.start()).hasSize(1);
  }

  @Test
  void aMasterIsNotReplacedWhileZooKeeperHasNoQuorum() {
    List<Node> nodes = List.of(master(0, null), master(1, ago(30)), master(2, null));
    Decision d = decide(1, nodes, List.of(), new Masters(3, 2, false, true, true));
    assertThat(d.start()).isEmpty();
    assertThat(d.reason()).isEqualTo(Remediation.QUORUM_WOULD_BE_LOST);
    // Unobserved (no observer) is not the same as lost.
    assertThat(decide(1, nodes, List.of(), new Masters(3, 2, null, true, true)).start()).hasSize(1);
  }

  @Test
  void mastersOneAtATimeWhateverTheLimit() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      nodes.add(master(i, i >= 3 ? ago(30) : null));
    }
    Masters five = new Masters(5, 3, true, true, true);
    Decision d = decide(5, nodes, List.of(), five);
    assertThat(d.start()).extracting(s -> s.record().node()).containsExactly("c-master-3");
    assertThat(d.blocked())
        .extracting(Remediation.Blocked::reason)
        .containsExactly(Remediation.MASTER_CHANGE_IN_PROGRESS);
    // Still one at a time while the first is under way.
    Decision next = decide(5, nodes, d.underWay(), new Masters(5, 3, true, false, true));
    assertThat(next.start()).isEmpty();
    assertThat(next.blocked())
        .extracting(Remediation.Blocked::reason)
        .containsExactly(Remediation.MASTER_CHANGE_IN_PROGRESS);
  }

  @Test
  void noMasterIsReplacedWhileAMasterIsDeletedOrMasterScalingIsNotRunning() {
    Node deleting = new Node("c-master-2", true, "m", 3, true, false, false, null, true, true);
    List<Node> nodes = List.of(master(0, null), master(1, ago(30)), deleting);
    assertThat(decide(1, nodes, List.of(), THREE).reason())
        .isEqualTo(Remediation.MASTER_CHANGE_IN_PROGRESS);
    List<Node> plain = List.of(master(0, null), master(1, ago(30)), master(2, null));
    assertThat(decide(1, plain, List.of(), new Masters(3, 2, true, false, false)).reason())
        .isEqualTo(Remediation.MASTER_CHANGE_IN_PROGRESS);
    // Agents are not held up by it.
    List<Node> withAgent = new ArrayList<>(nodes);
    withAgent.add(agent("a0", ago(30)));
    assertThat(decide(2, withAgent, List.of(), THREE).start())
        .extracting(s -> s.record().node())
        .containsExactly("a0");
  }

  @Test
  void deletingAndFencedNodesAreNeverReplaced() {
    Node deleting = new Node("a0", false, "m", null, true, false, false, ago(60), false, false);
    Node fenced = new Node("c-master-9", true, "m", 9, false, true, false, ago(60), false, false);
    Decision d = decide(5, withMasters(List.of(deleting, fenced)), List.of(), THREE);
    assertThat(d.start()).isEmpty();
    assertThat(d.blocked()).isEmpty();
  }

  @Test
  void aMasterReplacementFinishesUnderANewIdOnceMasterScalingIsDone() {
    InProgress p = new InProgress("c-master-1", true, "Unreachable", "m-master-1", 2, ago(5));
    Node back = new Node("c-master-1", true, "m-new", 4, false, false, false, null, true, true);
    List<Node> nodes = List.of(master(0, null), back, master(2, null));
    assertThat(decide(1, nodes, List.of(p), new Masters(3, 2, true, false, true)).continuing())
        .containsExactly(p);
    assertThat(decide(1, nodes, List.of(p), THREE).finished()).containsExactly(p);
    // The old node, still seen under its old id (a stale cache), is not mistaken for the new one.
    List<Node> stale = List.of(master(0, null), master(1, null), master(2, null));
    assertThat(decide(1, stale, List.of(p), THREE).continuing()).containsExactly(p);
    // Gone for good (the master count went down) once scaling is done.
    List<Node> gone = List.of(master(0, null), master(2, null));
    assertThat(decide(1, gone, List.of(p), THREE).finished()).containsExactly(p);
  }

  @Test
  void healthyNodesAreNeverTouched() {
    Decision d = decide(3, withMasters(List.of(healthyAgent("a0"))), List.of(), THREE);
    assertThat(d.start()).isEmpty();
    assertThat(d.message()).isEqualTo("no node needs replacing");
  }
}
