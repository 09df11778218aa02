package io.mesosoperator.reconcile;

import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.MesosNodeSpec;
import io.mesosoperator.plan.MasterScaling;

/**
 * A master MesosNode as the planners see it (master scaling, rolling restarts): the settings its
 * spec asks for and the ones its status says it runs with. Pure.
 */
final class MasterMembers {
  private MasterMembers() {}

  /** A master node as the planner sees it: spec (wanted) and status (applied). */
  static MasterScaling.Member member(MesosNode node) {
    MesosNodeSpec spec = node.getSpec();
    var st = node.getStatus();
    MasterScaling.Settings wanted =
        spec.getQuorum() == null || spec.getEnsemble() == null
            ? null
            : new MasterScaling.Settings(
                spec.getQuorum(),
                spec.getEnsemble(),
                Boolean.TRUE.equals(spec.getFenced()),
                spec.getLogEpoch() == null ? 0 : spec.getLogEpoch());
    MasterScaling.Settings applied =
        st == null || st.getQuorum() == null || st.getEnsemble() == null
            ? null
            : new MasterScaling.Settings(
                st.getQuorum(),
                st.getEnsemble(),
                Boolean.TRUE.equals(st.getFenced()),
                st.getLogEpoch() == null ? 0 : st.getLogEpoch());
    return new MasterScaling.Member(
        node.getMetadata().getName(),
        spec.getOrdinal(),
        spec.getZkId(),
        node.getMetadata().getDeletionTimestamp() != null,
        wanted,
        applied,
        st != null && Conditions.isTrue(st.getConditions(), Conditions.CONFIGURED));
  }
}
