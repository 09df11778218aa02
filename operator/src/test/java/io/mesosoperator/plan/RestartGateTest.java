package io.mesosoperator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.api.RoleType;
import io.mesosoperator.plan.Observation.ServiceState;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RestartGateTest {
  static final InitStyle INIT = InitStyle.SYSTEMD;
  static final NodeConfig BEFORE = PlanFixtures.master(INIT);
  static final Observation CONVERGED = PlanFixtures.converged(BEFORE, INIT, null);

  /** The master with another quorum (a master file change). */
  static NodeConfig quorum3() {
    List<ManagedFile> files = new ArrayList<>();
    for (ManagedFile f : BEFORE.files()) {
      files.add(
          f.path().equals("/etc/mesos-master/quorum") ? ManagedFile.whole(f.path(), "3\n") : f);
    }
    return with(files, BEFORE.packages());
  }

  static NodeConfig with(List<ManagedFile> files, List<String> packages) {
    NodeConfig c = BEFORE;
    return new NodeConfig(
        c.node(),
        c.roleType(),
        c.hostname(),
        files,
        c.aptSource(),
        packages,
        c.upgrade(),
        c.clockSync(),
        c.services(),
        c.disabledServices(),
        c.restartTriggers());
  }

  static RestartGate.Decision gate(NodeConfig c, Observation o, boolean held, boolean restartAll) {
    return RestartGate.gate(c, o, NodePlan.diff(c, o), held, restartAll);
  }

  static List<String> described(RestartGate.Decision d) {
    assertThat(d).isInstanceOf(RestartGate.Run.class);
    return ((RestartGate.Run) d).actions().stream().map(Action::describe).toList();
  }

  @Test
  void aChangedMasterFileOnAConvergedNodeIsHeldWholeWithoutATurn() {
    RestartGate.Decision d = gate(quorum3(), CONVERGED, true, false);
    assertThat(d).isInstanceOf(RestartGate.Hold.class);
    assertThat(((RestartGate.Hold) d).waiting())
        .containsExactly("restart mesos-master (changed: /etc/mesos-master/quorum)");
  }

  @Test
  void withATurnTheSamePlanRunsUnchanged() {
    NodeConfig c = quorum3();
    assertThat(((RestartGate.Run) gate(c, CONVERGED, false, false)).actions())
        .isEqualTo(NodePlan.diff(c, CONVERGED));
  }

  @Test
  void aFirstConfigurationIsNeverHeld() {
    Observation fresh = PlanFixtures.fresh(INIT);
    assertThat(gate(BEFORE, fresh, true, false)).isInstanceOf(RestartGate.Run.class);
  }

  @Test
  void aConvergedNodeWithNothingToDoRunsTheEmptyPlan() {
    assertThat(described(gate(BEFORE, CONVERGED, true, false))).isEmpty();
  }

  @Test
  void restartingAStoppedServiceIsNotDisruptive() {
    Map<String, ServiceState> services = new HashMap<>(CONVERGED.services());
    services.put("mesos-master", new ServiceState(false, true));
    Observation o = observation(CONVERGED, services, CONVERGED.packages());
    assertThat(gate(quorum3(), o, true, false)).isInstanceOf(RestartGate.Run.class);
  }

  /**
   * Drift repairs on masters are gated like any restart (found on the demo: the quorum file edited
   * on all three masters, the repair restarted all three mesos-masters at once). Agents repair at
   * once: restarting an agent recovers its tasks (checkpointing) and is no quorum risk.
   */
  @Test
  void repairingADriftedFileIsHeldOnMastersAndNotOnAgents() {
    Map<String, String> whole = new HashMap<>(CONVERGED.wholeDigests());
    whole.put("/etc/mesos-master/quorum", Digests.sha256("7\n"));
    Observation drifted =
        new Observation(
            CONVERGED.facts(),
            whole,
            CONVERGED.blockDigests(),
            CONVERGED.packages(),
            CONVERGED.services(),
            true,
            true,
            true,
            true,
            CONVERGED.sshd(),
            CONVERGED.clock(),
            CONVERGED.appliedDigest(),
            CONVERGED.started());
    RestartGate.Decision held = gate(BEFORE, drifted, true, false);
    assertThat(held).isInstanceOf(RestartGate.Hold.class);
    assertThat(((RestartGate.Hold) held).waiting())
        .containsExactly("restart mesos-master (changed: /etc/mesos-master/quorum)");
    // With its turn the file is restored and mesos-master restarted; the record is unchanged.
    assertThat(described(gate(BEFORE, drifted, false, false)))
        .containsExactly(
            "write /etc/mesos-master/quorum whole 0644 root:root (restore)",
            "restart mesos-master (changed: /etc/mesos-master/quorum)");

    NodeConfig agent =
        new NodeConfig(
            BEFORE.node(),
            RoleType.AGENT,
            BEFORE.hostname(),
            BEFORE.files(),
            BEFORE.aptSource(),
            BEFORE.packages(),
            BEFORE.upgrade(),
            BEFORE.clockSync(),
            BEFORE.services(),
            BEFORE.disabledServices(),
            BEFORE.restartTriggers());
    Observation agentDrifted =
        observation(
            PlanFixtures.converged(agent, INIT, null), drifted.services(), drifted.packages());
    agentDrifted =
        new Observation(
            agentDrifted.facts(),
            whole,
            agentDrifted.blockDigests(),
            agentDrifted.packages(),
            agentDrifted.services(),
            true,
            true,
            true,
            true,
            agentDrifted.sshd(),
            agentDrifted.clock(),
            agentDrifted.appliedDigest(),
            agentDrifted.started());
    assertThat(described(gate(agent, agentDrifted, true, false)))
        .contains("restart mesos-master (changed: /etc/mesos-master/quorum)");
  }

  /** A restart an interrupted pass did not make waits for the turn like any other restart. */
  @Test
  void aPendingRestartIsHeldWithoutATurnAndMadeWithIt() {
    NodeConfig c = quorum3();
    // The new quorum is on disk, mesos-master still runs the old one (its record says so).
    Observation pending = PlanFixtures.converged(c, INIT, null).withStarted(CONVERGED.started());
    pending =
        new Observation(
            pending.facts(),
            pending.wholeDigests(),
            pending.blockDigests(),
            pending.packages(),
            pending.services(),
            true,
            true,
            true,
            true,
            pending.sshd(),
            pending.clock(),
            CONVERGED.appliedDigest(),
            pending.started());
    RestartGate.Decision held = gate(c, pending, true, false);
    assertThat(held).isInstanceOf(RestartGate.Hold.class);
    assertThat(((RestartGate.Hold) held).waiting())
        .containsExactly("restart mesos-master (changed: " + NodePlan.STARTED_OLDER + ")");
    assertThat(described(gate(c, pending, false, false)))
        .containsExactly(
            "restart mesos-master (changed: " + NodePlan.STARTED_OLDER + ")",
            "record mesos-master started with " + ConfigDigest.ofService(c, "mesos-master"),
            "record " + ConfigDigest.of(c) + " in " + NodePlan.APPLIED_DIGEST);
    // A requested restart over it: every service once, the record right after mesos-master's.
    assertThat(described(gate(c, pending, false, true)))
        .containsExactly(
            "restart zookeeper (changed: restart requested)",
            "restart mesos-master (changed: " + NodePlan.STARTED_OLDER + ")",
            "record mesos-master started with " + ConfigDigest.ofService(c, "mesos-master"),
            "restart marathon (changed: restart requested)",
            "record " + ConfigDigest.of(c) + " in " + NodePlan.APPLIED_DIGEST);
  }

  @Test
  void aPackageChangeIsHeldAndWithATurnRestartsEveryRunningService() {
    NodeConfig upgraded = with(BEFORE.files(), List.of("mesos=1.1", "marathon"));
    assertThat(gate(upgraded, CONVERGED, true, false)).isInstanceOf(RestartGate.Hold.class);
    assertThat(described(gate(upgraded, CONVERGED, false, false)))
        .containsSubsequence(
            "install mesos=1.1",
            "restart zookeeper (changed: packages changed)",
            "restart mesos-master (changed: packages changed)",
            "restart marathon (changed: packages changed)");
  }

  @Test
  void aRequestedRestartRestartsEveryRunningManagedServiceInOrderBeforeTheDigest() {
    List<String> plan = described(gate(quorum3(), CONVERGED, false, true));
    assertThat(plan)
        .containsSubsequence(
            "write /etc/mesos-master/quorum whole 0644 root:root (update)",
            "restart zookeeper (changed: restart requested)",
            "restart mesos-master (changed: /etc/mesos-master/quorum)",
            "restart marathon (changed: restart requested)");
    assertThat(plan.get(plan.size() - 1)).startsWith("record ");
    // Nothing changed: only the restarts.
    assertThat(described(gate(BEFORE, CONVERGED, false, true)))
        .containsExactly(
            "restart zookeeper (changed: restart requested)",
            "restart mesos-master (changed: restart requested)",
            "restart marathon (changed: restart requested)");
  }

  @Test
  void aRequestedRestartLeavesStoppedServicesToBeStarted() {
    Map<String, ServiceState> services = new HashMap<>(CONVERGED.services());
    services.put("marathon", new ServiceState(false, true));
    Observation o = observation(CONVERGED, services, CONVERGED.packages());
    assertThat(described(gate(BEFORE, o, false, true)))
        .containsExactly(
            "restart zookeeper (changed: restart requested)",
            "restart mesos-master (changed: restart requested)",
            "start marathon");
  }

  static Observation observation(
      Observation o, Map<String, ServiceState> services, Map<String, String> packages) {
    return new Observation(
        o.facts(),
        o.wholeDigests(),
        o.blockDigests(),
        packages,
        services,
        o.aptKeyPresent(),
        o.upgraded(),
        o.adminExists(),
        o.adminKeyAuthorized(),
        o.sshd(),
        o.clock(),
        o.appliedDigest(),
        o.started());
  }
}
