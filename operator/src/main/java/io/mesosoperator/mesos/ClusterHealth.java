package io.mesosoperator.mesos;

import io.mesosoperator.node.ConditionState;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Pure: from what each master said to the cluster's health conditions and its leaders. No I/O; the
 * probes are gathered elsewhere ({@link ZooKeeperProbe}, {@link MesosHealth#probe}, {@link
 * MarathonLeader#probe}).
 */
public final class ClusterHealth {
  private ClusterHealth() {}

  /**
   * What one master said. Every ensemble member must be listed, unreachable ones too: the quorum is
   * a majority of all members.
   *
   * @param node node name
   * @param zooKeeper its ZooKeeper member's mode
   * @param mesos its Mesos master's answers
   * @param marathon its Marathon instance's answer
   */
  public record MasterProbe(
      String node, ZkMode zooKeeper, MesosHealth mesos, MarathonLeader marathon) {}

  /**
   * The verdict.
   *
   * @param zooKeeperQuorum exactly one leader and a majority of members serving
   * @param mesosLeaderElected the masters agree on one elected, recovered leader
   * @param agentsRegistered the leader counts at least the desired number of active agents
   * @param marathonReady the Marathon instances agree on one leader
   * @param zooKeeperLeader node name of the ZooKeeper leader, or null
   * @param mesosLeader the Mesos leader as Mesos names it ({@code host:port}), or null
   * @param marathonLeader the Marathon leader as Marathon names it ({@code host:port}), or null
   * @param agentsActive active agents as the leader counts them, or null
   */
  public record Result(
      ConditionState zooKeeperQuorum,
      ConditionState mesosLeaderElected,
      ConditionState agentsRegistered,
      ConditionState marathonReady,
      String zooKeeperLeader,
      String mesosLeader,
      String marathonLeader,
      Integer agentsActive) {}

  public static Result evaluate(List<MasterProbe> masters, int desiredAgents) {
    ZooKeeperVerdict zk = zooKeeper(masters);
    MesosVerdict mesos = mesos(masters);
    ConditionState agents = agents(mesos, desiredAgents);
    MarathonVerdict marathon = marathon(masters);
    return new Result(
        zk.condition,
        mesos.condition,
        agents,
        marathon.condition,
        zk.leader,
        mesos.leader,
        marathon.leader,
        mesos.active);
  }

  private record ZooKeeperVerdict(ConditionState condition, String leader) {}

  private static ZooKeeperVerdict zooKeeper(List<MasterProbe> masters) {
    int members = masters.size();
    if (members == 0) {
      return new ZooKeeperVerdict(
          ConditionState.unknown("NoMasters", "no ZooKeeper member to ask"), null);
    }
    Set<String> leaders = new TreeSet<>();
    int serving = 0;
    int answered = 0;
    int refused = 0;
    int standaloneInEnsemble = 0;
    for (MasterProbe m : masters) {
      ZkMode z = m.zooKeeper();
      ZkMode.State s = z == null ? ZkMode.State.UNREACHABLE : z.state();
      if (s != ZkMode.State.UNREACHABLE) {
        answered++;
      }
      if (s == ZkMode.State.NOT_ALLOWED) {
        refused++;
      }
      if (s == ZkMode.State.LEADER || (s == ZkMode.State.STANDALONE && members == 1)) {
        leaders.add(m.node());
      }
      if (s == ZkMode.State.STANDALONE && members > 1) {
        standaloneInEnsemble++;
      } else if (z != null && z.serving()) {
        serving++;
      }
    }
    String counts = serving + " of " + members + " members serving";
    if (answered == 0) {
      return new ZooKeeperVerdict(
          ConditionState.unknown("ZooKeeperUnreachable", "no ZooKeeper member answered"), null);
    }
    if (refused == answered) {
      return new ZooKeeperVerdict(
          ConditionState.unknown(
              "FourLetterWordsDisabled",
              "ZooKeeper refuses srvr: add it to 4lw.commands.whitelist"),
          null);
    }
    if (standaloneInEnsemble > 0) {
      return new ZooKeeperVerdict(
          ConditionState.isFalse(
              "StandaloneMember",
              standaloneInEnsemble + " member(s) run standalone in an ensemble of " + members),
          null);
    }
    if (leaders.size() > 1) {
      return new ZooKeeperVerdict(
          ConditionState.isFalse(
              "MultipleLeaders", "members " + leaders + " all claim to lead; " + counts),
          null);
    }
    if (leaders.isEmpty()) {
      return new ZooKeeperVerdict(ConditionState.isFalse("NoLeader", "no leader; " + counts), null);
    }
    String leader = leaders.iterator().next();
    if (serving * 2 <= members) {
      return new ZooKeeperVerdict(
          ConditionState.isFalse("QuorumLost", "only " + counts + "; leader " + leader), null);
    }
    return new ZooKeeperVerdict(
        ConditionState.isTrue("QuorumFormed", "leader " + leader + "; " + counts), leader);
  }

  private record MesosVerdict(ConditionState condition, String leader, Integer active) {}

  private static MesosVerdict mesos(List<MasterProbe> masters) {
    Set<String> named = new TreeSet<>();
    List<MasterProbe> answered =
        masters.stream().filter(m -> m.mesos() != null && m.mesos().reachable()).toList();
    if (answered.isEmpty()) {
      return new MesosVerdict(
          ConditionState.unknown("MesosUnreachable", "no Mesos master answered"), null, null);
    }
    answered.stream().map(m -> m.mesos().leader()).filter(Objects::nonNull).forEach(named::add);
    List<MasterProbe> elected =
        answered.stream().filter(m -> Boolean.TRUE.equals(m.mesos().elected())).toList();
    if (elected.size() > 1) {
      return new MesosVerdict(
          ConditionState.isFalse(
              "MultipleLeaders",
              "masters "
                  + elected.stream().map(MasterProbe::node).toList()
                  + " all report"
                  + " master/elected"),
          null,
          null);
    }
    if (named.size() > 1) {
      return new MesosVerdict(
          ConditionState.isFalse("LeaderDisagreement", "masters name different leaders " + named),
          null,
          null);
    }
    if (named.isEmpty()) {
      return new MesosVerdict(
          ConditionState.isFalse(
              "NoLeader", "no Mesos master is elected (" + answered.size() + " answered)"),
          null,
          null);
    }
    String leader = named.iterator().next();
    if (elected.isEmpty()) {
      // The others name a leader that did not answer itself: elected, health unconfirmed.
      return new MesosVerdict(
          ConditionState.isTrue(
              "LeaderElected", "leader " + leader + " (named by the others; it did not answer)"),
          leader,
          null);
    }
    MesosHealth h = elected.get(0).mesos();
    if (!Boolean.TRUE.equals(h.recovered())) {
      return new MesosVerdict(
          ConditionState.isFalse(
              "RegistrarNotRecovered",
              "leader " + leader + " has not recovered its replicated log yet"),
          leader,
          h.slavesActive());
    }
    return new MesosVerdict(
        ConditionState.isTrue("LeaderElected", "leader " + leader + ", registrar recovered"),
        leader,
        h.slavesActive());
  }

  private static ConditionState agents(MesosVerdict mesos, int desired) {
    if (mesos.active == null) {
      return ConditionState.unknown(
          "NoLeaderCount", "no elected Mesos master reported its active agents");
    }
    String counts = mesos.active + " of " + desired + " agents active";
    return mesos.active >= desired
        ? ConditionState.isTrue("AgentsActive", counts)
        : ConditionState.isFalse("AgentsMissing", counts);
  }

  private record MarathonVerdict(ConditionState condition, String leader) {}

  private static MarathonVerdict marathon(List<MasterProbe> masters) {
    List<MarathonLeader> answered =
        masters.stream()
            .map(MasterProbe::marathon)
            .filter(m -> m != null && m.reachable())
            .toList();
    if (answered.isEmpty()) {
      return new MarathonVerdict(
          ConditionState.unknown("MarathonUnreachable", "no Marathon instance answered"), null);
    }
    Set<String> named = new TreeSet<>();
    answered.stream().map(MarathonLeader::leader).filter(Objects::nonNull).forEach(named::add);
    if (named.size() > 1) {
      return new MarathonVerdict(
          ConditionState.isFalse("LeaderDisagreement", "instances name different leaders " + named),
          null);
    }
    if (named.isEmpty()) {
      return new MarathonVerdict(
          ConditionState.isFalse("NoLeader", "no Marathon instance leads"), null);
    }
    String leader = named.iterator().next();
    return new MarathonVerdict(
        ConditionState.isTrue(
            "LeaderElected",
            "leader " + leader + " (" + answered.size() + " of " + masters.size() + " answered)"),
        leader);
  }
}
