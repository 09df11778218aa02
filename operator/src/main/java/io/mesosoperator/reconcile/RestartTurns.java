package io.mesosoperator.reconcile;

import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.MesosNodeStatus;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.node.NodeResult;
import io.mesosoperator.node.NodeTarget;
import io.mesosoperator.plan.MasterScaling;
import io.mesosoperator.plan.RollingRestart;
import java.util.Objects;

/**
 * Restart turns as both reconcilers read them from the resources (never from memory): the cluster
 * reconciler grants a turn by raising {@code spec.restartGrant}; the node uses it once and records
 * it in {@code status.restartGrant}. See docs/rolling-restarts.md.
 */
final class RestartTurns {
  private RestartTurns() {}

  /** The node has a grant it has not used yet. */
  static boolean granted(MesosNode node, MesosNodeStatus status) {
    Integer grant = node.getSpec().getRestartGrant();
    int used = status == null || status.getRestartGrant() == null ? 0 : status.getRestartGrant();
    return grant != null && grant > used;
  }

  /** A restart requested by annotation (on the node or its cluster) was not honoured yet. */
  static boolean requested(MesosNode node, MesosNodeStatus status, MesosCluster cluster) {
    String own = Labels.annotation(node, Labels.RESTART);
    String all = cluster == null ? null : Labels.annotation(cluster, Labels.RESTART);
    return (own != null && !own.equals(status == null ? null : status.getRestartToken()))
        || (all != null && !all.equals(status == null ? null : status.getClusterRestartToken()));
  }

  /**
   * A master scaling step is being applied to the node: master scaling orders those restarts itself
   * (one master at a time, the leader last), so they are never held.
   */
  static boolean scalingStep(MesosNode node) {
    if (node.getSpec().getRoleType() != RoleType.MASTER || node.getSpec().getZkId() == null) {
      return false;
    }
    MasterScaling.Member m = MasterMembers.member(node);
    return m.wanted() != null && !m.wanted().equals(m.applied());
  }

  /**
   * The control plane formed once (status.established). Until then nothing is held: a node
   * configured before its siblings existed restarts with their addresses as the cluster forms,
   * which a roll would only serialise.
   */
  static boolean established(MesosCluster cluster) {
    return cluster != null
        && cluster.getStatus() != null
        && Boolean.TRUE.equals(cluster.getStatus().getEstablished());
  }

  /** The target with this pass's restart gating: held unless granted or a scaling step. */
  static NodeTarget gate(
      NodeTarget target, MesosNode node, MesosNodeStatus status, MesosCluster cluster) {
    boolean granted = granted(node, status);
    return new NodeTarget(
        target.node(),
        target.address(),
        target.port(),
        target.user(),
        target.privateKey(),
        target.publicKey(),
        target.pinnedHostKey(),
        target.firstLogin(),
        target.harden(),
        !granted && !scalingStep(node) && established(cluster),
        granted && requested(node, status, cluster));
  }

  /**
   * After a pass: a configured node under a grant records the grant (and the requested restarts it
   * honoured) as used. Returns whether it did.
   */
  static boolean recordUsed(
      MesosNode node, MesosNodeStatus status, MesosCluster cluster, NodeResult result) {
    if (!granted(node, status) || !result.configured().isTrue()) {
      return false;
    }
    status.setRestartGrant(node.getSpec().getRestartGrant());
    status.setRestartToken(Labels.annotation(node, Labels.RESTART));
    status.setClusterRestartToken(Labels.annotation(cluster, Labels.RESTART));
    return true;
  }

  /** A change that restarts running services is held on the node until its turn. */
  static boolean awaitingTurn(MesosNode node) {
    MesosNodeStatus st = node.getStatus();
    return st != null
        && Conditions.get(st.getConditions(), Conditions.CONFIGURED)
            .filter(c -> "False".equals(c.getStatus()))
            .filter(c -> NodeTarget.AWAITING_RESTART_TURN.equals(c.getReason()))
            .isPresent();
  }

  /** The node waits for its turn: a held change, or an unhonoured requested restart. */
  static boolean pending(MesosNode node, MesosCluster cluster) {
    return awaitingTurn(node) || requested(node, node.getStatus(), cluster);
  }

  /** A node as the rolling restart planner sees it. */
  static RollingRestart.Node plannerNode(MesosNode node, MesosCluster cluster) {
    MesosNodeStatus st = node.getStatus();
    var conditions =
        st == null
            ? java.util.List.<io.fabric8.kubernetes.api.model.Condition>of()
            : st.getConditions();
    boolean serving =
        Conditions.isTrue(conditions, Conditions.MACHINE_READY)
            && Conditions.isTrue(conditions, Conditions.REACHABLE)
            && Conditions.isTrue(conditions, Conditions.SERVICES_RUNNING);
    boolean settled =
        Conditions.get(conditions, Conditions.CONFIGURED)
            .filter(
                c ->
                    "True".equals(c.getStatus())
                        || NodeTarget.AWAITING_RESTART_TURN.equals(c.getReason()))
            .isPresent();
    boolean master = node.getSpec().getRoleType() == RoleType.MASTER;
    return new RollingRestart.Node(
        node.getMetadata().getName(),
        master,
        master && node.getSpec().getZkId() != null ? node.getSpec().getZkId() : 0,
        pending(node, cluster),
        granted(node, st),
        scalingStep(node),
        serving,
        settled,
        node.getMetadata().getDeletionTimestamp() != null);
  }

  /** The node whose advertised address, private address or name is the Mesos leader's host. */
  static String mesosLeaderNode(java.util.List<MesosNode> nodes, String leader) {
    if (leader == null) {
      return null;
    }
    String host = leader.contains(":") ? leader.substring(0, leader.lastIndexOf(':')) : leader;
    for (MesosNode n : nodes) {
      MesosNodeStatus st = n.getStatus();
      if (n.getMetadata().getName().equals(host)
          || (st != null
              && (Objects.equals(host, st.getPrivateAddress())
                  || Objects.equals(host, st.getPublicAddress())))) {
        return n.getMetadata().getName();
      }
    }
    return null;
  }
}
