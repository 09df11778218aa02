package io.mesosoperator.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Pure: which broken nodes to replace now, which replacements have finished, and what blocks the
 * rest. The rules, with the reasons, are in {@code docs/remediation.md}:
 *
 * <ul>
 *   <li>A node is broken when its machine vanished from the cloud (at once) or its {@code
 *       Reachable} condition has been False for at least {@code unreachableAfter}.
 *   <li>Never more than {@code maxConcurrent} replacements under way over the whole cluster.
 *   <li>Masters one at a time, only while no master node is being deleted, and only when the other
 *       reachable masters still make a ZooKeeper majority of the ensemble and the Mesos quorum.
 *   <li>A replacement is finished when the node runs on a new machine (a master: under a new
 *       ZooKeeper id, with master scaling done) and is Ready, or when the node is gone for good.
 *   <li>An agent whose replacement machine vanished as well gets a new replacement for that one.
 * </ul>
 */
public final class Remediation {

  public static final String UNREACHABLE = "Unreachable";
  public static final String MACHINE_VANISHED = "MachineVanished";

  /** Blocked reasons (condition reasons). */
  public static final String CONCURRENCY_LIMIT = "ConcurrencyLimitReached";

  public static final String QUORUM_WOULD_BE_LOST = "QuorumWouldBeLost";
  public static final String MASTER_CHANGE_IN_PROGRESS = "MasterChangeInProgress";

  private Remediation() {}

  /**
   * A node as observed now.
   *
   * @param name node name
   * @param master whether it is a master
   * @param machineId the machine its status records, or null
   * @param zkId ZooKeeper id of a master, else null
   * @param deleting the node has a deletion timestamp
   * @param fenced a master fenced by master scaling (on its way out anyway)
   * @param machineVanished its machine is gone from the cloud and waits to be replaced
   * @param unreachableSince when its Reachable condition turned False, or null when it is not False
   * @param reachable its Reachable condition is True
   * @param ready its Ready condition is True
   */
  public record Node(
      String name,
      boolean master,
      String machineId,
      Integer zkId,
      boolean deleting,
      boolean fenced,
      boolean machineVanished,
      Instant unreachableSince,
      boolean reachable,
      boolean ready) {}

  /**
   * A replacement recorded when it started.
   *
   * @param node node name
   * @param master whether it is a master
   * @param reason {@link #UNREACHABLE} or {@link #MACHINE_VANISHED}
   * @param machineId the machine being replaced
   * @param zkId the ZooKeeper id of a master being replaced, else null
   * @param started when
   */
  public record InProgress(
      String node,
      boolean master,
      String reason,
      String machineId,
      Integer zkId,
      Instant started) {}

  /**
   * The masters' quorum.
   *
   * @param ensembleSize ZooKeeper members the masters are configured with (the largest ensemble)
   * @param mesosQuorum the largest Mesos quorum among them
   * @param zooKeeperQuorum the observed ZooKeeperQuorum condition, or null when not observed
   * @param scalingDone master scaling reports the masters as specified
   * @param managed master scaling runs (false while a new cluster's masters are created or master
   *     changes are refused): a master may only be replaced through it
   */
  public record Masters(
      int ensembleSize,
      int mesosQuorum,
      Boolean zooKeeperQuorum,
      boolean scalingDone,
      boolean managed) {}

  /**
   * Everything the decision looks at.
   *
   * @param now the time
   * @param unreachableAfter how long Reachable may be False
   * @param maxConcurrent most replacements at once
   * @param nodes every node of the cluster
   * @param inProgress replacements recorded as under way
   * @param masters the masters' quorum
   */
  public record Input(
      Instant now,
      Duration unreachableAfter,
      int maxConcurrent,
      List<Node> nodes,
      List<InProgress> inProgress,
      Masters masters) {}

  /** Replace this node now. */
  public record Start(InProgress record, String message) {}

  /** A broken node that waits, and why. */
  public record Blocked(String node, String reason, String message) {}

  /**
   * The decision.
   *
   * @param finished replacements that are complete
   * @param continuing replacements still under way
   * @param start replacements to start now
   * @param blocked broken nodes that wait
   */
  public record Decision(
      List<InProgress> finished,
      List<InProgress> continuing,
      List<Start> start,
      List<Blocked> blocked) {

    /** Every replacement under way after this decision. */
    public List<InProgress> underWay() {
      List<InProgress> all = new ArrayList<>(continuing);
      start.forEach(s -> all.add(s.record()));
      return all;
    }

    /** Whether anything is being replaced. */
    public boolean remediating() {
      return !continuing.isEmpty() || !start.isEmpty();
    }

    /** The condition reason: the first blocked reason, else Replacing or Idle. */
    public String reason() {
      if (!blocked.isEmpty()) {
        return blocked.get(0).reason();
      }
      return remediating() ? "Replacing" : "Idle";
    }

    /** One line for people. */
    public String message() {
      List<String> parts = new ArrayList<>();
      List<String> names = underWay().stream().map(InProgress::node).toList();
      if (!names.isEmpty()) {
        parts.add("replacing " + String.join(", ", names));
      }
      blocked.forEach(b -> parts.add(b.message()));
      return parts.isEmpty() ? "no node needs replacing" : String.join("; ", parts);
    }
  }

  /** The decision for now. */
  public static Decision decide(Input in) {
    List<InProgress> finished = new ArrayList<>();
    List<InProgress> continuing = new ArrayList<>();
    for (InProgress p : in.inProgress()) {
      if (done(p, in)) {
        finished.add(p);
      } else if (!superseded(p, in)) {
        continuing.add(p);
      }
    }
    List<Start> start = new ArrayList<>();
    List<Blocked> blocked = new ArrayList<>();
    int slots = in.maxConcurrent() - continuing.size();
    boolean masterBusy =
        !in.masters().managed()
            || continuing.stream().anyMatch(InProgress::master)
            || in.nodes().stream().anyMatch(n -> n.master() && n.deleting());
    List<Node> broken =
        in.nodes().stream()
            .filter(n -> !n.deleting() && !n.fenced())
            .filter(n -> continuing.stream().noneMatch(p -> p.node().equals(n.name())))
            .filter(n -> broken(n, in))
            .sorted(Comparator.comparing(Node::name))
            .toList();
    for (Node n : broken) {
      String why = n.machineVanished() ? "its machine vanished" : unreachableFor(n, in);
      if (n.master()) {
        if (masterBusy) {
          blocked.add(
              new Blocked(
                  n.name(),
                  MASTER_CHANGE_IN_PROGRESS,
                  "master "
                      + n.name()
                      + " waits: another master is being replaced or deleted (one at a time)"));
          continue;
        }
        String quorum = quorumProblem(n, broken, in);
        if (quorum != null) {
          blocked.add(new Blocked(n.name(), QUORUM_WOULD_BE_LOST, quorum));
          continue;
        }
      }
      if (slots <= 0) {
        blocked.add(
            new Blocked(
                n.name(),
                CONCURRENCY_LIMIT,
                n.name()
                    + " waits: "
                    + (continuing.size() + start.size())
                    + " of maxConcurrent "
                    + in.maxConcurrent()
                    + " replacements under way"));
        continue;
      }
      slots--;
      if (n.master()) {
        masterBusy = true;
      }
      InProgress record =
          new InProgress(
              n.name(),
              n.master(),
              n.machineVanished() ? MACHINE_VANISHED : UNREACHABLE,
              n.machineId(),
              n.master() ? n.zkId() : null,
              in.now());
      start.add(
          new Start(
              record,
              (n.master() ? "master " : "node ")
                  + n.name()
                  + ": "
                  + why
                  + (n.master()
                      ? "; replacing it with a new master under a new ZooKeeper id"
                      : "; replacing its machine " + n.machineId())));
    }
    return new Decision(finished, continuing, start, blocked);
  }

  private static boolean broken(Node n, Input in) {
    if (n.machineVanished()) {
      return true;
    }
    return n.unreachableSince() != null
        && !in.now().isBefore(n.unreachableSince().plus(in.unreachableAfter()));
  }

  private static String unreachableFor(Node n, Input in) {
    Duration d = Duration.between(n.unreachableSince(), in.now());
    return "unreachable since "
        + n.unreachableSince()
        + " ("
        + d.toMinutes()
        + "m, longer than "
        + in.unreachableAfter().toMinutes()
        + "m)";
  }

  /** Whether the masters other than {@code n} that work still make both quorums. */
  private static String quorumProblem(Node n, List<Node> broken, Input in) {
    long others =
        in.nodes().stream()
            .filter(o -> o.master() && !o.name().equals(n.name()))
            .filter(o -> !o.deleting() && !o.fenced() && o.reachable() && !o.machineVanished())
            .filter(o -> broken.stream().noneMatch(b -> b.name().equals(o.name())))
            .count();
    int zk = MasterScaling.majority(Math.max(1, in.masters().ensembleSize()));
    int need = Math.max(zk, in.masters().mesosQuorum());
    if (others < need) {
      return "master "
          + n.name()
          + " is not replaced: "
          + others
          + " other masters are reachable, "
          + need
          + " needed (ZooKeeper majority of "
          + in.masters().ensembleSize()
          + ", Mesos quorum "
          + in.masters().mesosQuorum()
          + ")";
    }
    if (Boolean.FALSE.equals(in.masters().zooKeeperQuorum())) {
      return "master " + n.name() + " is not replaced: ZooKeeper has no quorum now";
    }
    return null;
  }

  /**
   * An agent's replacement whose new machine vanished too (its create was cut off, say): the grant
   * names a machine that is gone already, so it is dropped and the node, broken again, gets a new
   * replacement for the machine it records now. Kept, it would wait forever for a Ready node.
   */
  private static boolean superseded(InProgress p, Input in) {
    if (p.master()) {
      return false;
    }
    return in.nodes().stream()
        .anyMatch(
            n ->
                n.name().equals(p.node())
                    && !n.deleting()
                    && n.machineVanished()
                    && n.machineId() != null
                    && !n.machineId().equals(p.machineId()));
  }

  private static boolean done(InProgress p, Input in) {
    Node now = in.nodes().stream().filter(n -> n.name().equals(p.node())).findFirst().orElse(null);
    if (p.master()) {
      if (!in.masters().scalingDone()) {
        return false;
      }
      // Gone for good (the master count went down meanwhile), or back under a new id.
      return now == null
          || (!now.deleting() && !Objects.equals(now.zkId(), p.zkId()) && now.ready());
    }
    if (now == null) {
      return true; // removed by a scale-down: nothing left to replace
    }
    return !now.deleting()
        && now.machineId() != null
        && !now.machineId().equals(p.machineId())
        && now.ready();
  }
}
