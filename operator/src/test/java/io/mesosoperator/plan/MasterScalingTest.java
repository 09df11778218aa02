package io.mesosoperator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.plan.MasterScaling.Create;
import io.mesosoperator.plan.MasterScaling.Delete;
import io.mesosoperator.plan.MasterScaling.Done;
import io.mesosoperator.plan.MasterScaling.Health;
import io.mesosoperator.plan.MasterScaling.Input;
import io.mesosoperator.plan.MasterScaling.Member;
import io.mesosoperator.plan.MasterScaling.Pin;
import io.mesosoperator.plan.MasterScaling.Reconfigure;
import io.mesosoperator.plan.MasterScaling.Refused;
import io.mesosoperator.plan.MasterScaling.Settings;
import io.mesosoperator.plan.MasterScaling.Step;
import io.mesosoperator.plan.MasterScaling.Wait;
import io.mesosoperator.plan.MasterScaling.WaitForHealth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MasterScalingTest {
  /** ZooKeeper leader in the simulated cluster: the member with id 2, so "leader last" shows. */
  static final int LEADER_ID = 2;

  /** A settled cluster of n masters, as a new cluster is created. */
  static List<Member> steady(int n) {
    List<Integer> ids = IntStream.rangeClosed(1, n).boxed().toList();
    Settings s = new Settings(MasterScaling.majority(n), ids, false, 0);
    List<Member> m = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      m.add(new Member(name(i), i, i + 1, false, s, s, true));
    }
    return m;
  }

  static String name(int ordinal) {
    return "c-master-" + ordinal;
  }

  static Input input(int desired, boolean ack, List<Member> masters) {
    String leader =
        masters.stream()
            .filter(m -> m.zkId() == LEADER_ID)
            .map(Member::name)
            .findFirst()
            .orElse(null);
    return new Input("c", "master", desired, ack, masters, new Health(true, true, true, leader));
  }

  /** The trace of a simulated run: each step, and the settled state before it. */
  record Run(List<Step> steps, List<List<Member>> states, List<Member> end) {
    List<String> messages() {
      return steps.stream().map(Step::message).toList();
    }
  }

  /**
   * Plans, applies the step as the node reconciler would (spec written, node configured, status
   * records it), and plans again until done; checks the safety rules on every state on the way.
   */
  static Run run(int desired, boolean ack, List<Member> start) {
    List<Member> state = new ArrayList<>(start);
    List<Step> steps = new ArrayList<>();
    List<List<Member>> states = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      Step step = MasterScaling.plan(input(desired, ack, state));
      if (step instanceof Done || step instanceof Refused) {
        steps.add(step);
        states.add(List.copyOf(state));
        return new Run(steps, states, state);
      }
      assertThat(step).isNotInstanceOfAny(Wait.class, WaitForHealth.class);
      assertThat(MasterScaling.violation(state, step)).as(step.message()).isNull();
      checkZooKeeperDuringRestart(state, step);
      steps.add(step);
      states.add(List.copyOf(state));
      // Written but not applied yet: the planner waits, and plans the same once applied.
      List<Member> written = write(state, step);
      if (!written.equals(state)) {
        assertThat(MasterScaling.plan(input(desired, ack, written)))
            .isInstanceOfAny(Wait.class, Done.class);
      }
      state = apply(state, step);
      checkInvariants(state);
    }
    throw new AssertionError("no end after 200 steps: " + steps);
  }

  static List<Member> write(List<Member> state, Step step) {
    List<Member> next = new ArrayList<>();
    for (Member m : state) {
      if (step instanceof Reconfigure r && r.node().equals(m.name())) {
        next.add(
            new Member(m.name(), m.ordinal(), m.zkId(), false, r.settings(), m.applied(), true));
      } else if (step instanceof Delete d && d.node().equals(m.name())) {
        next.add(new Member(m.name(), m.ordinal(), m.zkId(), true, m.wanted(), m.applied(), true));
      } else {
        next.add(m);
      }
    }
    if (step instanceof Create c) {
      next.add(new Member(c.node(), c.ordinal(), c.zkId(), false, c.settings(), null, false));
    }
    return next;
  }

  static List<Member> apply(List<Member> state, Step step) {
    List<Member> next = new ArrayList<>();
    for (Member m : state) {
      if (step instanceof Pin p && p.settings().containsKey(m.name())) {
        next.add(
            new Member(m.name(), m.ordinal(), m.zkId(), false, m.applied(), m.applied(), true));
      } else if (step instanceof Reconfigure r && r.node().equals(m.name())) {
        next.add(
            new Member(m.name(), m.ordinal(), m.zkId(), false, r.settings(), r.settings(), true));
      } else if (!(step instanceof Delete d && d.node().equals(m.name()))) {
        next.add(m);
      }
    }
    if (step instanceof Create c) {
      next.add(
          new Member(c.node(), c.ordinal(), c.zkId(), false, c.settings(), c.settings(), true));
    }
    return next;
  }

  /** Mesos: running ≤ 2 * lowest quorum - 1; ZooKeeper: ensembles nested, one member apart. */
  static void checkInvariants(List<Member> state) {
    List<Member> running = state.stream().filter(m -> !m.applied().fenced()).toList();
    if (running.isEmpty()) {
      return;
    }
    int minQuorum = running.stream().mapToInt(m -> m.applied().quorum()).min().orElseThrow();
    assertThat(running.size())
        .as("running masters vs quorum " + minQuorum)
        .isLessThanOrEqualTo(2 * minQuorum - 1);
    for (Member a : running) {
      for (Member b : running) {
        Set<Integer> ea = new TreeSet<>(a.applied().ensemble());
        Set<Integer> eb = new TreeSet<>(b.applied().ensemble());
        Set<Integer> diff = new TreeSet<>(ea);
        diff.addAll(eb);
        Set<Integer> both = new TreeSet<>(ea);
        both.retainAll(eb);
        diff.removeAll(both);
        assertThat(diff).as(a.name() + " vs " + b.name()).hasSizeLessThanOrEqualTo(1);
        assertThat(ea.containsAll(eb) || eb.containsAll(ea)).as("nested ensembles").isTrue();
      }
    }
    // Ids are never shared by two existing members.
    assertThat(new HashSet<>(state.stream().map(Member::zkId).toList())).hasSize(state.size());
  }

  /**
   * While the reconfigured member restarts (or the fenced one stops), the other running members
   * still hold a ZooKeeper majority of some ensemble in use, wherever at least three masters run.
   */
  static void checkZooKeeperDuringRestart(List<Member> state, Step step) {
    if (!(step instanceof Reconfigure r)) {
      return;
    }
    List<Member> running = state.stream().filter(m -> !m.applied().fenced()).toList();
    if (running.size() < 3) {
      return; // from and to one master: disruptive by nature, documented
    }
    List<Member> up = running.stream().filter(m -> !m.name().equals(r.node())).toList();
    boolean majority =
        up.stream()
            .map(m -> m.applied().ensemble())
            .anyMatch(e -> up.stream().filter(m -> e.contains(m.zkId())).count() * 2 > e.size());
    assertThat(majority).as("ZooKeeper majority while " + step.message()).isTrue();
  }

  static Settings settingsOf(List<Member> end, int ordinal) {
    return end.stream().filter(m -> m.ordinal() == ordinal).findFirst().orElseThrow().applied();
  }

  static void assertSteady(List<Member> end, int n) {
    assertThat(end)
        .extracting(Member::ordinal)
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, n).boxed().toList());
    List<Integer> ids = end.stream().map(Member::zkId).sorted().toList();
    assertThat(end)
        .allSatisfy(
            m -> {
              assertThat(m.applied().quorum()).isEqualTo(MasterScaling.majority(n));
              assertThat(m.applied().ensemble()).isEqualTo(ids);
              assertThat(m.applied().fenced()).isFalse();
            });
  }

  @Test
  void threeToFiveRaisesTheQuorumFirstThenAddsOneMemberAtATimeLeaderLast() {
    Run r = run(5, false, steady(3));
    assertThat(r.messages())
        .containsExactly(
            "raise the quorum of master c-master-0 to 3",
            "raise the quorum of master c-master-2 to 3",
            "raise the quorum of master c-master-1 to 3",
            "add master c-master-3 (ZooKeeper id 4) with quorum 3 and ensemble [1, 2, 3, 4]",
            "restart master c-master-0 with ensemble [1, 2, 3, 4] (to the ensemble [1, 2, 3, 4])",
            "restart master c-master-2 with ensemble [1, 2, 3, 4] (to the ensemble [1, 2, 3, 4])",
            "restart master c-master-1 with ensemble [1, 2, 3, 4] (to the ensemble [1, 2, 3, 4])",
            "add master c-master-4 (ZooKeeper id 5) with quorum 3 and ensemble [1, 2, 3, 4, 5]",
            "restart master c-master-0 with ensemble [1, 2, 3, 4, 5] (to the ensemble [1, 2, 3, 4,"
                + " 5])",
            "restart master c-master-2 with ensemble [1, 2, 3, 4, 5] (to the ensemble [1, 2, 3, 4,"
                + " 5])",
            "restart master c-master-3 with ensemble [1, 2, 3, 4, 5] (to the ensemble [1, 2, 3, 4,"
                + " 5])",
            "restart master c-master-1 with ensemble [1, 2, 3, 4, 5] (to the ensemble [1, 2, 3, 4,"
                + " 5])",
            "5 masters, quorum 3");
    assertSteady(r.end(), 5);
  }

  @Test
  void fiveToThreeRollsTheOthersFirstFencesThenLowersTheQuorumLast() {
    Run r = run(3, false, steady(5));
    assertThat(r.messages())
        .containsExactly(
            "restart master c-master-0 with ensemble [1, 2, 3, 4] (to leave out master c-master-4)",
            "restart master c-master-2 with ensemble [1, 2, 3, 4] (to leave out master c-master-4)",
            "restart master c-master-3 with ensemble [1, 2, 3, 4] (to leave out master c-master-4)",
            "restart master c-master-1 with ensemble [1, 2, 3, 4] (to leave out master c-master-4)",
            "fence master c-master-4 (ZooKeeper id 5): stop ZooKeeper, mesos-master and Marathon"
                + " for good",
            "master c-master-4 is fenced: deleting the node and its machine",
            "restart master c-master-0 with ensemble [1, 2, 3] (to leave out master c-master-3)",
            "restart master c-master-2 with ensemble [1, 2, 3] (to leave out master c-master-3)",
            "restart master c-master-1 with ensemble [1, 2, 3] (to leave out master c-master-3)",
            "fence master c-master-3 (ZooKeeper id 4): stop ZooKeeper, mesos-master and Marathon"
                + " for good",
            "master c-master-3 is fenced: deleting the node and its machine",
            "lower the quorum of master c-master-0 to 2",
            "lower the quorum of master c-master-2 to 2",
            "lower the quorum of master c-master-1 to 2",
            "3 masters, quorum 2");
    assertSteady(r.end(), 3);
    // Fencing comes before any quorum is lowered (the operational guide's order).
    int lastFence =
        r.messages()
            .lastIndexOf(
                r.messages().stream()
                    .filter(m -> m.startsWith("fence"))
                    .reduce((a, b) -> b)
                    .orElseThrow());
    int firstLower =
        IntStream.range(0, r.messages().size())
            .filter(i -> r.messages().get(i).startsWith("lower"))
            .findFirst()
            .orElseThrow();
    assertThat(lastFence).isLessThan(firstLower);
  }

  @Test
  void oneToThreeIsRefusedWithoutTheAcknowledgementAndTouchesNothing() {
    Step step = MasterScaling.plan(input(3, false, steady(1)));
    assertThat(step).isInstanceOf(Refused.class);
    assertThat(((Refused) step).reason()).isEqualTo("LogWipeNotAcknowledged");
    assertThat(step.message()).contains("acknowledgeLogWipe");
  }

  @Test
  void oneToThreeWithTheAcknowledgementWipesTheLogOnceThenGrows() {
    Run r = run(3, true, steady(1));
    assertThat(r.messages())
        .containsExactly(
            "raise the quorum of master c-master-0 to 2, with an empty replicated log (epoch 1)",
            "add master c-master-1 (ZooKeeper id 2) with quorum 2 and ensemble [1, 2]",
            "restart master c-master-0 with ensemble [1, 2] (to the ensemble [1, 2])",
            "add master c-master-2 (ZooKeeper id 3) with quorum 2 and ensemble [1, 2, 3]",
            "restart master c-master-0 with ensemble [1, 2, 3] (to the ensemble [1, 2, 3])",
            "restart master c-master-1 with ensemble [1, 2, 3] (to the ensemble [1, 2, 3])",
            "3 masters, quorum 2");
    assertSteady(r.end(), 3);
    assertThat(settingsOf(r.end(), 0).logEpoch()).isEqualTo(1);
    assertThat(settingsOf(r.end(), 1).logEpoch()).isZero(); // new machines start empty anyway
  }

  @Test
  void threeToOneNeedsNoAcknowledgementAndEndsWithQuorumOne() {
    Run r = run(1, false, steady(3));
    assertThat(r.messages())
        .containsExactly(
            "restart master c-master-0 with ensemble [1, 2] (to leave out master c-master-2)",
            "restart master c-master-1 with ensemble [1, 2] (to leave out master c-master-2)",
            "fence master c-master-2 (ZooKeeper id 3): stop ZooKeeper, mesos-master and Marathon"
                + " for good",
            "master c-master-2 is fenced: deleting the node and its machine",
            "restart master c-master-0 with ensemble [1] (to leave out master c-master-1)",
            "fence master c-master-1 (ZooKeeper id 2): stop ZooKeeper, mesos-master and Marathon"
                + " for good",
            "master c-master-1 is fenced: deleting the node and its machine",
            "lower the quorum of master c-master-0 to 1",
            "1 masters, quorum 1");
    assertSteady(r.end(), 1);
  }

  @ParameterizedTest
  @CsvSource({"1,3", "3,5", "5,3", "3,1", "1,5", "5,1", "3,7", "7,3", "1,7", "7,1", "5,9", "9,5"})
  void everyPathKeepsTheRulesAndEndsLikeAFreshCluster(int from, int to) {
    Run r = run(to, true, steady(from));
    assertThat(r.steps().get(r.steps().size() - 1)).isInstanceOf(Done.class);
    assertSteady(r.end(), to);
  }

  @ParameterizedTest
  @CsvSource({"1,3", "3,5", "5,3", "3,1", "7,3", "3,7"})
  void resumesFromEveryIntermediateStateWithTheSameRemainingSteps(int from, int to) {
    Run full = run(to, true, steady(from));
    for (int i = 0; i < full.states().size(); i++) {
      // A new operator sees only the nodes and their status: the rest of the plan is the same.
      Run resumed = run(to, true, full.states().get(i));
      assertThat(resumed.messages()).isEqualTo(full.messages().subList(i, full.messages().size()));
      assertSteady(resumed.end(), to);
    }
  }

  @Test
  void changingTheTargetMidWayTurnsBackSafely() {
    Run up = run(5, false, steady(3));
    // Stop half-way (master 3 added, ensemble partly rolled) and ask for 3 again.
    List<Member> mid = up.states().get(5);
    assertThat(mid).hasSize(4);
    Run back = run(3, false, mid);
    assertSteady(back.end(), 3);
    assertThat(back.end()).extracting(Member::name).doesNotContain("c-master-3");
  }

  @Test
  void waitsWhileAStepIsBeingAppliedAndForHealthBeforeTheNext() {
    List<Member> state = steady(3);
    Step first = MasterScaling.plan(input(5, false, state));
    List<Member> written = write(state, first);
    assertThat(MasterScaling.plan(input(5, false, written))).isInstanceOf(Wait.class);

    Input sick =
        new Input("c", "master", 5, false, state, new Health(true, false, true, "c-master-1"));
    Step blocked = MasterScaling.plan(sick);
    assertThat(blocked).isInstanceOf(WaitForHealth.class);
    assertThat(((WaitForHealth) blocked).blocked().message()).isEqualTo(first.message());
  }

  @Test
  void aClusterAsSpecifiedIsDoneAndNodesFromBeforeScalingArePinnedFirst() {
    assertThat(MasterScaling.plan(input(3, false, steady(3)))).isInstanceOf(Done.class);
    List<Member> legacy =
        steady(3).stream()
            .map(m -> new Member(m.name(), m.ordinal(), m.zkId(), false, null, m.applied(), true))
            .toList();
    assertThat(MasterScaling.plan(input(3, false, legacy))).isInstanceOf(Done.class);
    Step pin = MasterScaling.plan(input(5, false, legacy));
    assertThat(pin).isInstanceOf(Pin.class);
    assertThat(((Pin) pin).settings()).hasSize(3);
  }

  @Test
  void aReplacedMasterKeepsItsIdAndNobodyRestarts() {
    List<Member> two = new ArrayList<>(steady(3));
    two.remove(1); // the user deleted c-master-1; the others still list id 2
    Step step = MasterScaling.plan(input(3, false, two));
    assertThat(step).isInstanceOf(Create.class);
    Create c = (Create) step;
    assertThat(c.zkId()).isEqualTo(2);
    assertThat(c.node()).isEqualTo("c-master-1");
    assertThat(c.settings().ensemble()).containsExactly(1, 2, 3);
    assertThat(c.settings().quorum()).isEqualTo(2);
  }

  @Test
  void aRemediatedMasterIsReplacedUnderANewIdWithTheEnsembleRolledOneMemberAtATime() {
    List<Member> two = new ArrayList<>(steady(3));
    two.remove(1); // remediation deleted c-master-1 and retired its id 2
    List<Step> steps = new ArrayList<>();
    List<Member> state = two;
    for (int i = 0; i < 20; i++) {
      Step step =
          MasterScaling.plan(
              new Input(
                  "c", "master", 3, false, state, new Health(true, true, true, null), Set.of(2)));
      if (step instanceof Done) {
        break;
      }
      assertThat(MasterScaling.violation(state, step)).as(step.message()).isNull();
      checkZooKeeperDuringRestart(state, step);
      steps.add(step);
      state = apply(state, step);
    }
    // First the others drop id 2, then the new member comes with id 4 and they roll to it.
    assertThat(steps.get(0)).isInstanceOf(Reconfigure.class);
    assertThat(((Reconfigure) steps.get(0)).settings().ensemble()).containsExactly(1, 3);
    Create c =
        steps.stream().filter(Create.class::isInstance).map(Create.class::cast).findFirst().get();
    assertThat(c.node()).isEqualTo("c-master-1");
    assertThat(c.zkId()).isEqualTo(4);
    assertThat(c.settings().ensemble()).containsExactly(1, 3, 4);
    assertThat(state).extracting(Member::zkId).containsExactlyInAnyOrder(1, 3, 4);
    assertThat(state).allSatisfy(m -> assertThat(m.applied().ensemble()).containsExactly(1, 3, 4));
  }

  /**
   * Found on real nodes (MasterScalingRealIT): a static ZooKeeper member whose list leaves out the
   * leader never follows it, so rolling the others while the leaving member leads ends in an
   * election that never completes. A leaving leader is fenced first where the others still tolerate
   * a restart (five of five: four stay, three needed), and deleted once nobody lists it.
   */
  @Test
  void aLeavingZooKeeperLeaderIsFencedFirstAndDeletedOnceNobodyListsIt() {
    List<Member> state = steady(5);
    Step first = MasterScaling.plan(withLeader(3, state, "c-master-4"));
    assertThat(first).isInstanceOf(Reconfigure.class);
    assertThat(((Reconfigure) first).node()).isEqualTo("c-master-4");
    assertThat(((Reconfigure) first).change()).isEqualTo(MasterScaling.Change.FENCE);
    checkZooKeeperDuringRestart(state, first);
    state = apply(state, first);
    List<String> rolled = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      // ZooKeeper elected another leader among the four left: c-master-3 (id 4).
      Step step = MasterScaling.plan(withLeader(3, state, "c-master-3"));
      if (step instanceof Delete d) {
        assertThat(d.node()).isEqualTo("c-master-4");
        break;
      }
      assertThat(step).isInstanceOf(Reconfigure.class);
      Reconfigure r = (Reconfigure) step;
      assertThat(r.change()).isEqualTo(MasterScaling.Change.ENSEMBLE);
      assertThat(r.settings().ensemble()).containsExactly(1, 2, 3, 4);
      assertThat(MasterScaling.violation(state, step)).isNull();
      checkZooKeeperDuringRestart(state, step);
      rolled.add(r.node());
      state = apply(state, step);
    }
    // Leader last, and the fenced master goes only after all four left it out.
    assertThat(rolled).containsExactly("c-master-0", "c-master-1", "c-master-2", "c-master-3");
    // At four members, fencing the leader first would leave no tolerance: not done there.
    Step atFour = MasterScaling.plan(withLeader(3, steady(4), "c-master-3"));
    assertThat(atFour).isInstanceOf(Reconfigure.class);
    assertThat(((Reconfigure) atFour).change()).isNotEqualTo(MasterScaling.Change.FENCE);
  }

  private static Input withLeader(int desired, List<Member> masters, String leader) {
    return new Input("c", "master", desired, false, masters, new Health(true, true, true, leader));
  }
}
