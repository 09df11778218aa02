package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.mesosoperator.node.ConditionState;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Pure condition bookkeeping, Kubernetes API conventions: {@code lastTransitionTime} changes only
 * when the status flips; each condition records the generation it was computed for.
 */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String RECONCILING = "Reconciling";
  public static final String STALLED = "Stalled";
  public static final String MACHINES_READY = "MachinesReady";
  public static final String NODES_CONFIGURED = "NodesConfigured";
  public static final String MACHINE_READY = "MachineReady";
  public static final String REACHABLE = "Reachable";
  public static final String CONFIGURED = "Configured";
  public static final String SERVICES_RUNNING = "ServicesRunning";

  /** On a MesosNode: whether the node's host firewall is loaded as rendered. */
  public static final String FIREWALL_APPLIED = "FirewallApplied";

  /** On a MesosCluster: the cloud network and firewall, and the nodes' host firewalls. */
  public static final String NETWORK_READY = "NetworkReady";

  /** On a MesosCluster: the masters are as many as specified, with matching settings. */
  public static final String MASTERS_SCALED = "MastersScaled";

  /** On a MesosCluster: no restart turn is pending. */
  public static final String RESTARTS_DONE = "RestartsDone";

  /** On a MesosCluster: the pause and plan-only annotations. */
  public static final String RECONCILIATION_PAUSED = "ReconciliationPaused";

  /** On a MesosCluster, observed: the ZooKeeper ensemble has a quorum. */
  public static final String ZOOKEEPER_QUORUM = "ZooKeeperQuorum";

  /** On a MesosCluster, observed: a Mesos master is the elected leader. */
  public static final String MESOS_LEADER_ELECTED = "MesosLeaderElected";

  /** On a MesosCluster, observed: the agents are registered with the leader. */
  public static final String AGENTS_REGISTERED = "AgentsRegistered";

  /** On a MesosCluster, observed: Marathon has a leader. */
  public static final String MARATHON_READY = "MarathonReady";

  /** The observed health conditions of a MesosCluster. */
  public static final List<String> HEALTH =
      List.of(ZOOKEEPER_QUORUM, MESOS_LEADER_ELECTED, AGENTS_REGISTERED, MARATHON_READY);

  private Conditions() {}

  /** Returns a copy of {@code current} with {@code type} set to {@code state}. */
  public static List<Condition> set(
      List<Condition> current, String type, ConditionState state, Long generation, Instant now) {
    List<Condition> next = new ArrayList<>();
    boolean found = false;
    for (Condition c : current) {
      if (!c.getType().equals(type)) {
        next.add(c);
        continue;
      }
      found = true;
      String transition =
          state.status().equals(c.getStatus()) && c.getLastTransitionTime() != null
              ? c.getLastTransitionTime()
              : timestamp(now);
      next.add(build(type, state, generation, transition));
    }
    if (!found) {
      next.add(build(type, state, generation, timestamp(now)));
    }
    return next;
  }

  /** Removes a condition type. */
  public static List<Condition> remove(List<Condition> current, String type) {
    return current.stream().filter(c -> !c.getType().equals(type)).toList();
  }

  /** The condition of a type, if present. */
  public static Optional<Condition> get(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> c.getType().equals(type)).findFirst();
  }

  /** Whether the condition of a type is True. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    return get(conditions, type).map(c -> "True".equals(c.getStatus())).orElse(false);
  }

  private static Condition build(
      String type, ConditionState state, Long generation, String transition) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(state.status())
        .withReason(state.reason())
        .withMessage(state.message())
        .withObservedGeneration(generation)
        .withLastTransitionTime(transition)
        .build();
  }

  private static String timestamp(Instant now) {
    return now.truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
