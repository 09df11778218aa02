package io.mesosoperator.plan;

import static org.assertj.core.api.Assertions.assertThat;

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

  @Test
  void repairingADriftedFileIsNotHeld() {
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
            CONVERGED.appliedDigest());
    assertThat(described(gate(BEFORE, drifted, true, false)))
        .contains("restart mesos-master (changed: /etc/mesos-master/quorum)");
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
        o.appliedDigest());
  }
}
