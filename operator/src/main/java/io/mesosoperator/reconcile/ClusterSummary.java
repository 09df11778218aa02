package io.mesosoperator.reconcile;

import io.mesosoperator.api.EnsembleMember;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleStatus;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.api.ZooKeeperUrl;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.plan.ClusterTopology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The cluster's status summary, a pure function of the spec, the MesosNodes and what this pass
 * found: counts per role, the ensemble and its ZooKeeper URL, and the summary conditions ({@code
 * MachinesReady}, {@code NodesConfigured}, {@code Ready}, {@code Reconciling}). No I/O, no clock:
 * the reconciler stamps and writes what this returns.
 */
final class ClusterSummary {
  private ClusterSummary() {}

  /**
   * What the summary is made of.
   *
   * @param spec the cluster's spec
   * @param nodes the cluster's MesosNodes as the pass saw them
   * @param plan the node set plan this pass applied
   * @param healthy the services are healthy and every app deployed (or nothing was observed)
   * @param mastersScaled MastersScaled is True after this pass's master step
   */
  record Input(
      MesosClusterSpec spec,
      List<MesosNode> nodes,
      ClusterTopology.Plan plan,
      boolean healthy,
      boolean mastersScaled) {}

  /**
   * Ready and not-ready MesosNodes of one role (for the node gauges).
   *
   * @param role the role's name
   * @param ready nodes whose Ready is True
   * @param notReady the others
   */
  record RoleCount(String role, int ready, int notReady) {}

  /**
   * The summary.
   *
   * @param roles desired, with-machine and ready counts per role
   * @param masters masters ready/desired
   * @param agents agents ready/desired
   * @param ensemble ZooKeeper members by id, with addresses once known
   * @param zookeeperUrl the ensemble's URL once every member has an address, else null
   * @param machinesReady the MachinesReady condition
   * @param nodesConfigured the NodesConfigured condition
   * @param ready the Ready condition
   * @param reconciling the Reconciling condition
   * @param counts ready and not-ready nodes per role
   */
  record Summary(
      List<RoleStatus> roles,
      String masters,
      String agents,
      List<EnsembleMember> ensemble,
      String zookeeperUrl,
      ConditionState machinesReady,
      ConditionState nodesConfigured,
      ConditionState ready,
      ConditionState reconciling,
      List<RoleCount> counts) {}

  static Summary of(Input in) {
    List<RoleStatus> roles = new ArrayList<>();
    List<RoleCount> counts = new ArrayList<>();
    int mastersReady = 0;
    int mastersDesired = 0;
    int agentsReady = 0;
    int agentsDesired = 0;
    int machines = 0;
    int configured = 0;
    int desiredTotal = 0;
    for (RoleSpec role : in.spec().getRoles()) {
      List<MesosNode> mine =
          in.nodes().stream().filter(n -> role.getName().equals(n.getSpec().getRole())).toList();
      int withMachine =
          (int) mine.stream().filter(n -> hasTrue(n, Conditions.MACHINE_READY)).count();
      int ready = (int) mine.stream().filter(n -> hasTrue(n, Conditions.READY)).count();
      int conf = (int) mine.stream().filter(n -> hasTrue(n, Conditions.CONFIGURED)).count();
      int desired = role.getReplicas();
      counts.add(new RoleCount(role.getName(), ready, mine.size() - ready));
      roles.add(new RoleStatus(role.getName(), role.getType(), desired, withMachine, ready));
      machines += Math.min(withMachine, desired);
      configured += Math.min(conf, desired);
      desiredTotal += desired;
      if (role.getType() == RoleType.MASTER) {
        mastersReady += ready;
        mastersDesired += desired;
      } else {
        agentsReady += ready;
        agentsDesired += desired;
      }
    }
    String masters = mastersReady + "/" + mastersDesired;
    String agents = agentsReady + "/" + agentsDesired;
    List<EnsembleMember> ensemble = ensemble(in.nodes(), in.plan());
    boolean allAddressed =
        !ensemble.isEmpty() && ensemble.stream().allMatch(m -> m.getAddress() != null);
    String zookeeperUrl =
        allAddressed
            ? ZooKeeperUrl.of(
                ensemble.stream().map(EnsembleMember::getAddress).toList(),
                in.spec().getZookeeper().getClientPort(),
                ZooKeeperUrl.MESOS)
            : null;

    ClusterTopology.Plan plan = in.plan();
    boolean machinesReady = machines == desiredTotal && plan.isEmpty();
    ConditionState machinesState =
        machinesReady
            ? ConditionState.isTrue("AllMachinesRunning", machines + " machines running")
            : ConditionState.isFalse(
                "MachinesPending", machines + " of " + desiredTotal + " machines running");
    boolean nodesConfigured = configured == desiredTotal && plan.isEmpty();
    ConditionState configuredState =
        nodesConfigured
            ? ConditionState.isTrue("AllNodesConfigured", configured + " nodes configured")
            : ConditionState.isFalse(
                "NodesPending", configured + " of " + desiredTotal + " nodes configured");
    boolean ready =
        machinesReady
            && nodesConfigured
            && mastersReady == mastersDesired
            && agentsReady == agentsDesired
            && plan.masterRefusal() == null
            && in.healthy();
    String why =
        !machinesReady
            ? "MachinesPending"
            : !nodesConfigured
                ? "NodesPending"
                : plan.masterRefusal() != null
                    ? "MasterScalingNotSupported"
                    : !in.mastersScaled()
                        ? "MastersScaling"
                        : mastersReady != mastersDesired || agentsReady != agentsDesired
                            ? "NodesNotReady"
                            : "ServicesNotHealthy";
    String counted = "masters " + masters + ", agents " + agents;
    return new Summary(
        roles,
        masters,
        agents,
        ensemble,
        zookeeperUrl,
        machinesState,
        configuredState,
        ready
            ? ConditionState.isTrue("ClusterReady", counted)
            : ConditionState.isFalse(why, counted),
        ready
            ? ConditionState.isFalse("Converged", "nothing left to do")
            : ConditionState.isTrue(why, "converging"),
        counts);
  }

  /**
   * The ensemble in status: each master with a ZooKeeper id, by id. A master being (re)created in
   * this pass keeps its entry: the ensemble in status is how the next pass knows the master count,
   * and a replaced master whose fresh MesosNode is deleted again before it is seen must not shrink
   * the ensemble for good.
   */
  static List<EnsembleMember> ensemble(List<MesosNode> nodes, ClusterTopology.Plan plan) {
    List<EnsembleMember> ensemble =
        new ArrayList<>(
            nodes.stream()
                .filter(n -> n.getSpec().getRoleType() == RoleType.MASTER)
                .filter(n -> n.getSpec().getZkId() != null)
                .map(
                    n ->
                        new EnsembleMember(
                            n.getSpec().getZkId(),
                            n.getMetadata().getName(),
                            n.getStatus() == null ? null : n.getStatus().getPrivateAddress()))
                .toList());
    for (ClusterTopology.Wanted w : plan.create()) {
      if (w.zkId() != null && ensemble.stream().noneMatch(m -> m.getNode().equals(w.name()))) {
        ensemble.add(new EnsembleMember(w.zkId(), w.name(), null));
      }
    }
    ensemble.sort(Comparator.comparing(EnsembleMember::getId));
    return ensemble;
  }

  private static boolean hasTrue(MesosNode node, String type) {
    return node.getStatus() != null && Conditions.isTrue(node.getStatus().getConditions(), type);
  }
}
