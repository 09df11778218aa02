package io.mesosoperator.reconcile;

import static io.mesosoperator.reconcile.OperatorHarness.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.node.NodeConfigurer;
import io.mesosoperator.node.NodeResult;
import io.mesosoperator.node.NodeTarget;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.testing.MockApiServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Master scaling end to end against the mock API server: the real renderer, an in-memory cloud, and
 * a node configurer that records what each master is configured with (observer off, so steps are
 * gated on the masters being configured).
 */
@MockApiServer
class MasterScalingOperatorTest {
  static final NodeFacts FACTS = NodeFacts.TUTORIAL;

  KubernetesClient client;
  InMemoryMachineProvider cloud;
  RecordingConfigurer nodes;
  OperatorRuntime operator;

  /** Applies nothing; remembers every configuration and says Configured=True. */
  static final class RecordingConfigurer implements NodeConfigurer {
    final Map<String, NodeConfig> last = new ConcurrentHashMap<>();

    /** Every change of a master's quorum, ensemble or fencing, in the order they happened. */
    final List<String[]> history = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public synchronized NodeResult configure(
        NodeTarget target, Function<NodeFacts, NodeConfig> desired) {
      NodeConfig c = desired.apply(FACTS);
      NodeConfig before = last.put(target.node(), c);
      if (c.roleType() == RoleType.MASTER && (before == null || !before.equals(c))) {
        history.add(
            new String[] {
              target.node(), file(c, ClusterRenderer.MASTER_QUORUM), String.valueOf(fenced(c))
            });
      }
      ConditionState ok = ConditionState.isTrue("Ok", "ok");
      return new NodeResult(
          ok,
          ok,
          ok,
          "SHA256:fake-" + target.node(),
          ClusterRenderer.digest(c),
          before == null || !before.equals(c) ? 1 : 0,
          0,
          1,
          List.of());
    }
  }

  static String file(NodeConfig c, String path) {
    return c.files().stream()
        .filter(f -> f.path().equals(path))
        .map(ManagedFile::content)
        .findFirst()
        .orElse(null);
  }

  static boolean fenced(NodeConfig c) {
    return !c.services().contains(ClusterRenderer.MESOS_MASTER);
  }

  @BeforeEach
  void setUp() throws Exception {
    OperatorHarness.installCrds(client);
    cloud = new InMemoryMachineProvider();
    nodes = new RecordingConfigurer();
    operator = start();
  }

  private OperatorRuntime start() {
    return OperatorHarness.start(client, c -> cloud, nodes, ClusterRenderer::render);
  }

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void threeToFiveToThreeWithARestartEachWayEndsLikeAFreshThreeMasterCluster() {
    MesosCluster cluster =
        client.resource(OperatorHarness.load(client, "tutorial-stub.yaml")).create();
    String uid = cluster.getMetadata().getUid();
    awaitMasters(3, 2);

    setMasters(5);
    // Stop the operator part-way (the first new master exists) and start a new one.
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> masters().stream().anyMatch(n -> n.getSpec().getOrdinal() == 3));
    operator.close();
    operator = start();
    awaitMasters(5, 3);
    awaitMastersScaled("AsSpecified");
    assertThat(cloud.list(uid)).hasSize(8);
    assertThat(masters())
        .allSatisfy(
            n -> {
              NodeConfig c = nodes.last.get(n.getMetadata().getName());
              assertThat(file(c, ClusterRenderer.MASTER_QUORUM)).isEqualTo("3\n");
              assertThat(
                      file(c, ClusterRenderer.ZOO_CFG).lines().filter(l -> l.startsWith("server.")))
                  .hasSize(5);
            });

    setMasters(3);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> masters().size() == 4 || masters().stream().anyMatch(this::fencedNode));
    operator.close();
    operator = start();
    awaitMasters(3, 2);
    awaitMastersScaled("AsSpecified");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(cloud.list(uid)).hasSize(6));
    assertThat(cloud.list(uid))
        .extracting(Machine::node)
        .doesNotContain("tutorial-master-3", "tutorial-master-4");

    // Every master's files are exactly what a new 3-master cluster would get.
    List<MesosNode> all = OperatorHarness.nodes(client);
    List<NodeInfo> infos =
        all.stream()
            .sorted(Comparator.comparing(n -> n.getMetadata().getName()))
            .map(
                n ->
                    new NodeInfo(
                        n.getMetadata().getName(),
                        n.getSpec().getRole(),
                        n.getStatus().getPrivateAddress(),
                        n.getStatus().getPublicAddress(),
                        n.getStatus().getIpv6Address(),
                        n.getSpec().getZkId()))
            .toList();
    MesosCluster now = OperatorHarness.get(client, "tutorial");
    for (NodeInfo info : infos) {
      if (!info.role().equals("master")) {
        continue;
      }
      NodeConfig fresh = ClusterRenderer.render(now.getSpec(), infos, info, FACTS);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> assertThat(nodes.last.get(info.name()).files()).isEqualTo(fresh.files()));
    }

    // Never more masters running than the lowest quorum among them allows.
    Map<String, Integer> quorum = new java.util.HashMap<>();
    for (String[] change : new ArrayList<>(nodes.history)) {
      if (Boolean.parseBoolean(change[2])) {
        quorum.remove(change[0]);
      } else {
        quorum.put(change[0], Integer.parseInt(change[1].trim()));
      }
      int min = quorum.values().stream().mapToInt(Integer::intValue).min().orElse(1);
      assertThat(quorum.size())
          .as("masters running after " + String.join(" ", change))
          .isLessThanOrEqualTo(2 * min - 1);
    }
  }

  @Test
  void growingFromOneMasterIsRefusedUntilTheLogWipeIsAcknowledged() {
    MesosCluster one = OperatorHarness.load(client, "tutorial-stub.yaml");
    one.getSpec().getRoles().get(0).setReplicas(1);
    String uid = client.resource(one).create().getMetadata().getUid();
    awaitMasters(1, 1);
    setMasters(3);
    awaitMastersScaled("LogWipeNotAcknowledged");
    OperatorHarness.quiet(Duration.ofSeconds(3));
    assertThat(masters()).hasSize(1);
    assertThat(cloud.list(uid)).hasSize(4);

    edit(c -> c.getSpec().getRoles().get(0).setAcknowledgeLogWipe(true));
    awaitMasters(3, 2);
    awaitMastersScaled("AsSpecified");
    NodeConfig first = nodes.last.get("tutorial-master-0");
    assertThat(file(first, ClusterRenderer.MASTER_WORK_DIR))
        .isEqualTo("/var/lib/mesos/log-epoch-1\n");
    assertThat(file(nodes.last.get("tutorial-master-1"), ClusterRenderer.MASTER_WORK_DIR)).isNull();
  }

  private boolean fencedNode(MesosNode n) {
    return Boolean.TRUE.equals(n.getSpec().getFenced());
  }

  private List<MesosNode> masters() {
    return OperatorHarness.nodes(client).stream()
        .filter(n -> n.getSpec().getRoleType() == RoleType.MASTER)
        .toList();
  }

  /** n masters, each configured with quorum q and the ensemble of all of them. */
  private void awaitMasters(int n, int q) {
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              List<MesosNode> m = masters();
              assertThat(m).hasSize(n);
              List<Integer> ids = m.stream().map(x -> x.getSpec().getZkId()).sorted().toList();
              assertThat(m)
                  .allSatisfy(
                      x -> {
                        assertThat(x.getStatus()).isNotNull();
                        assertThat(x.getStatus().getQuorum()).isEqualTo(q);
                        assertThat(x.getStatus().getEnsemble()).isEqualTo(ids);
                      });
            });
  }

  private void awaitMastersScaled(String reason) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        Conditions.get(
                            OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
                            "MastersScaled"))
                    .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(reason)));
  }

  private void setMasters(int replicas) {
    edit(c -> c.getSpec().getRoles().get(0).setReplicas(replicas));
  }

  private void edit(java.util.function.Consumer<MesosCluster> change) {
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () -> {
              client
                  .resources(MesosCluster.class)
                  .inNamespace(NS)
                  .withName("tutorial")
                  .edit(
                      c -> {
                        change.accept(c);
                        return c;
                      });
              return true;
            });
  }

  @SuppressWarnings("unused")
  private static Predicate<MesosNode> named(String name) {
    return n -> n.getMetadata().getName().equals(name);
  }
}
