package io.mesosoperator.mesos;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.mesos.ClusterHealth.MasterProbe;
import io.mesosoperator.mesos.ClusterHealth.Result;
import io.mesosoperator.mesos.ZkMode.State;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterHealthTest {
  static final String L = "10.0.0.1:5050";
  static final MarathonLeader ML = new MarathonLeader("10.0.0.1:8080", null);

  static ZkMode zk(State s) {
    return new ZkMode(s, "0x100000002", "3.8.0", null);
  }

  static MasterProbe m(String node, State zk, MesosHealth mesos, MarathonLeader marathon) {
    return new MasterProbe(node, zk(zk), mesos, marathon);
  }

  static MesosHealth leader(int agents) {
    return new MesosHealth(L, true, true, agents, null);
  }

  static MesosHealth follower() {
    return new MesosHealth(L, false, true, 0, null);
  }

  static List<MasterProbe> healthy() {
    return List.of(
        m("master-1", State.FOLLOWER, leader(3), ML),
        m("master-2", State.LEADER, follower(), ML),
        m("master-3", State.FOLLOWER, follower(), ML));
  }

  @Test
  void healthyCluster() {
    Result r = ClusterHealth.evaluate(healthy(), 3);
    assertThat(r.zooKeeperQuorum().isTrue()).isTrue();
    assertThat(r.zooKeeperQuorum().message()).contains("3 of 3");
    assertThat(r.mesosLeaderElected().isTrue()).isTrue();
    assertThat(r.agentsRegistered().isTrue()).isTrue();
    assertThat(r.marathonReady().isTrue()).isTrue();
    assertThat(r.zooKeeperLeader()).isEqualTo("master-2");
    assertThat(r.mesosLeader()).isEqualTo(L);
    assertThat(r.marathonLeader()).isEqualTo("10.0.0.1:8080");
    assertThat(r.agentsActive()).isEqualTo(3);
  }

  @Test
  void zooKeeperNoLeader() {
    Result r =
        ClusterHealth.evaluate(
            List.of(
                m("a", State.NOT_SERVING, follower(), ML),
                m("b", State.NOT_SERVING, follower(), ML),
                m("c", State.UNREACHABLE, follower(), ML)),
            0);
    assertThat(r.zooKeeperQuorum().status()).isEqualTo("False");
    assertThat(r.zooKeeperQuorum().reason()).isEqualTo("NoLeader");
    assertThat(r.zooKeeperLeader()).isNull();
  }

  @Test
  void zooKeeperTwoLeaders() {
    Result r =
        ClusterHealth.evaluate(
            List.of(
                m("a", State.LEADER, leader(1), ML),
                m("b", State.LEADER, follower(), ML),
                m("c", State.FOLLOWER, follower(), ML)),
            1);
    assertThat(r.zooKeeperQuorum().reason()).isEqualTo("MultipleLeaders");
    assertThat(r.zooKeeperQuorum().message()).contains("a").contains("b");
    assertThat(r.zooKeeperLeader()).isNull();
  }

  @Test
  void zooKeeperMinorityServing() {
    Result r =
        ClusterHealth.evaluate(
            List.of(
                m("a", State.LEADER, leader(1), ML),
                m("b", State.FOLLOWER, follower(), ML),
                m("c", State.UNREACHABLE, null, null),
                m("d", State.NOT_SERVING, null, null),
                m("e", State.UNREACHABLE, null, null)),
            1);
    assertThat(r.zooKeeperQuorum().reason()).isEqualTo("QuorumLost");
    assertThat(r.zooKeeperQuorum().message()).contains("2 of 5");
  }

  @Test
  void zooKeeperExactHalfIsNotAMajority() {
    Result r =
        ClusterHealth.evaluate(
            List.of(
                m("a", State.LEADER, leader(1), ML),
                m("b", State.FOLLOWER, follower(), ML),
                m("c", State.UNREACHABLE, null, null),
                m("d", State.UNREACHABLE, null, null)),
            1);
    assertThat(r.zooKeeperQuorum().isTrue()).isFalse();
  }

  @Test
  void zooKeeperMajorityWithOneMemberDown() {
    Result r =
        ClusterHealth.evaluate(
            List.of(
                m("a", State.LEADER, leader(1), ML),
                m("b", State.FOLLOWER, follower(), ML),
                m("c", State.UNREACHABLE, null, null)),
            1);
    assertThat(r.zooKeeperQuorum().isTrue()).isTrue();
    assertThat(r.zooKeeperQuorum().message()).contains("2 of 3");
  }

  @Test
  void singleStandaloneMemberIsAQuorumButNotInAnEnsemble() {
    assertThat(
            ClusterHealth.evaluate(List.of(m("a", State.STANDALONE, leader(0), ML)), 0)
                .zooKeeperQuorum()
                .isTrue())
        .isTrue();
    Result r =
        ClusterHealth.evaluate(
            List.of(
                m("a", State.STANDALONE, leader(0), ML),
                m("b", State.LEADER, follower(), ML),
                m("c", State.FOLLOWER, follower(), ML)),
            0);
    assertThat(r.zooKeeperQuorum().reason()).isEqualTo("StandaloneMember");
  }

  @Test
  void zooKeeperUnknownWhenNobodyAnswersOrWordsAreDisabled() {
    Result none =
        ClusterHealth.evaluate(
            List.of(m("a", State.UNREACHABLE, null, null), m("b", State.UNREACHABLE, null, null)),
            0);
    assertThat(none.zooKeeperQuorum().status()).isEqualTo("Unknown");
    Result refused =
        ClusterHealth.evaluate(
            List.of(m("a", State.NOT_ALLOWED, null, null), m("b", State.UNREACHABLE, null, null)),
            0);
    assertThat(refused.zooKeeperQuorum().reason()).isEqualTo("FourLetterWordsDisabled");
    assertThat(ClusterHealth.evaluate(List.of(), 0).zooKeeperQuorum().status())
        .isEqualTo("Unknown");
  }

  @Test
  void mesosNoLeader() {
    MesosHealth none = new MesosHealth(null, false, true, 0, null);
    Result r =
        ClusterHealth.evaluate(
            List.of(
                m("a", State.LEADER, none, ML),
                m("b", State.FOLLOWER, none, ML),
                m("c", State.FOLLOWER, none, ML)),
            3);
    assertThat(r.mesosLeaderElected().reason()).isEqualTo("NoLeader");
    assertThat(r.mesosLeader()).isNull();
    assertThat(r.agentsRegistered().status()).isEqualTo("Unknown");
  }

  @Test
  void mesosTwoElected() {
    Result r =
        ClusterHealth.evaluate(
            List.of(
                m("a", State.LEADER, leader(3), ML),
                m("b", State.FOLLOWER, new MesosHealth("10.0.0.2:5050", true, true, 3, null), ML)),
            3);
    assertThat(r.mesosLeaderElected().reason()).isEqualTo("MultipleLeaders");
    assertThat(r.mesosLeader()).isNull();
  }

  @Test
  void mesosMastersNameDifferentLeaders() {
    Result r =
        ClusterHealth.evaluate(
            List.of(
                m("a", State.LEADER, leader(3), ML),
                m("b", State.FOLLOWER, new MesosHealth("10.0.0.3:5050", false, true, 0, null), ML)),
            3);
    assertThat(r.mesosLeaderElected().reason()).isEqualTo("LeaderDisagreement");
  }

  @Test
  void mesosLeaderNotRecovered() {
    Result r =
        ClusterHealth.evaluate(
            List.of(m("a", State.STANDALONE, new MesosHealth(L, true, false, 0, null), ML)), 0);
    assertThat(r.mesosLeaderElected().reason()).isEqualTo("RegistrarNotRecovered");
    assertThat(r.mesosLeader()).isEqualTo(L);
  }

  @Test
  void mesosLeaderNamedByOthersButSilent() {
    Result r =
        ClusterHealth.evaluate(
            List.of(
                m("a", State.LEADER, MesosHealth.unreachable("refused"), ML),
                m("b", State.FOLLOWER, follower(), ML),
                m("c", State.FOLLOWER, follower(), ML)),
            3);
    assertThat(r.mesosLeaderElected().isTrue()).isTrue();
    assertThat(r.agentsRegistered().status()).isEqualTo("Unknown");
  }

  @Test
  void mesosAllUnreachable() {
    Result r =
        ClusterHealth.evaluate(
            List.of(m("a", State.LEADER, MesosHealth.unreachable("refused"), ML)), 0);
    assertThat(r.mesosLeaderElected().status()).isEqualTo("Unknown");
  }

  @Test
  void agentsMissingAndExtra() {
    Result missing = ClusterHealth.evaluate(List.of(m("a", State.STANDALONE, leader(2), ML)), 3);
    assertThat(missing.agentsRegistered().reason()).isEqualTo("AgentsMissing");
    assertThat(missing.agentsRegistered().message()).isEqualTo("2 of 3 agents active");
    Result extra = ClusterHealth.evaluate(List.of(m("a", State.STANDALONE, leader(4), ML)), 3);
    assertThat(extra.agentsRegistered().isTrue()).isTrue();
  }

  @Test
  void marathonEdgeCases() {
    MarathonLeader none = new MarathonLeader(null, null);
    MarathonLeader other = new MarathonLeader("10.0.0.2:8080", null);
    MarathonLeader down = MarathonLeader.unreachable("refused");
    assertThat(
            ClusterHealth.evaluate(
                    List.of(
                        m("a", State.LEADER, leader(0), none),
                        m("b", State.FOLLOWER, follower(), none)),
                    0)
                .marathonReady()
                .reason())
        .isEqualTo("NoLeader");
    assertThat(
            ClusterHealth.evaluate(
                    List.of(
                        m("a", State.LEADER, leader(0), ML),
                        m("b", State.FOLLOWER, follower(), other)),
                    0)
                .marathonReady()
                .reason())
        .isEqualTo("LeaderDisagreement");
    assertThat(
            ClusterHealth.evaluate(
                    List.of(
                        m("a", State.LEADER, leader(0), down),
                        m("b", State.FOLLOWER, follower(), down)),
                    0)
                .marathonReady()
                .status())
        .isEqualTo("Unknown");
    Result oneUp =
        ClusterHealth.evaluate(
            List.of(m("a", State.LEADER, leader(0), down), m("b", State.FOLLOWER, follower(), ML)),
            0);
    assertThat(oneUp.marathonReady().isTrue()).isTrue();
    assertThat(oneUp.marathonLeader()).isEqualTo("10.0.0.1:8080");
  }
}
