package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.MesosNodeSpec;
import io.mesosoperator.api.MesosNodeStatus;
import io.mesosoperator.api.RoleStatus;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.plan.ClusterTopology;
import io.mesosoperator.validation.ManifestReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status summary as a pure function: counts, ensemble, ZooKeeper URL, summary conditions. */
class ClusterSummaryTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final ClusterTopology.Plan NOTHING =
      new ClusterTopology.Plan(List.of(), List.of(), null);

  private final MesosClusterSpec spec =
      ManifestReader.read(ROOT.resolve("examples/tutorial-3x3.yaml")).cluster().getSpec();

  @Test
  void aConvergedClusterIsReadyWithItsEnsembleAndUrl() {
    var s = ClusterSummary.of(new ClusterSummary.Input(spec, converged(), NOTHING, true, true));
    assertThat(s.ready())
        .isEqualTo(ConditionState.isTrue("ClusterReady", "masters 3/3, agents 3/3"));
    assertThat(s.reconciling())
        .isEqualTo(ConditionState.isFalse("Converged", "nothing left to do"));
    assertThat(s.machinesReady())
        .isEqualTo(ConditionState.isTrue("AllMachinesRunning", "6 machines running"));
    assertThat(s.nodesConfigured())
        .isEqualTo(ConditionState.isTrue("AllNodesConfigured", "6 nodes configured"));
    assertThat(s.masters()).isEqualTo("3/3");
    assertThat(s.agents()).isEqualTo("3/3");
    assertThat(s.zookeeperUrl())
        .isEqualTo("zk://192.0.2.1:2181,192.0.2.2:2181,192.0.2.3:2181/mesos");
    assertThat(s.ensemble())
        .extracting(m -> m.getId() + "=" + m.getNode())
        .containsExactly("1=tutorial-master-0", "2=tutorial-master-1", "3=tutorial-master-2");
    assertThat(s.roles())
        .extracting(RoleStatus::getName, RoleStatus::getReady)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("master", 3),
            org.assertj.core.groups.Tuple.tuple("slave", 3));
    assertThat(s.counts())
        .containsExactly(
            new ClusterSummary.RoleCount("master", 3, 0),
            new ClusterSummary.RoleCount("slave", 3, 0));
  }

  @Test
  void theFirstMissingStepNamesWhyItIsNotReady() {
    List<MesosNode> nodes = converged();
    assertThat(reason(nodes, NOTHING, false, true)).isEqualTo("ServicesNotHealthy");
    // A master step under way is passed in as not healthy; MastersScaled only names the reason.
    assertThat(reason(nodes, NOTHING, false, false)).isEqualTo("MastersScaling");
    assertThat(
            ClusterSummary.of(new ClusterSummary.Input(spec, nodes, NOTHING, true, false))
                .ready()
                .isTrue())
        .isTrue();
    assertThat(
            reason(
                nodes,
                new ClusterTopology.Plan(List.of(), List.of(), "1 to 3 needs a wipe"),
                true,
                true))
        .isEqualTo("MasterScalingNotSupported");

    nodes.get(4).getStatus().setConditions(conditions(true, true, false));
    assertThat(reason(nodes, NOTHING, true, true)).isEqualTo("NodesNotReady");
    nodes.get(4).getStatus().setConditions(conditions(true, false, false));
    assertThat(reason(nodes, NOTHING, true, true)).isEqualTo("NodesPending");
    nodes.get(4).getStatus().setConditions(conditions(false, false, false));
    assertThat(reason(nodes, NOTHING, true, true)).isEqualTo("MachinesPending");
    var s = ClusterSummary.of(new ClusterSummary.Input(spec, nodes, NOTHING, true, true));
    assertThat(s.machinesReady())
        .isEqualTo(ConditionState.isFalse("MachinesPending", "5 of 6 machines running"));
    assertThat(s.reconciling()).isEqualTo(ConditionState.isTrue("MachinesPending", "converging"));
    assertThat(s.ready().message()).isEqualTo("masters 3/3, agents 2/3");
    assertThat(s.counts()).contains(new ClusterSummary.RoleCount("slave", 2, 1));
  }

  @Test
  void aNodeBeyondTheSpecCountsNoMoreThanTheSpecAsks() {
    List<MesosNode> nodes = converged();
    nodes.add(node("tutorial-slave-3", "slave", RoleType.AGENT, null, "192.0.2.17"));
    var s =
        ClusterSummary.of(
            new ClusterSummary.Input(
                spec,
                nodes,
                new ClusterTopology.Plan(List.of(), List.of("tutorial-slave-3"), null),
                true,
                true));
    assertThat(s.machinesReady().message()).isEqualTo("6 of 6 machines running");
    assertThat(s.machinesReady().isTrue()).as("a deletion is still planned").isFalse();
  }

  @Test
  void aMasterCreatedInThisPassKeepsItsEnsembleEntryAndNoUrlIsGivenYet() {
    List<MesosNode> nodes = converged();
    nodes.remove(1); // tutorial-master-1, re-created in this pass
    var plan =
        new ClusterTopology.Plan(
            List.of(
                new ClusterTopology.Wanted("tutorial-master-1", "master", RoleType.MASTER, 1, 2)),
            List.of(),
            null);
    var s = ClusterSummary.of(new ClusterSummary.Input(spec, nodes, plan, true, true));
    assertThat(s.ensemble())
        .extracting(m -> m.getId() + "=" + m.getNode() + "@" + m.getAddress())
        .containsExactly(
            "1=tutorial-master-0@192.0.2.1",
            "2=tutorial-master-1@null",
            "3=tutorial-master-2@192.0.2.3");
    assertThat(s.zookeeperUrl()).isNull();
    assertThat(s.ready().isTrue()).isFalse();
  }

  private String reason(
      List<MesosNode> nodes, ClusterTopology.Plan plan, boolean healthy, boolean scaled) {
    var s = ClusterSummary.of(new ClusterSummary.Input(spec, nodes, plan, healthy, scaled));
    assertThat(s.ready().isTrue()).isFalse();
    return s.ready().reason();
  }

  private static List<MesosNode> converged() {
    List<MesosNode> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(
          node("tutorial-master-" + i, "master", RoleType.MASTER, i + 1, "192.0.2." + (i + 1)));
    }
    for (int i = 0; i < 3; i++) {
      nodes.add(node("tutorial-slave-" + i, "slave", RoleType.AGENT, null, "192.0.2." + (i + 11)));
    }
    return nodes;
  }

  private static MesosNode node(String name, String role, RoleType type, Integer zkId, String ip) {
    MesosNode n = new MesosNode();
    n.getMetadata().setName(name);
    MesosNodeSpec spec = new MesosNodeSpec();
    spec.setRole(role);
    spec.setRoleType(type);
    spec.setZkId(zkId);
    n.setSpec(spec);
    MesosNodeStatus status = new MesosNodeStatus();
    status.setPrivateAddress(ip);
    status.setConditions(conditions(true, true, true));
    n.setStatus(status);
    return n;
  }

  private static List<Condition> conditions(boolean machine, boolean configured, boolean ready) {
    return List.of(
        condition(Conditions.MACHINE_READY, machine),
        condition(Conditions.CONFIGURED, configured),
        condition(Conditions.READY, ready));
  }

  private static Condition condition(String type, boolean value) {
    return new ConditionBuilder().withType(type).withStatus(value ? "True" : "False").build();
  }
}
