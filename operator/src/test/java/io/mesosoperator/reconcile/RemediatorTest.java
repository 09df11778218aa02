package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.MesosNodeSpec;
import io.mesosoperator.api.MesosNodeStatus;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.plan.Remediation;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a MesosNode's status reads to the remediation decision. */
class RemediatorTest {
  static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  static MesosNode node(String reachableReason, boolean reachable) {
    MesosNode n = new MesosNode();
    ObjectMeta meta = new ObjectMeta();
    meta.setName("c-slave-0");
    n.setMetadata(meta);
    MesosNodeSpec spec = new MesosNodeSpec();
    spec.setRoleType(RoleType.AGENT);
    n.setSpec(spec);
    MesosNodeStatus st = new MesosNodeStatus();
    st.setMachineId("m-1");
    st.setConditions(
        Conditions.set(
            List.of(),
            Conditions.REACHABLE,
            reachable
                ? ConditionState.isTrue("Reachable", "ok")
                : ConditionState.isFalse(reachableReason, "x"),
            1L,
            T));
    n.setStatus(st);
    return n;
  }

  @Test
  void onlyAFailedConnectionCountsAsUnreachableFromItsTransitionTime() {
    Remediation.Node down = Remediator.node(node("Unreachable", false));
    assertThat(down.unreachableSince()).isEqualTo(T);
    assertThat(down.reachable()).isFalse();
    assertThat(down.machineId()).isEqualTo("m-1");
    assertThat(down.master()).isFalse();
    // A changed host key or a refused login is for a person, never a reason to destroy a machine.
    assertThat(Remediator.node(node("HostKeyMismatch", false)).unreachableSince()).isNull();
    assertThat(Remediator.node(node("LoginFailed", false)).unreachableSince()).isNull();
    Remediation.Node up = Remediator.node(node(null, true));
    assertThat(up.unreachableSince()).isNull();
    assertThat(up.reachable()).isTrue();
  }

  @Test
  void aVanishedMachineIsReadFromMachineReady() {
    MesosNode n = node(null, true);
    n.getStatus()
        .setConditions(
            Conditions.set(
                n.getStatus().getConditions(),
                Conditions.MACHINE_READY,
                ConditionState.isFalse(Remediator.MACHINE_VANISHED, "gone"),
                1L,
                T));
    assertThat(Remediator.node(n).machineVanished()).isTrue();
    assertThat(Remediator.node(node(null, true)).machineVanished()).isFalse();
  }
}
