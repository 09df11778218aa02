package io.mesosoperator.reconcile;

import static io.mesosoperator.reconcile.OperatorHarness.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.mesos.ClusterHealth;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.node.NodeConfigurer;
import io.mesosoperator.node.NodeResult;
import io.mesosoperator.node.NodeTarget;
import io.mesosoperator.plan.Action;
import io.mesosoperator.plan.NodePlan;
import io.mesosoperator.plan.Observation;
import io.mesosoperator.plan.PlanFixtures;
import io.mesosoperator.plan.RestartGate;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.testing.MockApiServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rolling restarts end to end against the mock API server: the real renderer, the real restart gate
 * on simulated nodes (which remember what was applied and take a while to restart), and an observer
 * that names master-0 the ZooKeeper leader and master-1 the Mesos leader.
 */
@MockApiServer
class RollingRestartOperatorTest {
  static final NodeFacts FACTS = NodeFacts.TUTORIAL;
  static final List<String> AGENTS =
      List.of("tutorial-slave-0", "tutorial-slave-1", "tutorial-slave-2");

  KubernetesMockServer server;
  KubernetesClient client;
  InMemoryMachineProvider cloud;
  SimulatedNodes sim;
  OperatorRuntime operator;
  final AtomicBoolean healthy = new AtomicBoolean(true);

  /** Nodes in memory: what each was last configured with, and every restart in order. */
  static final class SimulatedNodes implements NodeConfigurer {
    final Map<String, NodeConfig> applied = new ConcurrentHashMap<>();
    final List<String> restarts = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger mastersRestarting = new AtomicInteger();
    final AtomicInteger agentsRestarting = new AtomicInteger();
    final AtomicInteger maxMasters = new AtomicInteger();
    final AtomicInteger maxAgents = new AtomicInteger();

    /** Files edited by hand on a node: path to content, until a pass restores them. */
    final Map<String, Map<String, String>> drift = new ConcurrentHashMap<>();

    void reset() {
      restarts.clear();
      maxMasters.set(0);
      maxAgents.set(0);
    }

    @Override
    public NodeResult configure(NodeTarget target, Function<NodeFacts, NodeConfig> desired) {
      NodeConfig c = desired.apply(FACTS);
      NodeConfig before = applied.get(target.node());
      Observation seen =
          before == null
              ? PlanFixtures.fresh(FACTS.init())
              : drifted(
                  PlanFixtures.converged(before, FACTS.init(), null),
                  drift.getOrDefault(target.node(), Map.of()));
      List<Action> plan = NodePlan.diff(c, seen);
      RestartGate.Decision gate =
          RestartGate.gate(c, seen, plan, target.restartsHeld(), target.restartAll());
      ConditionState ok = ConditionState.isTrue("Ok", "ok");
      if (gate instanceof RestartGate.Hold hold) {
        return new NodeResult(
            ok,
            ConditionState.isFalse(NodeTarget.AWAITING_RESTART_TURN, hold.waiting().toString()),
            ok,
            "SHA256:fake-" + target.node(),
            ClusterRenderer.digest(before),
            0,
            0,
            1,
            List.of());
      }
      List<Action> run = ((RestartGate.Run) gate).actions();
      int restarted = (int) run.stream().filter(a -> a instanceof Action.RestartService).count();
      if (before != null && restarted > 0) {
        boolean master = target.node().contains("master");
        AtomicInteger now = master ? mastersRestarting : agentsRestarting;
        (master ? maxMasters : maxAgents).accumulateAndGet(now.incrementAndGet(), Math::max);
        restarts.add(target.node());
        OperatorHarness.quiet(Duration.ofMillis(400)); // a restart takes a while
        now.decrementAndGet();
      }
      applied.put(target.node(), c);
      drift.remove(target.node());
      return new NodeResult(
          ok,
          ok,
          ok,
          "SHA256:fake-" + target.node(),
          ClusterRenderer.digest(c),
          run.size(),
          restarted,
          1,
          List.of());
    }
  }

  static Observation drifted(Observation o, Map<String, String> files) {
    Map<String, String> whole = new java.util.HashMap<>(o.wholeDigests());
    files.forEach((path, text) -> whole.put(path, io.mesosoperator.plan.Digests.sha256(text)));
    return new Observation(
        o.facts(),
        whole,
        o.blockDigests(),
        o.packages(),
        o.services(),
        o.aptKeyPresent(),
        o.upgraded(),
        o.adminExists(),
        o.adminKeyAuthorized(),
        o.sshd(),
        o.clock(),
        o.appliedDigest(),
        o.started());
  }

  @BeforeEach
  void setUp() throws Exception {
    OperatorHarness.installCrds(client);
    cloud = new InMemoryMachineProvider();
    sim = new SimulatedNodes();
    ClusterObserver observer =
        (cluster, masters, key, lastApplied) -> {
          String mesosLeader =
              masters.stream()
                  .filter(m -> m.getMetadata().getName().equals("tutorial-master-1"))
                  .map(m -> m.getStatus().getPrivateAddress() + ":5050")
                  .findFirst()
                  .orElse(null);
          ConditionState up = ConditionState.isTrue("Ok", "test observer");
          ConditionState zk =
              healthy.get() ? up : ConditionState.isFalse("NoQuorum", "test observer");
          return new ClusterObserver.Observation(
              new ClusterHealth.Result(zk, up, up, up, "tutorial-master-0", mesosLeader, null, 3),
              List.of(),
              null,
              null);
        };
    operator =
        new OperatorRuntime(
            client,
            c -> cloud,
            sim,
            ClusterRenderer::render,
            observer,
            io.mesosoperator.metrics.OperatorMetrics.inMemory(),
            Clock.systemUTC(),
            new OperatorRuntime.Settings(Set.of(), null, null, 8, Duration.ofSeconds(2)));
    operator.start();
  }

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void aMasterFileChangeRestartsMastersOneAtATimeLeadersLastThenAgentsInBatches() throws Exception {
    MesosCluster cluster = OperatorHarness.load(client, "tutorial-stub.yaml");
    cluster.getSpec().getRollout().setAgentBatchSize(2);
    client.resource(cluster).create();
    awaitConverged();
    // A master configured before all its siblings existed may restart once while the new cluster
    // converges (not a rollout): count from here.
    sim.reset();

    // Unhealthy: the change is held on every node, nothing restarts.
    healthy.set(false);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Conditions.get(
                        OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
                        "ZooKeeperQuorum")
                    .map(c -> "False".equals(c.getStatus()))
                    .orElse(false));
    edit(c -> c.getSpec().getZookeeper().setClientPort(2182));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(OperatorHarness.nodes(client))
                    .allSatisfy(n -> assertThat(RestartTurns.awaitingTurn(n)).isTrue()));
    awaitRestartsDone("WaitingForHealth");
    OperatorHarness.quiet(Duration.ofSeconds(3));
    assertThat(sim.restarts).isEmpty();
    assertThat(sim.applied.get("tutorial-master-0").files().toString()).doesNotContain(":2182");

    healthy.set(true);
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(sim.restarts).hasSize(6));
    // Followers first, the ZooKeeper leader (master-0), the Mesos leader (master-1) last.
    assertThat(sim.restarts.subList(0, 3))
        .containsExactly("tutorial-master-2", "tutorial-master-0", "tutorial-master-1");
    assertThat(sim.restarts.subList(3, 6)).containsExactlyInAnyOrderElementsOf(AGENTS);
    assertThat(sim.maxMasters.get()).isEqualTo(1);
    assertThat(sim.maxAgents.get()).isBetween(1, 2);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(sim.applied.values())
                    .allSatisfy(c -> assertThat(c.files().toString()).contains(":2182")));
    awaitConverged();
    assertSettled();
  }

  /**
   * Found on the demo: the quorum file edited by hand on all three masters, and the repair
   * restarted all three mesos-masters within 2 s. A repair that restarts master services rolls like
   * any other restart: one master at a time, followers first, leaders last, only while healthy.
   */
  @Test
  void aDriftRepairOnEveryMasterRestartsThemOneAtATimeLeadersLast() throws Exception {
    client.resource(OperatorHarness.load(client, "tutorial-stub.yaml")).create();
    awaitConverged();
    sim.reset();

    healthy.set(false);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                Conditions.get(
                        OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
                        "ZooKeeperQuorum")
                    .map(c -> "False".equals(c.getStatus()))
                    .orElse(false));
    for (int i = 0; i < 3; i++) {
      sim.drift.put("tutorial-master-" + i, Map.of(ClusterRenderer.MASTER_QUORUM, "1\n"));
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        OperatorHarness.nodes(client).stream()
                            .filter(n -> n.getMetadata().getName().contains("master")))
                    .allSatisfy(n -> assertThat(RestartTurns.awaitingTurn(n)).isTrue()));
    OperatorHarness.quiet(Duration.ofSeconds(3));
    assertThat(sim.restarts).as("no repair restarts while unhealthy").isEmpty();

    healthy.set(true);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(sim.restarts).hasSize(3));
    assertThat(sim.restarts)
        .containsExactly("tutorial-master-2", "tutorial-master-0", "tutorial-master-1");
    assertThat(sim.maxMasters.get()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(sim.drift).isEmpty());
    awaitConverged();
    assertSettled();
  }

  @Test
  void theRestartAnnotationRollsTheClusterOnceAndANodeOnce() throws Exception {
    client.resource(OperatorHarness.load(client, "tutorial-stub.yaml")).create();
    awaitConverged();
    sim.reset();

    edit(c -> c.getMetadata().getAnnotations().put(Labels.RESTART, "t1"));
    await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(sim.restarts).hasSize(6));
    assertThat(sim.restarts.subList(0, 3))
        .containsExactly("tutorial-master-2", "tutorial-master-0", "tutorial-master-1");
    assertThat(sim.restarts.subList(3, 6)).containsExactlyElementsOf(AGENTS); // batch size 1
    assertThat(sim.maxMasters.get()).isEqualTo(1);
    assertThat(sim.maxAgents.get()).isEqualTo(1);
    awaitConverged();
    assertThat(OperatorHarness.nodes(client))
        .allSatisfy(n -> assertThat(n.getStatus().getClusterRestartToken()).isEqualTo("t1"));

    client
        .resources(MesosNode.class)
        .inNamespace(NS)
        .withName("tutorial-slave-1")
        .edit(
            n -> {
              n.getMetadata().setAnnotations(Map.of(Labels.RESTART, "again"));
              return n;
            });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sim.restarts).hasSize(7));
    assertThat(sim.restarts.get(6)).isEqualTo("tutorial-slave-1");
    awaitConverged();
    assertSettled();
  }

  /** Every node configured and no restart pending or under way. */
  private void awaitConverged() {
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              List<MesosNode> nodes = OperatorHarness.nodes(client);
              assertThat(nodes).hasSize(6);
              assertThat(nodes)
                  .allSatisfy(
                      n -> {
                        assertThat(n.getStatus()).isNotNull();
                        assertThat(Conditions.isTrue(n.getStatus().getConditions(), "Configured"))
                            .isTrue();
                      });

              // Restarts roll only once the control plane formed (before that it forms freely).
              var st = OperatorHarness.get(client, "tutorial").getStatus();
              assertThat(st.getEstablished())
                  .as(() -> String.valueOf(Conditions.get(st.getConditions(), "Ready")))
                  .isTrue();
            });
    awaitRestartsDone("NonePending");
  }

  /** A second look writes nothing and restarts nothing. */
  private void assertSettled() throws Exception {
    OperatorHarness.quiet(Duration.ofSeconds(4));
    OperatorHarness.writesSince(server);
    int restarts = sim.restarts.size();
    OperatorHarness.quiet(Duration.ofSeconds(5)); // resync is 2 s
    assertThat(OperatorHarness.writesSince(server)).as("Kubernetes writes").isZero();
    assertThat(sim.restarts).hasSize(restarts);
  }

  private void awaitRestartsDone(String reason) {
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(
                        Conditions.get(
                            OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
                            Conditions.RESTARTS_DONE))
                    .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(reason)));
  }

  private void edit(Consumer<MesosCluster> change) {
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
                        if (c.getMetadata().getAnnotations() == null) {
                          c.getMetadata().setAnnotations(new java.util.HashMap<>());
                        }
                        change.accept(c);
                        return c;
                      });
              return true;
            });
  }
}
