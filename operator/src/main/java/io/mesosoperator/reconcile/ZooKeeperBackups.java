package io.mesosoperator.reconcile;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterStatus;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.api.ZooKeeperBackupStatus;
import io.mesosoperator.node.SshSessions;
import io.mesosoperator.node.ZooKeeperBackup;
import io.mesosoperator.plan.MasterScaling;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backup before risk: before a master scaling step that changes the ZooKeeper membership (a new
 * member, or a member rolled to a different ensemble), a snapshot is copied off a healthy member.
 * Once per target ensemble, decided from the status: a resumed operator does not take it twice.
 */
final class ZooKeeperBackups {
  private static final Logger LOG = LoggerFactory.getLogger(ZooKeeperBackups.class);

  /** MastersScaled reason while the step waits for a backup. */
  static final String BACKUP_FAILED = "ZooKeeperBackupFailed";

  private final KubernetesClient client;
  private final ZooKeeperBackup backup;
  private final EventRecorder events;
  private final Clock clock;

  /**
   * The last backup taken, per cluster uid. Only bridges the gap while our own status write is on
   * its way to the informer cache (as the reconciler does for the network); the status is what
   * makes it resumable.
   */
  private final Map<String, ZooKeeperBackupStatus> taken = new ConcurrentHashMap<>();

  ZooKeeperBackups(
      KubernetesClient client, ZooKeeperBackup backup, EventRecorder events, Clock clock) {
    this.client = client;
    this.backup = backup;
    this.events = events;
    this.clock = clock;
  }

  /** Drops what is remembered of a deleted cluster. */
  void forget(String uid) {
    taken.remove(uid);
  }

  /** The ensemble a step moves the masters to, or null when it changes no membership. */
  static List<Integer> target(MasterScaling.Step step) {
    if (step instanceof MasterScaling.Create c) {
      return c.settings().ensemble();
    }
    if (step instanceof MasterScaling.Reconfigure r
        && r.change() == MasterScaling.Change.ENSEMBLE) {
      return r.settings().ensemble();
    }
    return null;
  }

  /**
   * Returns the step itself when it may proceed (no membership change, backup already taken for its
   * target, or taken now), else a refusal that makes it wait and says why.
   */
  MasterScaling.Step gate(
      MesosCluster cluster,
      MesosClusterStatus status,
      List<MesosNode> nodes,
      String zooKeeperLeader,
      MasterScaling.Step step) {
    List<Integer> target = target(step);
    if (backup == null || target == null) {
      return step;
    }
    ZooKeeperBackupStatus last = status.getZookeeperBackup();
    if (last != null && target.equals(last.getTargetEnsemble())) {
      return step;
    }
    ZooKeeperBackupStatus mine = taken.get(cluster.getMetadata().getUid());
    if (mine != null && target.equals(mine.getTargetEnsemble())) {
      // Taken, but the cached status read here predates our write of it: say so again.
      status.setZookeeperBackup(mine);
      return step;
    }
    ClusterKeys.Key key;
    try {
      key = new ClusterKeys(client).read(cluster);
    } catch (IOException e) {
      return wait("the admin key cannot be read: " + e.getMessage(), step);
    }
    List<MesosNode> members = healthyMembers(nodes, zooKeeperLeader);
    if (key == null || members.isEmpty()) {
      return wait("no healthy ZooKeeper member to copy a snapshot from", step);
    }
    Instant now = clock.instant();
    String problem = null;
    for (MesosNode m : members) {
      ZooKeeperBackup.Target t =
          new ZooKeeperBackup.Target(
              m.getMetadata().getName(),
              m.getStatus().getPrivateAddress(),
              cluster.getSpec().getSsh().getPort(),
              SshSessions.Login.key(
                  cluster.getSpec().getSsh().getUser(), key.privateKey(), key.publicKey()),
              m.getStatus().getHostKey());
      try {
        ZooKeeperBackup.Result r = backup.backup(t, cluster.getMetadata().getName(), now);
        ZooKeeperBackupStatus done =
            new ZooKeeperBackupStatus(
                target,
                t.node(),
                r.path(),
                r.files(),
                now.truncatedTo(ChronoUnit.SECONDS).toString());
        status.setZookeeperBackup(done);
        taken.put(cluster.getMetadata().getUid(), done);
        events.normal(
            cluster,
            "ZooKeeperBackedUp",
            "ZooKeeper snapshot copied on "
                + t.node()
                + " to "
                + r.path()
                + " ("
                + r.files()
                + " files, "
                + r.bytes()
                + " bytes) before: "
                + step.message());
        return step;
      } catch (IOException e) {
        problem = t.node() + ": " + e.getMessage();
        LOG.warn("ZooKeeper backup on {} failed: {}", t.node(), e.getMessage());
      }
    }
    return wait(problem, step);
  }

  private static MasterScaling.Step wait(String why, MasterScaling.Step step) {
    return new MasterScaling.Refused(
        BACKUP_FAILED, "waiting for a ZooKeeper backup (" + why + ") before: " + step.message());
  }

  /** Configured, reachable, unfenced masters with an address and a pinned key; leader first. */
  private static List<MesosNode> healthyMembers(List<MesosNode> nodes, String leader) {
    List<MesosNode> out = new ArrayList<>();
    nodes.stream()
        .filter(n -> n.getSpec().getRoleType() == RoleType.MASTER)
        .filter(n -> n.getMetadata().getDeletionTimestamp() == null)
        .filter(n -> !Boolean.TRUE.equals(n.getSpec().getFenced()))
        .filter(n -> n.getStatus() != null && n.getStatus().getPrivateAddress() != null)
        .filter(n -> n.getStatus().getHostKey() != null)
        .filter(n -> Conditions.isTrue(n.getStatus().getConditions(), Conditions.CONFIGURED))
        .filter(n -> Conditions.isTrue(n.getStatus().getConditions(), Conditions.REACHABLE))
        // The leader holds every committed transaction; then by ZooKeeper id.
        .sorted(
            Comparator.comparing((MesosNode n) -> !n.getMetadata().getName().equals(leader))
                .thenComparing(n -> n.getSpec().getZkId()))
        .forEach(out::add);
    return out;
  }
}
