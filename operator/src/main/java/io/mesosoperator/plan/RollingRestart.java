package io.mesosoperator.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pure: which nodes may restart their services now. Masters go one at a time, followers first and
 * the leaders last, each only while the cluster is healthy and every other master is settled;
 * agents go after the masters, at most a batch of them unavailable at a time.
 *
 * <p>The answer is derived from what the nodes report (pending, granted, serving) and the cluster's
 * last health observation only, never from memory: an operator restarted mid-way continues where
 * the cluster is. The rules and their reasons are in {@code docs/rolling-restarts.md}.
 */
public final class RollingRestart {
  private RollingRestart() {}

  /**
   * One node as the planner sees it.
   *
   * @param name node name
   * @param master whether it is a master
   * @param zkId ZooKeeper id of a master (ties in the roll order), else 0
   * @param pending it waits for its restart turn: a change that restarts a running service is held
   *     on it, or a requested restart was not honoured yet
   * @param granted it has a restart grant it has not used yet (its restart is under way)
   * @param changing a master scaling step is being applied to it (master settings in its spec
   *     differ from those it last reported); such a restart is its own turn
   * @param serving machine running, node reachable and its services running
   * @param settled its Configured condition is True, or False only because it awaits its turn
   * @param deleting the node has a deletion timestamp
   */
  public record Node(
      String name,
      boolean master,
      int zkId,
      boolean pending,
      boolean granted,
      boolean changing,
      boolean serving,
      boolean settled,
      boolean deleting) {

    boolean inFlight() {
      return granted || changing;
    }
  }

  /**
   * The cluster's last health observation.
   *
   * @param observed health was observed from real signals; without, only the nodes gate
   * @param zooKeeperQuorum ZooKeeperQuorum is True
   * @param mesosLeaderElected MesosLeaderElected is True
   * @param zooKeeperLeader node name of the ZooKeeper leader, or null
   * @param mesosLeader node name of the elected Mesos master, or null
   */
  public record Health(
      boolean observed,
      boolean zooKeeperQuorum,
      boolean mesosLeaderElected,
      String zooKeeperLeader,
      String mesosLeader) {
    public static final Health UNOBSERVED = new Health(false, false, false, null, null);

    boolean healthy() {
      return zooKeeperQuorum && mesosLeaderElected;
    }
  }

  /**
   * Everything the planner looks at.
   *
   * @param nodes every node of the cluster
   * @param health the cluster's health
   * @param agentBatchSize how many agents may be unavailable at a time (at least 1)
   * @param ignoreHealth roll even while the cluster is unhealthy
   */
  public record Input(List<Node> nodes, Health health, int agentBatchSize, boolean ignoreHealth) {}

  /** What the planner decided. */
  public enum State {
    /** Nothing pending, nothing under way. */
    IDLE,
    /** Restarts granted now or under way. */
    ROLLING,
    /** Restarts pending, held until the cluster is healthy. */
    WAITING_FOR_HEALTH,
    /** Restarts pending, held until a node settles. */
    WAITING
  }

  /**
   * The answer.
   *
   * @param grant nodes that may restart now, in order
   * @param state the overall state
   * @param message one line for people
   */
  public record Decision(List<String> grant, State state, String message) {
    public Decision {
      grant = List.copyOf(grant);
    }
  }

  /** The nodes that may restart now. */
  public static Decision plan(Input in) {
    List<Node> masters = in.nodes().stream().filter(Node::master).toList();
    List<Node> agents = in.nodes().stream().filter(n -> !n.master()).toList();
    boolean healthGate = in.health().observed() && !in.ignoreHealth();

    Node busy = masters.stream().filter(Node::inFlight).findFirst().orElse(null);
    List<Node> pendingMasters =
        masters.stream().filter(n -> n.pending() && !n.inFlight() && !n.deleting()).toList();
    if (busy != null) {
      return new Decision(
          List.of(),
          State.ROLLING,
          "restarting master "
              + busy.name()
              + (pendingMasters.isEmpty() ? "" : "; waiting: " + names(pendingMasters)));
    }
    if (!pendingMasters.isEmpty()) {
      Node deleting = masters.stream().filter(Node::deleting).findFirst().orElse(null);
      if (deleting != null) {
        return new Decision(
            List.of(),
            State.WAITING,
            "waiting for master " + deleting.name() + " to be deleted before restarting masters");
      }
      if (healthGate && !in.health().healthy()) {
        return new Decision(
            List.of(),
            State.WAITING_FOR_HEALTH,
            "waiting for ZooKeeper quorum and an elected Mesos leader before restarting masters "
                + names(pendingMasters));
      }
      Node next = pendingMasters.stream().min(rollOrder(in.health())).orElseThrow(); // leaders last
      for (Node other : masters) {
        if (other != next && !(other.serving() && other.settled())) {
          return new Decision(
              List.of(),
              State.WAITING,
              "waiting for master "
                  + other.name()
                  + " to be configured and running before restarting master "
                  + next.name());
        }
      }
      return new Decision(
          List.of(next.name()),
          State.ROLLING,
          "restarting master "
              + next.name()
              + leaderNote(next, in.health())
              + (pendingMasters.size() > 1
                  ? "; then " + names(pendingMasters.stream().filter(n -> n != next).toList())
                  : ""));
    }

    List<Node> pendingAgents =
        agents.stream()
            .filter(n -> n.pending() && !n.inFlight() && !n.deleting())
            .sorted(Comparator.comparing(Node::name))
            .toList();
    List<Node> restarting = agents.stream().filter(Node::inFlight).toList();
    if (pendingAgents.isEmpty()) {
      return restarting.isEmpty()
          ? new Decision(List.of(), State.IDLE, "no restart pending")
          : new Decision(List.of(), State.ROLLING, "restarting agents " + names(restarting));
    }
    if (healthGate && !in.health().healthy()) {
      return new Decision(
          List.of(),
          State.WAITING_FOR_HEALTH,
          "waiting for ZooKeeper quorum and an elected Mesos leader before restarting agents "
              + names(pendingAgents));
    }
    // Like a DaemonSet's maxUnavailable: agents being restarted and agents already down count.
    // A pending agent that is down anyway goes first; restarting it costs nothing more.
    List<Node> unavailable =
        agents.stream().filter(n -> !n.deleting() && (n.inFlight() || !n.serving())).toList();
    int room = Math.max(1, in.agentBatchSize()) - unavailable.size();
    List<String> grant = new ArrayList<>();
    pendingAgents.stream().filter(n -> !n.serving()).forEach(n -> grant.add(n.name()));
    for (Node n : pendingAgents) {
      if (room <= 0) {
        break;
      }
      if (n.serving()) {
        grant.add(n.name());
        room--;
      }
    }
    if (grant.isEmpty()) {
      return new Decision(
          List.of(),
          State.WAITING,
          "waiting for agents "
              + names(unavailable)
              + " before restarting agents "
              + names(pendingAgents));
    }
    return new Decision(
        grant,
        State.ROLLING,
        "restarting agents "
            + grant
            + (pendingAgents.size() > grant.size()
                ? "; then "
                    + names(pendingAgents.stream().filter(n -> !grant.contains(n.name())).toList())
                : ""));
  }

  /**
   * Followers first; then the ZooKeeper leader; the elected Mesos master last (a node that leads
   * both goes last of all); among equals by ZooKeeper id, then name.
   */
  static Comparator<Node> rollOrder(Health health) {
    return Comparator.comparingInt((Node n) -> leadership(n, health))
        .thenComparingInt(Node::zkId)
        .thenComparing(Node::name);
  }

  private static int leadership(Node n, Health health) {
    int rank = 0;
    if (n.name().equals(health.zooKeeperLeader())) {
      rank += 1;
    }
    if (n.name().equals(health.mesosLeader())) {
      rank += 2;
    }
    return rank;
  }

  private static String leaderNote(Node n, Health health) {
    return switch (leadership(n, health)) {
      case 1 -> " (the ZooKeeper leader, last)";
      case 2 -> " (the Mesos leader, last)";
      case 3 -> " (the ZooKeeper and Mesos leader, last)";
      default -> "";
    };
  }

  private static String names(List<Node> nodes) {
    return nodes.stream().map(Node::name).toList().toString();
  }
}
