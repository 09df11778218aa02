package io.mesosoperator.plan;

import io.mesosoperator.api.Quorum;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure: the one next step that takes the masters from what was applied to them towards the desired
 * count, following the Mesos operational guide for the replicated log and changing the ZooKeeper
 * ensemble (static configuration) one member at a time, followers first and the leader last.
 *
 * <p>The step is derived from what exists only (the master nodes, the settings each was last
 * configured with, health), never from memory, so an operator restarted mid-way continues where the
 * cluster is. The rules, with the reasons, are in {@code docs/master-scaling.md}:
 *
 * <ul>
 *   <li>Mesos: never more running masters than the lowest quorum allows ({@code running <= 2 *
 *       quorum - 1}); the quorum is raised on the existing masters before a master is added and
 *       lowered only after removed masters are fenced; growing from one master wipes its log and
 *       needs {@code acknowledgeLogWipe}.
 *   <li>ZooKeeper: members are added one at a time (create the member with the new ensemble, then
 *       roll the others to it) and removed one at a time (roll the others to the ensemble without
 *       it, then fence it), so each restart keeps a majority of the old and the new ensemble.
 * </ul>
 */
public final class MasterScaling {
  private MasterScaling() {}

  /**
   * What a master runs (or must run) with.
   *
   * @param quorum Mesos {@code --quorum}
   * @param ensemble ZooKeeper ids it lists, sorted
   * @param fenced ZooKeeper, mesos-master and Marathon stopped and disabled for good
   * @param logEpoch replicated-log epoch (0: the package's work_dir)
   */
  public record Settings(int quorum, List<Integer> ensemble, boolean fenced, int logEpoch) {
    public Settings {
      ensemble = List.copyOf(new TreeSet<>(ensemble));
    }

    Settings withQuorum(int q) {
      return new Settings(q, ensemble, fenced, logEpoch);
    }

    Settings withEnsemble(Set<Integer> e) {
      return new Settings(quorum, List.copyOf(e), fenced, logEpoch);
    }

    Settings fence() {
      return new Settings(quorum, ensemble, true, logEpoch);
    }

    Settings nextLogEpoch() {
      return new Settings(quorum, ensemble, fenced, logEpoch + 1);
    }
  }

  /**
   * One existing master node.
   *
   * @param name node name
   * @param ordinal ordinal in the master role
   * @param zkId ZooKeeper id
   * @param deleting the node has a deletion timestamp
   * @param wanted settings in its spec, or null for a node from before master scaling (it then runs
   *     the renderer's defaults)
   * @param applied settings recorded in its status by the last successful configuration, or null
   * @param configured its Configured condition is True
   */
  public record Member(
      String name,
      int ordinal,
      int zkId,
      boolean deleting,
      Settings wanted,
      Settings applied,
      boolean configured) {

    boolean inFlight() {
      return wanted == null
          ? applied == null || !configured
          : !configured || !wanted.equals(applied);
    }

    /** What it runs with once settled: the applied settings. */
    Settings now() {
      return applied;
    }
  }

  /**
   * Health signals. Without an observer ({@code observed == false}) steps are gated only on the
   * masters being configured.
   *
   * @param observed health was observed from real signals in this reconcile
   * @param zooKeeperQuorum the ZooKeeperQuorum condition is True
   * @param mesosLeaderElected the MesosLeaderElected condition is True
   * @param zooKeeperLeader node name of the ZooKeeper leader, or null
   */
  public record Health(
      boolean observed,
      boolean zooKeeperQuorum,
      boolean mesosLeaderElected,
      String zooKeeperLeader) {
    public static final Health UNOBSERVED = new Health(false, false, false, null);

    boolean healthy() {
      return zooKeeperQuorum && mesosLeaderElected;
    }
  }

  /**
   * Everything the planner looks at.
   *
   * @param cluster cluster name
   * @param role name of the master role
   * @param desired desired number of masters (odd)
   * @param logWipeAcknowledged {@code acknowledgeLogWipe} of the master role
   * @param masters the master nodes that exist
   * @param health health signals
   * @param retired ZooKeeper ids of replaced masters: never kept for a replacement nor handed out
   *     again, so an empty member never rejoins under an id the others remember
   */
  public record Input(
      String cluster,
      String role,
      int desired,
      boolean logWipeAcknowledged,
      List<Member> masters,
      Health health,
      Set<Integer> retired) {
    public Input {
      retired = Set.copyOf(retired);
    }

    public Input(
        String cluster,
        String role,
        int desired,
        boolean logWipeAcknowledged,
        List<Member> masters,
        Health health) {
      this(cluster, role, desired, logWipeAcknowledged, masters, health, Set.of());
    }
  }

  /** Which way the masters are going. */
  public enum Direction {
    UP,
    DOWN,
    NONE
  }

  /** What a reconfiguration changes. */
  public enum Change {
    RAISE_QUORUM,
    LOWER_QUORUM,
    ENSEMBLE,
    FENCE
  }

  /** The planner's answer. */
  public sealed interface Step {
    /** The direction, for the MastersScaled condition. */
    Direction direction();

    /** One line for people. */
    String message();
  }

  /** The masters are as specified. */
  public record Done(String message) implements Step {
    @Override
    public Direction direction() {
      return Direction.NONE;
    }
  }

  /** A step was made and is being applied: wait until its node reports it configured. */
  public record Wait(Direction direction, String message) implements Step {}

  /** The next step needs health that is not there yet. */
  public record WaitForHealth(Step blocked, String message) implements Step {
    @Override
    public Direction direction() {
      return blocked.direction();
    }
  }

  /** Nothing is done, and why. */
  public record Refused(String reason, String message) implements Step {
    @Override
    public Direction direction() {
      return Direction.NONE;
    }
  }

  /**
   * Not disruptive: write the settings masters from before master scaling already run with into
   * their specs, so that no default shifts under them when the master list changes.
   */
  public record Pin(Map<String, Settings> settings, Direction direction, String message)
      implements Step {}

  /** Reconfigure one master (its services restart as the changed files require). */
  public record Reconfigure(
      String node, Settings settings, Change change, Direction direction, String message)
      implements Step {}

  /** Create one master node (the node reconciler creates its machine and configures it). */
  public record Create(
      String node, int ordinal, int zkId, Settings settings, Direction direction, String message)
      implements Step {}

  /** Delete a fenced master node (its machine goes with it). */
  public record Delete(String node, Direction direction, String message) implements Step {}

  /** A strict majority: 1→1, 3→2, 4→3, 5→3 (the one rule, {@link Quorum}). */
  public static int majority(int n) {
    return Quorum.majority(n);
  }

  /** The next step. */
  public static Step plan(Input in) {
    List<Member> masters =
        in.masters().stream().sorted(Comparator.comparingInt(Member::ordinal)).toList();
    int desired = in.desired();
    for (Member m : masters) {
      if (m.deleting()) {
        return new Wait(
            Direction.DOWN, "waiting for master " + m.name() + " and its machine to be deleted");
      }
    }
    if (atTarget(masters, desired)) {
      return new Done(desired + " masters, quorum " + majority(desired));
    }
    Direction direction =
        masters.stream().filter(m -> m.ordinal() >= desired).findAny().isPresent()
            ? Direction.DOWN
            : Direction.UP;
    for (Member m : masters) {
      if (m.wanted() == null && (m.applied() == null || !m.configured())) {
        return new Wait(
            direction, "waiting for master " + m.name() + " to report its configuration");
      }
    }
    Map<String, Settings> legacy = new java.util.TreeMap<>();
    masters.stream()
        .filter(m -> m.wanted() == null)
        .forEach(m -> legacy.put(m.name(), m.applied()));
    if (!legacy.isEmpty()) {
      return new Pin(
          legacy, direction, "recording the settings masters " + legacy.keySet() + " run with");
    }
    for (Member m : masters) {
      if (m.inFlight()) {
        return new Wait(
            direction,
            "waiting for master " + m.name() + " to be configured with " + describe(m.wanted()));
      }
    }
    for (Member m : masters) {
      // A leader fenced first (see next) waits for the others to leave it out before it goes.
      if (m.now().fenced() && !listedByOthers(masters, m)) {
        return new Delete(
            m.name(),
            Direction.DOWN,
            "master " + m.name() + " is fenced: deleting the node and its machine");
      }
    }
    Step step = next(in, masters, direction);
    if (step instanceof Reconfigure || step instanceof Create) {
      String broken = violation(masters, step);
      if (broken != null) {
        return new Refused("UnsafeStep", "refusing " + step.message() + ": " + broken);
      }
      if (in.health().observed() && healthGated(masters) && !in.health().healthy()) {
        return new WaitForHealth(
            step,
            "waiting for ZooKeeper quorum and an elected Mesos leader before: " + step.message());
      }
    }
    return step;
  }

  /** The spec (not necessarily applied yet) says exactly the target: nothing to plan. */
  private static boolean atTarget(List<Member> masters, int desired) {
    if (masters.size() != desired) {
      return false;
    }
    Set<Integer> ids = new TreeSet<>();
    for (int i = 0; i < masters.size(); i++) {
      if (masters.get(i).ordinal() != i) {
        return false;
      }
      ids.add(masters.get(i).zkId());
    }
    Settings target = new Settings(majority(desired), List.copyOf(ids), false, 0);
    for (Member m : masters) {
      Settings w = m.wanted();
      if (w == null) {
        continue; // a node from before master scaling runs the defaults, which are the target
      }
      if (w.quorum() != target.quorum() || !w.ensemble().equals(target.ensemble()) || w.fenced()) {
        return false;
      }
      if (m.applied() != null && !w.equals(m.applied())) {
        return false; // the last step is still being applied
      }
    }
    return true;
  }

  private static Step next(Input in, List<Member> running, Direction direction) {
    int desired = in.desired();
    String leader = in.health().zooKeeperLeader();
    Set<Integer> ids = new TreeSet<>();
    running.forEach(m -> ids.add(m.zkId()));
    List<Member> remove = running.stream().filter(m -> m.ordinal() >= desired).toList();

    if (!remove.isEmpty()) {
      int size = running.size();
      // Keep Mesos able to reach its quorum on the way down (7→5→3): at an odd size the
      // majority of it is safe.
      Member high = firstInRollOrder(running, m -> m.now().quorum() > majority(size), leader);
      if (size % 2 == 1 && high != null) {
        return lower(high, majority(size), direction);
      }
      // Highest ordinal first; one already fenced (a leader, below) is finished first.
      Member r =
          remove.stream()
              .filter(m -> m.now().fenced())
              .findFirst()
              .orElse(remove.get(remove.size() - 1));
      Set<Integer> without = new TreeSet<>(ids);
      without.remove(r.zkId());
      List<Member> others = running.stream().filter(m -> m != r).toList();
      // A static ZooKeeper member whose list leaves out the leader never follows it: rolling the
      // others while the leaving member leads takes followers from it one by one, and once it
      // loses its majority the two views (with and without it) can deadlock the election. So a
      // leaving leader is fenced first, where the others then still tolerate one restart.
      int members = r.now().ensemble().size();
      if (r.name().equals(leader) && !r.now().fenced() && others.size() - 1 >= majority(members)) {
        return fence(r, "first: it leads ZooKeeper");
      }
      Member x =
          firstInRollOrder(others, m -> !m.now().ensemble().equals(List.copyOf(without)), leader);
      if (x != null) {
        return roll(x, without, direction, "to leave out master " + r.name());
      }
      if (r.now().fenced()) {
        return new Delete(
            r.name(),
            Direction.DOWN,
            "master " + r.name() + " is fenced: deleting the node and its machine");
      }
      return fence(r, "");
    }

    // Growing, replacing, or converging settings: first finish any ensemble change.
    Set<Integer> union = new TreeSet<>();
    running.forEach(m -> union.addAll(m.now().ensemble()));
    List<Integer> missing = new ArrayList<>();
    Set<Integer> ordinals = new TreeSet<>();
    running.forEach(m -> ordinals.add(m.ordinal()));
    for (int o = 0; o < desired; o++) {
      if (!ordinals.contains(o)) {
        missing.add(o);
      }
    }
    // Ids still listed by the members but without a node: a master deleted by hand. Kept for a
    // replacement (its empty ZooKeeper member rejoins under the same id), dropped otherwise.
    // A retired id (a replaced master's) is dropped instead: the replacement gets a new one.
    List<Integer> ghosts =
        union.stream()
            .filter(id -> !ids.contains(id))
            .filter(id -> !in.retired().contains(id))
            .sorted()
            .toList();
    List<Integer> kept = ghosts.subList(0, Math.min(ghosts.size(), missing.size()));
    Set<Integer> target = new TreeSet<>(ids);
    target.addAll(kept);
    Member x =
        firstInRollOrder(running, m -> !m.now().ensemble().equals(List.copyOf(target)), leader);
    if (x != null) {
      return roll(x, target, direction, "to the ensemble " + target);
    }

    if (!missing.isEmpty()) {
      int size = running.size();
      int stage = Math.min(desired, size % 2 == 1 ? size + 2 : size + 1);
      int quorum = majority(stage);
      Member low = firstInRollOrder(running, m -> m.now().quorum() < quorum, leader);
      if (low != null) {
        return raise(in, low, quorum, running.size());
      }
      int ordinal = missing.get(0);
      Set<Integer> listed = new TreeSet<>(union);
      listed.addAll(in.retired());
      int zkId = kept.isEmpty() ? lowestFree(listed, ids) : kept.get(0);
      Set<Integer> ensemble = new TreeSet<>(target);
      ensemble.add(zkId);
      int maxQuorum = running.stream().mapToInt(m -> m.now().quorum()).max().orElse(quorum);
      String name = ClusterTopology.nodeName(in.cluster(), in.role(), ordinal);
      return new Create(
          name,
          ordinal,
          zkId,
          new Settings(Math.max(quorum, maxQuorum), List.copyOf(ensemble), false, 0),
          Direction.UP,
          "add master "
              + name
              + " (ZooKeeper id "
              + zkId
              + ") with quorum "
              + Math.max(quorum, maxQuorum)
              + " and ensemble "
              + ensemble);
    }

    int quorum = majority(desired);
    Member off = firstInRollOrder(running, m -> m.now().quorum() != quorum, leader);
    if (off != null) {
      return off.now().quorum() > quorum
          ? lower(off, quorum, Direction.DOWN)
          : raise(in, off, quorum, running.size());
    }
    return new Done(desired + " masters, quorum " + quorum);
  }

  private static Step fence(Member r, String why) {
    return new Reconfigure(
        r.name(),
        r.now().fence(),
        Change.FENCE,
        Direction.DOWN,
        "fence master "
            + r.name()
            + (why.isEmpty() ? "" : " " + why)
            + " (ZooKeeper id "
            + r.zkId()
            + "): stop ZooKeeper, mesos-master and Marathon for good");
  }

  /** Another master that is not fenced still lists this one's ZooKeeper id. */
  private static boolean listedByOthers(List<Member> masters, Member m) {
    return masters.stream()
        .anyMatch(o -> o != m && !o.now().fenced() && o.now().ensemble().contains(m.zkId()));
  }

  private static Step raise(Input in, Member m, int quorum, int running) {
    Settings s = m.now().withQuorum(quorum);
    String wipe = "";
    if (m.now().quorum() == 1) {
      // A log written with quorum 1 has one voting replica: new, empty replicas can never
      // catch up with a quorum above 1. Start over with an empty log.
      if (!in.logWipeAcknowledged()) {
        return new Refused(
            "LogWipeNotAcknowledged",
            "growing from "
                + running
                + " master needs the Mesos replicated log wiped (the registry of agents,"
                + " maintenance, quota and weights is lost); set acknowledgeLogWipe: true on the"
                + " master role to allow it");
      }
      s = s.nextLogEpoch();
      wipe = ", with an empty replicated log (epoch " + s.logEpoch() + ")";
    }
    return new Reconfigure(
        m.name(),
        s,
        Change.RAISE_QUORUM,
        Direction.UP,
        "raise the quorum of master " + m.name() + " to " + quorum + wipe);
  }

  private static Step lower(Member m, int quorum, Direction direction) {
    return new Reconfigure(
        m.name(),
        m.now().withQuorum(quorum),
        Change.LOWER_QUORUM,
        Direction.DOWN,
        "lower the quorum of master " + m.name() + " to " + quorum);
  }

  private static Step roll(Member m, Set<Integer> ensemble, Direction direction, String why) {
    return new Reconfigure(
        m.name(),
        m.now().withEnsemble(ensemble),
        Change.ENSEMBLE,
        direction,
        "restart master " + m.name() + " with ensemble " + ensemble + " (" + why + ")");
  }

  /** Followers first, the ZooKeeper leader last; among equals, by ZooKeeper id. */
  private static Member firstInRollOrder(
      List<Member> members, java.util.function.Predicate<Member> needs, String leader) {
    return members.stream()
        .filter(needs)
        .min(
            Comparator.comparing((Member m) -> m.name().equals(leader))
                .thenComparingInt(Member::zkId))
        .orElse(null);
  }

  private static int lowestFree(Set<Integer> listed, Set<Integer> used) {
    for (int id = 1; id <= ClusterTopology.MAX_ZK_ID; id++) {
      if (!listed.contains(id) && !used.contains(id)) {
        return id;
      }
    }
    throw new IllegalStateException("no free ZooKeeper id in 1.." + ClusterTopology.MAX_ZK_ID);
  }

  /**
   * Whether the next step waits for health: only where the cluster can be healthy, at least three
   * masters running and every quorum reachable. Smaller clusters (the way from and to one master)
   * pass through states without a ZooKeeper or Mesos majority by nature; there the steps are gated
   * on the masters being configured.
   */
  static boolean healthGated(List<Member> running) {
    int maxQuorum = running.stream().mapToInt(m -> m.now().quorum()).max().orElse(1);
    return running.size() >= 3 && maxQuorum <= running.size();
  }

  /**
   * The safety rules a step must keep, checked on the state after it: running masters at most
   * {@code 2 * quorum - 1} for the lowest quorum among them; a reconfigured ensemble differs from
   * the one before by at most one member; a new member's ensemble extends the others' by itself.
   * Returns what would break, or null.
   */
  public static String violation(List<Member> before, Step step) {
    List<Settings> after = new ArrayList<>();
    for (Member m : before) {
      Settings now = m.now();
      if (step instanceof Reconfigure r && r.node().equals(m.name())) {
        Set<Integer> diff = new TreeSet<>(now.ensemble());
        diff.addAll(r.settings().ensemble());
        Set<Integer> both = new TreeSet<>(now.ensemble());
        both.retainAll(r.settings().ensemble());
        diff.removeAll(both);
        if (diff.size() > 1) {
          return "master "
              + m.name()
              + " would change "
              + diff.size()
              + " ensemble members at once";
        }
        now = r.settings();
      }
      if (!now.fenced()) {
        after.add(now);
      }
    }
    if (step instanceof Create c) {
      after.add(c.settings());
    }
    if (after.isEmpty()) {
      return null;
    }
    int minQuorum = after.stream().mapToInt(Settings::quorum).min().orElseThrow();
    if (after.size() > 2 * minQuorum - 1) {
      return after.size() + " masters would run with a quorum of " + minQuorum;
    }
    return null;
  }

  private static String describe(Settings s) {
    return s == null
        ? "its defaults"
        : "quorum "
            + s.quorum()
            + ", ensemble "
            + s.ensemble()
            + (s.fenced() ? ", fenced" : "")
            + (s.logEpoch() > 0 ? ", log epoch " + s.logEpoch() : "");
  }

  /** Equality helper for callers that compare optional settings. */
  public static boolean same(Settings a, Settings b) {
    return Objects.equals(a, b);
  }
}
