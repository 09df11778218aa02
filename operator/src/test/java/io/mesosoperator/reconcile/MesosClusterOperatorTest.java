package io.mesosoperator.reconcile;

import static io.mesosoperator.reconcile.OperatorHarness.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.mesosoperator.api.DeletionPolicy;
import io.mesosoperator.api.EnsembleMember;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.testing.MockApiServer;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operator against the fabric8 mock API server (CRUD mode) and an in-memory cloud. */
@MockApiServer
class MesosClusterOperatorTest {
  KubernetesMockServer server;
  KubernetesClient client;
  InMemoryMachineProvider cloud;
  OperatorRuntime operator;

  @BeforeEach
  void setUp() throws Exception {
    OperatorHarness.installCrds(client);
    cloud = new InMemoryMachineProvider();
    operator = OperatorHarness.start(client, c -> cloud, null);
  }

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.close();
    }
  }

  private MesosCluster applyTutorial() {
    MesosCluster cluster = OperatorHarness.load(client, "tutorial-stub.yaml");
    return client.resource(cluster).create();
  }

  private void awaitMachines(String uid, int count) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(cloud.list(uid)).hasSize(count));
  }

  @Test
  void tutorialClusterGetsSixNodesSixMachinesAndAnEnsemble() {
    MesosCluster created = applyTutorial();
    String uid = created.getMetadata().getUid();

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              MesosCluster c = OperatorHarness.get(client, "tutorial");
              assertThat(c.getStatus()).isNotNull();
              assertThat(c.getStatus().getEnsemble())
                  .extracting(EnsembleMember::getId)
                  .containsExactly(1, 2, 3);
              assertThat(c.getStatus().getEnsemble())
                  .allSatisfy(m -> assertThat(m.getAddress()).isNotNull());
              assertThat(c.getStatus().getRoles())
                  .allSatisfy(r -> assertThat(r.getMachines()).isEqualTo(3));
              assertThat(Conditions.isTrue(c.getStatus().getConditions(), "MachinesReady"))
                  .isTrue();
              assertThat(c.getStatus().getZookeeperUrl()).startsWith("zk://").endsWith("/mesos");
            });
    List<MesosNode> nodes = OperatorHarness.nodes(client);
    assertThat(nodes)
        .extracting(n -> n.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "tutorial-master-0",
            "tutorial-master-1",
            "tutorial-master-2",
            "tutorial-slave-0",
            "tutorial-slave-1",
            "tutorial-slave-2");
    assertThat(nodes)
        .allSatisfy(
            n -> {
              assertThat(n.getMetadata().getOwnerReferences()).hasSize(1);
              assertThat(n.getMetadata().getLabels()).containsEntry(Labels.CLUSTER, "tutorial");
            });
    List<Machine> machines = cloud.list(uid);
    assertThat(machines).hasSize(6);
    assertThat(machines.stream().map(Machine::node).collect(Collectors.toSet()))
        .isEqualTo(nodes.stream().map(n -> n.getMetadata().getName()).collect(Collectors.toSet()));
    assertThat(machines)
        .allSatisfy(m -> assertThat(m.node()).startsWith("tutorial-" + m.role() + "-"));
    // Without node configuration the nodes are honest about it.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(OperatorHarness.nodes(client))
                    .allSatisfy(
                        n ->
                            assertThat(Conditions.get(n.getStatus().getConditions(), "Configured"))
                                .hasValueSatisfying(
                                    c -> assertThat(c.getStatus()).isEqualTo("Unknown"))));
  }

  @Test
  void aConvergedClusterCausesNoWritesAndNoCloudMutations() throws Exception {
    String uid = applyTutorial().getMetadata().getUid();
    awaitMachines(uid, 6);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                OperatorHarness.nodes(client).stream()
                    .allMatch(
                        n -> n.getStatus() != null && n.getStatus().getConditions().size() >= 4));
    // Let the last status patches and their echoes settle, then count over several resyncs.
    OperatorHarness.quiet(Duration.ofSeconds(5));
    OperatorHarness.writesSince(server);
    int mutations = cloud.mutations.get();
    OperatorHarness.quiet(Duration.ofSeconds(7)); // resync is 2 s: three full passes
    assertThat(OperatorHarness.writesSince(server)).as("Kubernetes writes").isZero();
    assertThat(cloud.mutations.get() - mutations).as("cloud mutations").isZero();
  }

  @Test
  void aSecondMachineForANodeIsDestroyedAndTheRecordedOneStays() throws Exception {
    // A create an operator sent before it stopped still finishes in the cloud, after the next
    // operator made the node's machine: the late one goes, the one in the status stays.
    String uid = applyTutorial().getMetadata().getUid();
    awaitMachines(uid, 6);
    Machine recorded =
        cloud.list(uid).stream().filter(m -> "tutorial-slave-1".equals(m.node())).findFirst().get();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                OperatorHarness.nodes(client).stream()
                    .anyMatch(
                        n ->
                            n.getStatus() != null
                                && recorded.id().equals(n.getStatus().getMachineId())));
    Machine late =
        cloud.create(
            new MachineRequest(
                uid,
                "tutorial",
                "tutorial-slave-1",
                recorded.role(),
                RoleType.AGENT,
                null,
                null,
                List.of(22)));
    awaitMachines(uid, 6);
    assertThat(cloud.machines).doesNotContainKey(late.id()).containsKey(recorded.id());
  }

  @Test
  void agentPoolScalesUpAndDownHighestOrdinalsFirst() {
    String uid = applyTutorial().getMetadata().getUid();
    awaitMachines(uid, 6);
    scaleAgents(5);
    awaitMachines(uid, 8);
    scaleAgents(2);
    awaitMachines(uid, 5);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(OperatorHarness.nodes(client))
                    .extracting(n -> n.getMetadata().getName())
                    .filteredOn(n -> n.contains("slave"))
                    .containsExactlyInAnyOrder("tutorial-slave-0", "tutorial-slave-1"));
    assertThat(cloud.list(uid))
        .extracting(Machine::node)
        .filteredOn(n -> n.contains("slave"))
        .containsExactlyInAnyOrder("tutorial-slave-0", "tutorial-slave-1");
  }

  private void scaleAgents(int replicas) {
    edit(c -> c.getSpec().getRoles().get(1).setReplicas(replicas));
  }

  /** Edits the spec as a user would: on a 409 conflict, read again and retry. */
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

  @Test
  void deletingTheClusterDestroysEveryMachineAndRemovesFinalizers() {
    String uid = applyTutorial().getMetadata().getUid();
    awaitMachines(uid, 6);
    client.resources(MesosCluster.class).inNamespace(NS).withName("tutorial").delete();
    awaitMachines(uid, 0);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(OperatorHarness.nodes(client)).isEmpty();
              assertThat(OperatorHarness.get(client, "tutorial")).isNull();
            });
  }

  @Test
  void retainLeavesTheMachines() {
    MesosCluster cluster = OperatorHarness.load(client, "tutorial-stub.yaml");
    cluster.getSpec().setDeletionPolicy(DeletionPolicy.Retain);
    String uid = client.resource(cluster).create().getMetadata().getUid();
    awaitMachines(uid, 6);
    client.resources(MesosCluster.class).inNamespace(NS).withName("tutorial").delete();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(OperatorHarness.get(client, "tutorial")).isNull());
    assertThat(cloud.list(uid)).hasSize(6);
  }

  @Test
  void masterScalingWaitsForConfiguredMastersAndTouchesNothingMeanwhile() {
    String uid = applyTutorial().getMetadata().getUid();
    awaitMachines(uid, 6);
    edit(c -> c.getSpec().getRoles().get(0).setReplicas(5));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        Conditions.get(
                            OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
                            "MastersScaled"))
                    .hasValueSatisfying(
                        c -> {
                          // Without node configuration the masters never report their settings.
                          assertThat(c.getReason()).isEqualTo("ScalingUp");
                          assertThat(c.getMessage()).contains("to be configured");
                        }));
    OperatorHarness.quiet(Duration.ofSeconds(3));
    assertThat(cloud.list(uid)).hasSize(6);
  }

  @Test
  void anOperatorStoppedBetweenMachineCreationAndStatusLeavesNoDuplicates() throws Exception {
    operator.close();
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    // The first operator creates machines and then hangs before it can record them.
    InMemoryMachineProvider shared = cloud;
    io.mesosoperator.cloud.MachineProvider hanging =
        new io.mesosoperator.cloud.MachineProvider() {
          @Override
          public void ensureNetwork(io.mesosoperator.cloud.NetworkRequest r) {
            shared.ensureNetwork(r);
          }

          @Override
          public List<Machine> list(String uid) {
            return shared.list(uid);
          }

          @Override
          public Machine create(io.mesosoperator.cloud.MachineRequest r)
              throws io.mesosoperator.cloud.CloudException {
            shared.create(r);
            try {
              never.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            throw new io.mesosoperator.cloud.CloudException("operator stopped", true);
          }

          @Override
          public void destroy(String id) {
            shared.destroy(id);
          }
        };
    operator = OperatorHarness.start(client, c -> hanging, null);
    String uid = applyTutorial().getMetadata().getUid();
    awaitMachines(uid, 6);
    assertThat(OperatorHarness.nodes(client))
        .allSatisfy(
            n ->
                assertThat(n.getStatus() == null || n.getStatus().getMachineId() == null).isTrue());
    operator.close();
    never.countDown(); // the stuck calls of the stopped operator return and go nowhere

    operator = OperatorHarness.start(client, c -> cloud, null);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(OperatorHarness.nodes(client))
                    .allSatisfy(
                        n -> {
                          assertThat(n.getStatus()).isNotNull();
                          assertThat(n.getStatus().getMachineId()).isNotNull();
                        }));
    assertThat(cloud.list(uid)).hasSize(6);
    assertThat(cloud.list(uid).stream().map(Machine::node).distinct().count()).isEqualTo(6);
  }

  @Test
  void anInvalidSpecOverARunningClusterTouchesNothingAndSaysWhy() throws Exception {
    String uid = applyTutorial().getMetadata().getUid();
    awaitMachines(uid, 6);
    int mutations = cloud.mutations.get();
    edit(c -> c.getSpec().getRoles().get(0).setReplicas(4));
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        Conditions.get(
                            OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
                            "Ready"))
                    .hasValueSatisfying(
                        c -> {
                          assertThat(c.getReason()).isEqualTo("InvalidSpec");
                          assertThat(c.getMessage()).contains("spec.roles[0].replicas");
                        }));
    OperatorHarness.quiet(Duration.ofSeconds(3));
    assertThat(cloud.list(uid)).hasSize(6);
    assertThat(cloud.mutations.get()).isEqualTo(mutations);
    assertThat(OperatorHarness.nodes(client)).hasSize(6);
  }

  @Test
  void pauseStopsEveryChangeAndPlanOnlyPublishesThePlan() {
    String uid = applyTutorial().getMetadata().getUid();
    awaitMachines(uid, 6);
    int mutations = cloud.mutations.get();
    edit(c -> c.getMetadata().getAnnotations().put(Labels.PAUSED, "true"));
    awaitCondition("ReconciliationPaused", "Paused");
    scaleAgents(4);
    OperatorHarness.quiet(Duration.ofSeconds(4));
    assertThat(cloud.list(uid)).hasSize(6);
    assertThat(OperatorHarness.nodes(client)).hasSize(6);

    edit(
        c -> {
          c.getMetadata().getAnnotations().remove(Labels.PAUSED);
          c.getMetadata().getAnnotations().put(Labels.PLAN_ONLY, "true");
        });
    awaitCondition("ReconciliationPaused", "PlanOnly");
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(OperatorHarness.get(client, "tutorial").getStatus().getPlannedChanges())
                    .containsExactly("create node tutorial-slave-3 (agent) and its machine"));
    assertThat(cloud.mutations.get()).isEqualTo(mutations);
    assertThat(OperatorHarness.nodes(client)).hasSize(6);

    edit(c -> c.getMetadata().getAnnotations().remove(Labels.PLAN_ONLY));
    awaitMachines(uid, 7);
    awaitCondition("ReconciliationPaused", "Active");
  }

  @Test
  void aFullReconcileNeverChangesSpecOrForeignMetadata() {
    MesosCluster applied = applyTutorial();
    awaitMachines(applied.getMetadata().getUid(), 6);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> OperatorHarness.get(client, "tutorial").getStatus() != null);
    OperatorHarness.quiet(Duration.ofSeconds(3));
    MesosCluster now = OperatorHarness.get(client, "tutorial");
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(json.valueToTree(now.getSpec()).toString())
        .isEqualTo(json.valueToTree(applied.getSpec()).toString());
    assertThat(now.getMetadata().getGeneration()).isEqualTo(applied.getMetadata().getGeneration());
    assertThat(now.getMetadata().getLabels()).isEqualTo(applied.getMetadata().getLabels());
    assertThat(now.getMetadata().getAnnotations())
        .isEqualTo(applied.getMetadata().getAnnotations());
    assertThat(now.getMetadata().getFinalizers())
        .containsExactly("mesosclusters.mesosoperator.io/finalizer");
  }

  @Test
  void theOperatorWritesTheClusterOnlyByApplyingItsFinalizerAlone() throws Exception {
    applyTutorial();
    awaitCondition("MachinesReady", "AllMachinesRunning");
    List<String> writes = new java.util.ArrayList<>();
    for (var r = server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS);
        r != null;
        r = server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      if (!"GET".equals(r.getMethod())
          && r.getPath().startsWith("/apis/mesosoperator.io/v1alpha1/namespaces/test/mesosclusters")
          && !r.getPath().contains("/status")) {
        writes.add(r.getMethod() + " " + r.getPath() + " " + r.getHeader("Content-Type"));
        if ("PATCH".equals(r.getMethod())) {
          var body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.getUtf8Body());
          // JOSDK's apply body: no spec, so the operator takes no field of it.
          assertThat(body.has("spec")).as(body.toString()).isFalse();
          assertThat(body.path("metadata").fieldNames())
              .toIterable()
              .containsExactlyInAnyOrder("name", "namespace", "finalizers");
          assertThat(body.path("metadata").path("finalizers").toString())
              .isEqualTo("[\"mesosclusters.mesosoperator.io/finalizer\"]");
        }
      }
    }
    assertThat(writes)
        .as("writes of the cluster other than its status (the test's create first)")
        .containsExactly(
            "POST /apis/mesosoperator.io/v1alpha1/namespaces/test/mesosclusters application/json",
            "PATCH /apis/mesosoperator.io/v1alpha1/namespaces/test/mesosclusters/tutorial"
                + "?fieldManager=mesos-operator&force=true application/apply-patch+yaml");
  }

  private void awaitCondition(String type, String reason) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(
                        Conditions.get(
                            OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
                            type))
                    .hasValueSatisfying(c -> assertThat(c.getReason()).isEqualTo(reason)));
  }

  @Test
  void aMachineThatVanishedFromTheCloudIsReplaced() {
    String uid = applyTutorial().getMetadata().getUid();
    awaitMachines(uid, 6);
    Machine gone =
        cloud.list(uid).stream().filter(m -> m.node().equals("tutorial-slave-1")).findFirst().get();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                OperatorHarness.nodes(client).stream()
                    .filter(n -> n.getMetadata().getName().equals("tutorial-slave-1"))
                    .anyMatch(
                        n ->
                            n.getStatus() != null
                                && gone.id().equals(n.getStatus().getMachineId())));
    cloud.machines.remove(gone.id());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              MesosNode node =
                  client
                      .resources(MesosNode.class)
                      .inNamespace(NS)
                      .withName("tutorial-slave-1")
                      .get();
              assertThat(node.getStatus().getMachineId()).isNotEqualTo(gone.id()).isNotNull();
            });
    assertThat(cloud.list(uid)).hasSize(6);
    assertThat(cloud.list(uid).stream().map(Machine::node).distinct().count()).isEqualTo(6);
  }
}
