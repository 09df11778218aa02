package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.Durations;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterStatus;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RemediatingNode;
import io.mesosoperator.api.RemediationStatus;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.plan.MasterScaling;
import io.mesosoperator.plan.Remediation;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thin shell around {@link Remediation}: reads the nodes and the replacements recorded in the
 * cluster's status, and starts what the decision says. An agent is replaced by its own node
 * reconciler, told through {@code spec.replaceMachine} naming the machine to replace; a master's
 * node is deleted and master scaling brings a new one under a new ZooKeeper id.
 */
final class Remediator {
  private static final Logger LOG = LoggerFactory.getLogger(Remediator.class);

  /**
   * Condition on the MesosCluster: True while nodes are being replaced; the reason says why not.
   */
  static final String REMEDIATING = "Remediating";

  /** MachineReady reason of a node whose machine vanished and waits for its replacement. */
  static final String MACHINE_VANISHED = Remediation.MACHINE_VANISHED;

  private final KubernetesClient client;
  private final EventRecorder events;
  private final Clock clock;

  /**
   * What this operator last recorded, per cluster uid. The cached status read by a pass can predate
   * our own last write of it; deciding from that could start a replacement twice or one too many.
   * The status is the record (a restarted operator resumes from it); this only bridges that gap.
   */
  private final Map<String, RemediationStatus> written = new ConcurrentHashMap<>();

  Remediator(KubernetesClient client, EventRecorder events, Clock clock) {
    this.client = client;
    this.events = events;
    this.clock = clock;
  }

  /** Drops what is remembered of a deleted cluster. */
  void forget(String uid) {
    written.remove(uid);
  }

  /** Decides and acts; records what is under way in {@code status}. */
  void run(
      MesosCluster cluster,
      StatusFrame<MesosClusterStatus> pass,
      List<MesosNode> nodes,
      MasterScaling.Step masterStep) {
    MesosClusterStatus status = pass.status();
    Instant now = clock.instant();
    String uid = cluster.getMetadata().getUid();
    RemediationStatus recorded =
        written.containsKey(uid)
            ? written.get(uid)
            : status.getRemediation() == null ? new RemediationStatus() : status.getRemediation();
    List<Remediation.InProgress> inProgress =
        recorded.getNodes().stream().map(Remediator::inProgress).toList();
    Remediation.Decision d =
        Remediation.decide(
            new Remediation.Input(
                now,
                Durations.parseDuration(cluster.getSpec().getRemediation().getUnreachableAfter()),
                cluster.getSpec().getRemediation().getMaxConcurrent(),
                nodes.stream().map(Remediator::node).toList(),
                inProgress,
                masters(status, nodes, masterStep)));
    for (Remediation.InProgress p : d.finished()) {
      events.normal(
          cluster,
          "NodeRemediated",
          (p.master() ? "master " : "node ") + p.node() + " replaced (" + p.reason() + ")");
    }
    Set<Integer> retired = new TreeSet<>(recorded.getRetiredZooKeeperIds());
    for (Remediation.Start s : d.start()) {
      events.warning(cluster, "NodeUnreachable", s.message());
      if (s.record().master() && s.record().zkId() != null) {
        retired.add(s.record().zkId());
      }
    }
    // Retired ids as the stored status (not this operator's memory) has them: a master's node is
    // deleted only once its id's retirement is stored, so no restart can forget it.
    Set<Integer> stored =
        status.getRemediation() == null
            ? Set.of()
            : Set.copyOf(status.getRemediation().getRetiredZooKeeperIds());
    for (Remediation.InProgress p : d.continuing()) {
      if (!p.master() || (p.zkId() != null && stored.contains(p.zkId()))) {
        act(cluster, nodes, p);
      }
    }
    for (Remediation.Start s : d.start()) {
      if (!s.record().master()) {
        act(cluster, nodes, s.record()); // an agent's grant is itself durable
      }
    }
    List<RemediatingNode> under = new ArrayList<>();
    d.underWay().forEach(p -> under.add(record(p)));
    RemediationStatus next = new RemediationStatus();
    next.setNodes(under);
    next.setRetiredZooKeeperIds(new ArrayList<>(retired));
    status.setRemediation(under.isEmpty() && retired.isEmpty() ? null : next);
    written.put(uid, next);

    String previous =
        Conditions.get(status.getConditions(), REMEDIATING).map(Condition::getReason).orElse(null);
    boolean blocked = !d.blocked().isEmpty();
    if (blocked && !d.reason().equals(previous)) {
      events.warning(cluster, d.reason(), d.message());
    }
    pass.set(
        REMEDIATING,
        d.remediating()
            ? ConditionState.isTrue(d.reason(), d.message())
            : ConditionState.isFalse(d.reason(), d.message()));
  }

  /**
   * Makes one replacement under way happen; idempotent, so it is repeated every pass until done. A
   * master's node is deleted only once the retirement of its ZooKeeper id is in the status (next
   * pass), so no replacement can ever get the old id back.
   */
  private void act(MesosCluster cluster, List<MesosNode> nodes, Remediation.InProgress p) {
    MesosNode node =
        nodes.stream()
            .filter(n -> n.getMetadata().getName().equals(p.node()))
            .findFirst()
            .orElse(null);
    if (node == null || node.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    var resource =
        client
            .resources(MesosNode.class)
            .inNamespace(cluster.getMetadata().getNamespace())
            .withName(p.node());
    try {
      if (p.master()) {
        if (java.util.Objects.equals(node.getSpec().getZkId(), p.zkId())) {
          resource.delete();
          LOG.info("deleting master {} to replace it", p.node());
        }
        return;
      }
      String machine = node.getStatus() == null ? null : node.getStatus().getMachineId();
      if (p.machineId() != null
          && p.machineId().equals(machine)
          && !p.machineId().equals(node.getSpec().getReplaceMachine())) {
        // In the spec (the operator owns MesosNode specs): a new generation wakes the node.
        resource.edit(
            n -> {
              n.getSpec().setReplaceMachine(p.machineId());
              return n;
            });
        LOG.info("node {}: machine {} to be replaced", p.node(), p.machineId());
      }
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      // Gone or changed meanwhile: the next pass decides again from what it sees.
      LOG.info("node {}: {}", p.node(), e.getMessage());
    }
  }

  private static Remediation.Masters masters(
      MesosClusterStatus status, List<MesosNode> nodes, MasterScaling.Step step) {
    int ensemble = 0;
    int quorum = 0;
    int count = 0;
    for (MesosNode n : nodes) {
      if (n.getSpec().getRoleType() != RoleType.MASTER) {
        continue;
      }
      count++;
      var st = n.getStatus();
      if (st != null && st.getEnsemble() != null) {
        ensemble = Math.max(ensemble, st.getEnsemble().size());
      }
      if (st != null && st.getQuorum() != null) {
        quorum = Math.max(quorum, st.getQuorum());
      }
    }
    Boolean zk =
        Conditions.get(status.getConditions(), Conditions.ZOOKEEPER_QUORUM)
            .filter(c -> !"Unknown".equals(c.getStatus()))
            .map(c -> "True".equals(c.getStatus()))
            .orElse(null);
    return new Remediation.Masters(
        ensemble == 0 ? count : ensemble,
        quorum,
        zk,
        step instanceof MasterScaling.Done,
        step != null);
  }

  static Remediation.Node node(MesosNode n) {
    var st = n.getStatus();
    List<Condition> conditions = st == null ? List.of() : st.getConditions();
    Instant unreachableSince =
        Conditions.get(conditions, Conditions.REACHABLE)
            .filter(c -> "False".equals(c.getStatus()))
            // Only a node that cannot be connected to: a changed host key or a refused login is
            // for a person to look at, not a reason to destroy a machine.
            .filter(c -> "Unreachable".equals(c.getReason()))
            .filter(c -> c.getLastTransitionTime() != null)
            .map(c -> Instant.parse(c.getLastTransitionTime()))
            .orElse(null);
    boolean vanished =
        Conditions.get(conditions, Conditions.MACHINE_READY)
            .filter(c -> "False".equals(c.getStatus()))
            .filter(c -> MACHINE_VANISHED.equals(c.getReason()))
            .isPresent();
    return new Remediation.Node(
        n.getMetadata().getName(),
        n.getSpec().getRoleType() == RoleType.MASTER,
        st == null ? null : st.getMachineId(),
        n.getSpec().getZkId(),
        n.getMetadata().getDeletionTimestamp() != null,
        Boolean.TRUE.equals(n.getSpec().getFenced()),
        vanished,
        unreachableSince,
        Conditions.isTrue(conditions, Conditions.REACHABLE),
        Conditions.isTrue(conditions, Conditions.READY));
  }

  private static Remediation.InProgress inProgress(RemediatingNode r) {
    return new Remediation.InProgress(
        r.getNode(),
        RoleType.MASTER.value().equals(r.getRoleType()),
        r.getReason(),
        r.getMachineId(),
        r.getZkId(),
        r.getStarted() == null ? null : Instant.parse(r.getStarted()));
  }

  private static RemediatingNode record(Remediation.InProgress p) {
    return new RemediatingNode(
        p.node(),
        p.master() ? RoleType.MASTER.value() : RoleType.AGENT.value(),
        p.reason(),
        p.machineId(),
        p.zkId(),
        p.started() == null
            ? null
            : p.started().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
  }
}
