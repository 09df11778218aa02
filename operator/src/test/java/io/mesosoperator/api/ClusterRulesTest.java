package io.mesosoperator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesosoperator.plan.MasterScaling;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.HostFirewall;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The quorum rule, the ZooKeeper URL and the port table, each defined once and used as such. */
class ClusterRulesTest {
  @Test
  void theQuorumIsAStrictMajorityEverywhere() {
    for (int n = 1; n <= 9; n++) {
      int q = Quorum.majority(n);
      assertThat(2 * q).as("more than half of %d", n).isGreaterThan(n);
      assertThat(2 * (q - 1)).as("the smallest such count for %d", n).isLessThanOrEqualTo(n);
      assertThat(MasterScaling.majority(n)).isEqualTo(q);
      assertThat(ClusterRenderer.quorum(n)).isEqualTo(q);
    }
    assertThat(List.of(1, 3, 4, 5).stream().map(Quorum::majority)).containsExactly(1, 2, 3, 3);
    assertThatThrownBy(() -> Quorum.majority(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theZooKeeperUrlListsTheHostsInOrderWithThePath() {
    assertThat(ZooKeeperUrl.of(List.of("10.0.0.1", "10.0.0.2"), 2181, ZooKeeperUrl.MESOS))
        .isEqualTo("zk://10.0.0.1:2181,10.0.0.2:2181/mesos");
    assertThat(ZooKeeperUrl.of(List.of("10.0.0.3"), 2281, "marathon"))
        .isEqualTo("zk://10.0.0.3:2281/marathon");
  }

  @Test
  void thePortsComeFromOneTable() {
    assertThat(RoleSpec.DEFAULT_MASTER_PORTS).containsExactly(22, 5050, 8080);
    assertThat(RoleSpec.DEFAULT_AGENT_PORTS).containsExactly(22);
    assertThat(HostFirewall.MESOS_MASTER_PORT).isEqualTo(Ports.MESOS_MASTER);
    assertThat(HostFirewall.MESOS_AGENT_PORT).isEqualTo(Ports.MESOS_AGENT);
    assertThat(HostFirewall.MARATHON_PORT).isEqualTo(Ports.MARATHON);
    ZooKeeperSpec zk = new ZooKeeperSpec();
    assertThat(Ports.internal(zk))
        .containsExactly(
            zk.getClientPort(), zk.getPeerPort(), zk.getElectionPort(), 5050, 5051, 8080);
  }
}
