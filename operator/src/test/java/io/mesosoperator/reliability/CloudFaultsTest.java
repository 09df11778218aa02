package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.CountingMachineProvider;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.NetworkRequest;
import io.mesosoperator.reconcile.Conditions;
import io.mesosoperator.reconcile.OperatorRuntime;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Cloud outages and random cloud errors, conflicting writes, and an operator killed mid-converge.
 */
@EnableKubernetesMockClient(crud = true)
class CloudFaultsTest {
  KubernetesClient client;
  MapCloud cloud;
  OperatorRuntime operator;

  @BeforeEach
  void setUp() throws Exception {
    Harness.installCrds(client);
    cloud = new MapCloud();
  }

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.close();
    }
  }

  private static String describe(MesosCluster c) {
    if (c == null || c.getStatus() == null) {
      return "none";
    }
    return c.getStatus().getConditions().stream()
            .map(
                x ->
                    x.getType() + "=" + x.getStatus() + "/" + x.getReason() + ": " + x.getMessage())
            .toList()
        + " ensemble "
        + c.getStatus().getEnsemble().stream().map(m -> m.getId() + ":" + m.getNode()).toList();
  }

  private String uid() {
    return Harness.get(client).getMetadata().getUid();
  }

  /** Exactly one machine per node, and the status says all are running. */
  private int assertOneMachinePerNode(int expected) {
    Harness.awaitMachinesReady(client, Duration.ofSeconds(60));
    List<Machine> machines = cloud.list(uid());
    Set<String> nodes =
        Harness.nodes(client).stream()
            .map(n -> n.getMetadata().getName())
            .collect(Collectors.toSet());
    assertThat(nodes).hasSize(expected);
    assertThat(machines).hasSize(expected);
    assertThat(machines.stream().map(Machine::node).collect(Collectors.toSet())).isEqualTo(nodes);
    return machines.size() - new HashSet<>(machines.stream().map(Machine::node).toList()).size();
  }

  @Test
  void anOutageThenRandomErrorsConvergeWithoutDuplicates() throws Exception {
    FaultyProvider faulty = new FaultyProvider(cloud, 0, 9);
    AtomicBoolean outage = new AtomicBoolean(true);
    MachineProvider withOutage =
        new MachineProvider() {
          private void check(String call) throws CloudException {
            if (outage.get()) {
              faulty.injected.incrementAndGet();
              throw new CloudException("injected: cloud API unreachable during " + call, true);
            }
          }

          @Override
          public void ensureNetwork(NetworkRequest r) throws CloudException {
            check("ensureNetwork");
            faulty.ensureNetwork(r);
          }

          @Override
          public List<Machine> list(String uid) throws CloudException {
            check("list");
            return faulty.list(uid);
          }

          @Override
          public Machine create(MachineRequest r) throws CloudException {
            check("create");
            return faulty.create(r);
          }

          @Override
          public void destroy(String id) throws CloudException {
            check("destroy");
            faulty.destroy(id);
          }
        };
    operator = Harness.start(client, c -> new CountingMachineProvider(withOutage), null);
    client.resource(Harness.tutorial(client)).create();

    // 1. The cloud is down: every node says so, and nothing exists.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () ->
                assertThat(Harness.nodes(client))
                    .hasSize(6)
                    .allSatisfy(
                        n -> {
                          assertThat(n.getStatus()).isNotNull();
                          var c =
                              Conditions.get(
                                  n.getStatus().getConditions(), Conditions.MACHINE_READY);
                          assertThat(c).isPresent();
                          assertThat(c.get().getStatus()).isEqualTo("False");
                          assertThat(c.get().getReason()).isEqualTo("CloudUnavailable");
                        }));
    assertThat(cloud.machines).isEmpty();
    var network = Conditions.get(Harness.get(client).getStatus().getConditions(), "NetworkReady");
    assertThat(network)
        .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo("CloudUnavailable"));

    // 2. It comes back flaky: half the calls fail, some creates lose their answer.
    outage.set(false);
    faulty.chaos = true;
    Harness.quiet(Duration.ofSeconds(5));
    faulty.chaos = false;

    // 3. Errors stop: the cluster converges with exactly one machine per node.
    int duplicates = assertOneMachinePerNode(6);
    assertThat(duplicates).isZero();
    // The network is ensured again on a later pass once the cloud answers.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Conditions.isTrue(Harness.get(client).getStatus().getConditions(), "NetworkReady"));
    assertThat(assertOneMachinePerNode(6)).isZero();
    Figures.record(
        "cloud errors",
        new Figures.Row(
            faulty.injected.get(),
            faulty.injected.get(),
            duplicates,
            0,
            0,
            "an outage (every node MachineReady=False CloudUnavailable, nothing created), then 5 s"
                + " of random transient and permanent errors and creates whose answer is lost:"
                + " converges to 6 machines, one per node"));
  }

  @Test
  void concurrentWritesByAnotherClientAreNeitherLostNorBlocking() throws Exception {
    operator = Harness.start(client, c -> new CountingMachineProvider(cloud), null);
    MesosCluster stale = client.resource(Harness.tutorial(client)).create();
    AtomicInteger conflicts = new AtomicInteger();
    AtomicInteger writes = new AtomicInteger();
    Random random = new Random(5);
    int agents = 3;
    // Another client (a person, a GitOps tool) edits labels, annotations and the agent count
    // while the operator converges and writes status.
    for (int i = 0; i < 40; i++) {
      final int n = i;
      final int replicas = 2 + random.nextInt(3);
      boolean scale = i % 4 == 3;
      if (scale) {
        agents = replicas;
      }
      while (true) {
        try {
          MesosCluster current = Harness.get(client);
          // Think a little between read and write, as people and tools do: the operator writes
          // meanwhile, and the update meets a 409.
          Thread.sleep(random.nextInt(40));
          current.getMetadata().getLabels().put("edit-" + n, "v" + n);
          current
              .getMetadata()
              .setAnnotations(
                  new java.util.HashMap<>(
                      current.getMetadata().getAnnotations() == null
                          ? Map.of()
                          : current.getMetadata().getAnnotations()));
          current.getMetadata().getAnnotations().put("example.com/edit", Integer.toString(n));
          if (scale) {
            current.getSpec().getRoles().get(1).setReplicas(replicas);
          }
          // An update with the resourceVersion read: a 409 when anything wrote in between.
          client.resource(current).update();
          writes.incrementAndGet();
          break;
        } catch (KubernetesClientException e) {
          if (e.getCode() != 409) {
            throw e;
          }
          conflicts.incrementAndGet();
        }
      }
      Thread.sleep(random.nextInt(60));
    }
    // A write based on the very first read, before the operator's finalizer and status: refused.
    stale.getMetadata().getLabels().put("stale", "x");
    try {
      client.resource(stale).update();
      throw new AssertionError("an update with a stale resourceVersion was accepted");
    } catch (KubernetesClientException e) {
      assertThat(e.getCode()).isEqualTo(409);
      conflicts.incrementAndGet();
    }
    final int wanted = 3 + agents;
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              MesosCluster c = Harness.get(client);
              // Under load the first poll can come before the operator's first status write.
              assertThat(c.getStatus()).isNotNull();
              assertThat(c.getStatus().getObservedGeneration())
                  .isEqualTo(c.getMetadata().getGeneration());
              assertThat(
                      Conditions.isTrue(c.getStatus().getConditions(), Conditions.MACHINES_READY))
                  .isTrue();
              assertThat(cloud.list(c.getMetadata().getUid())).hasSize(wanted);
            });
    MesosCluster c = Harness.get(client);
    int lost = 0;
    for (int i = 0; i < 40; i++) {
      if (!("v" + i).equals(c.getMetadata().getLabels().get("edit-" + i))) {
        lost++;
      }
    }
    assertThat(lost).as("labels the other client wrote and lost").isZero();
    assertThat(c.getMetadata().getAnnotations()).containsEntry("example.com/edit", "39");
    assertThat(c.getSpec().getRoles().get(1).getReplicas()).isEqualTo(agents);
    // The status describes the last spec: no status write was lost or stale.
    assertThat(c.getStatus().getRoles().get(1).getDesired()).isEqualTo(agents);
    assertThat(c.getStatus().getAgents()).endsWith("/" + agents);
    assertThat(c.getMetadata().getFinalizers()).isNotEmpty();
    assertThat(c.getMetadata().getLabels()).doesNotContainKey("stale");
    assertThat(conflicts.get()).isPositive();
    assertOneMachinePerNode(wanted);
    Figures.record(
        "conflicting writes (409)",
        new Figures.Row(
            writes.get() + conflicts.get(),
            writes.get() + conflicts.get(),
            lost,
            0,
            0,
            writes.get()
                + " label, annotation and agent-count updates by another client during the converge,"
                + " "
                + conflicts.get()
                + " of its writes met a 409 and were retried; operator converged, status of the"
                + " last generation, finalizer kept"));
  }

  /**
   * Reports every node configured. A deleted master is replaced only once the remaining masters
   * report Configured (the master scaling gate), which the no-op configurer never does.
   */
  private static final io.mesosoperator.node.NodeConfigurer CONFIGURED =
      (target, desired) ->
          new io.mesosoperator.node.NodeResult(
              io.mesosoperator.node.ConditionState.isTrue("Reachable", "test"),
              io.mesosoperator.node.ConditionState.isTrue("Converged", "test"),
              io.mesosoperator.node.ConditionState.isTrue("Running", "test"),
              "SHA256:test",
              "test",
              0,
              0,
              1,
              List.of());

  @Test
  void anOperatorKilledTenTimesMidConvergeLeavesSixMachines() throws Exception {
    // Creates take a while, so kills land in the middle of the converge.
    Random random = new Random(42);
    MachineProvider slow =
        new MachineProvider() {
          @Override
          public void ensureNetwork(NetworkRequest r) {
            cloud.ensureNetwork(r);
          }

          @Override
          public List<Machine> list(String uid) {
            return cloud.list(uid);
          }

          @Override
          public Machine create(MachineRequest r) throws CloudException {
            try {
              Thread.sleep(200 + new Random().nextInt(700));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return cloud.create(r);
          }

          @Override
          public void destroy(String id) {
            cloud.destroy(id);
          }
        };
    client.resource(Harness.tutorial(client)).create();
    int kills = 0;
    int midConverge = 0;
    int deleted = 0;
    for (int i = 0; i < 10; i++) {
      operator = Harness.start(client, c -> slow, CONFIGURED);
      Thread.sleep(random.nextInt(1500));
      MesosCluster c = Harness.get(client);
      if (!Harness.isTrue(c, Conditions.MACHINES_READY)) {
        midConverge++;
      }
      operator.close();
      operator = null;
      kills++;
      // Give the next run a converge to be killed in: two nodes are deleted (their machines
      // must be destroyed and replaced), as a user replaces broken machines.
      List<MesosNode> nodes = Harness.nodes(client);
      for (int d = 0; d < 2 && !nodes.isEmpty(); d++) {
        MesosNode victim = nodes.remove(random.nextInt(nodes.size()));
        if (victim.getMetadata().getDeletionTimestamp() == null) {
          client.resource(victim).delete();
          deleted++;
        }
      }
    }
    operator = Harness.start(client, c -> slow, CONFIGURED);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () ->
                assertThat(Harness.nodes(client))
                    .as(
                        "nodes; operator ready %s; now %s; cluster status %s",
                        operator.ready(), java.time.Instant.now(), describe(Harness.get(client)))
                    .hasSize(6));
    int duplicates = assertOneMachinePerNode(6);
    assertThat(duplicates).isZero();
    assertThat(midConverge).as("kills that landed before MachinesReady").isGreaterThanOrEqualTo(3);
    Figures.record(
        "operator killed mid-converge",
        new Figures.Row(
            kills + deleted,
            kills + deleted,
            duplicates,
            0,
            0,
            kills
                + " stops at random 0-1.5 s after a start ("
                + midConverge
                + " before MachinesReady), "
                + deleted
                + " nodes deleted between runs; ends with exactly 6"
                + " machines, one per node, MachinesReady=True"));
  }
}
