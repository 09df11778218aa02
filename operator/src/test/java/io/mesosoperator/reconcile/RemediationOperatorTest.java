package io.mesosoperator.reconcile;

import static io.mesosoperator.reconcile.OperatorHarness.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.MesosNodeStatus;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.NetworkRequest;
import io.mesosoperator.metrics.OperatorMetrics;
import io.mesosoperator.node.ConditionState;
import io.mesosoperator.node.NodeConfigurer;
import io.mesosoperator.node.NodeResult;
import io.mesosoperator.node.NodeTarget;
import io.mesosoperator.node.ZooKeeperBackup;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.testing.MockApiServer;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Remediation and backup-before-risk end to end against the mock API server: an in-memory cloud, a
 * node configurer whose "down" machines cannot be reached, a clock the test moves, and a fake
 * ZooKeeper backup (observer off, so master steps are gated on the masters being configured).
 */
@MockApiServer
class RemediationOperatorTest {
  KubernetesClient client;
  Operator operator;
  final Cloud cloud = new Cloud();
  final Set<String> down = ConcurrentHashMap.newKeySet();
  final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  final List<String> events = Collections.synchronizedList(new ArrayList<>());
  final List<List<Integer>> backups = Collections.synchronizedList(new ArrayList<>());
  final AtomicBoolean backupFails = new AtomicBoolean();

  /** The in-memory cloud, with a log of every create and destroy in order. */
  static final class Cloud implements MachineProvider {
    final InMemoryMachineProvider machines = new InMemoryMachineProvider();
    final List<String> log = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void ensureNetwork(NetworkRequest request) {
      machines.ensureNetwork(request);
    }

    @Override
    public List<Machine> list(String clusterUid) {
      return machines.list(clusterUid);
    }

    @Override
    public Machine create(MachineRequest request) throws CloudException {
      Machine m = machines.create(request);
      log.add("create " + request.node());
      return m;
    }

    @Override
    public void destroy(String machineId) {
      Machine m = machines.machines.get(machineId);
      machines.destroy(machineId);
      if (m != null) {
        log.add("destroy " + m.node());
      }
    }
  }

  final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };

  /**
   * Per node and machine address: the node's status on the API server when the configurer was first
   * called for that machine (before the pass's own end-of-pass write).
   */
  final Map<String, MesosNodeStatus> statusAtFirstConfigure = new ConcurrentHashMap<>();

  /** Configured at once, except machines whose address is down: those are Unreachable. */
  final NodeConfigurer configurer =
      new NodeConfigurer() {
        @Override
        public NodeResult configure(NodeTarget target, Function<NodeFacts, NodeConfig> desired) {
          String key = target.node() + "@" + target.address();
          if (!statusAtFirstConfigure.containsKey(key)) {
            MesosNode onServer = node(target.node());
            statusAtFirstConfigure.put(
                key, onServer.getStatus() == null ? new MesosNodeStatus() : onServer.getStatus());
          }
          if (down.contains(target.address())) {
            ConditionState unknown = ConditionState.unknown("Unreachable", "node not reached");
            return new NodeResult(
                ConditionState.isFalse("Unreachable", "cannot connect: timed out"),
                unknown,
                unknown,
                null,
                null,
                0,
                0,
                1,
                List.of());
          }
          ConditionState ok = ConditionState.isTrue("Ok", "ok");
          return new NodeResult(
              ok, ok, ok, "SHA256:fake-" + target.address(), "digest", 0, 0, 1, List.of());
        }
      };

  final EventRecorder recorder =
      new EventRecorder() {
        @Override
        public void normal(HasMetadata about, String reason, String message) {
          events.add(reason + " " + about.getMetadata().getName() + ": " + message);
        }

        @Override
        public void warning(HasMetadata about, String reason, String message) {
          normal(about, reason, message);
        }
      };

  final ZooKeeperBackup backup =
      (target, cluster, at) -> {
        if (backupFails.get()) {
          throw new IOException("no space left on device");
        }
        backups.add(new ArrayList<>());
        return new ZooKeeperBackup.Result(
            "/var/backups/mesos-operator/zookeeper/" + cluster + "-x", 2, 42);
      };

  @BeforeEach
  void setUp() throws Exception {
    OperatorHarness.installCrds(client);
    operator = start();
  }

  @AfterEach
  void tearDown() {
    if (operator != null) {
      operator.stop();
    }
  }

  private Operator start() {
    Operator o =
        new Operator(
            c ->
                c.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withSSABasedCreateUpdateMatchForDependentResources(false)
                    .withConcurrentReconciliationThreads(8)
                    .withCloseClientOnStop(false)
                    .withReconciliationTerminationTimeout(Duration.ofSeconds(10)));
    OperatorMetrics metrics = OperatorMetrics.inMemory();
    o.register(
        new MesosClusterReconciler(
            client, c -> cloud, recorder, clock, Duration.ofSeconds(1), null, metrics, backup));
    o.register(
        new MesosNodeReconciler(
            client,
            c -> cloud,
            configurer,
            (spec, nodes, node, facts, settings) -> null,
            recorder,
            clock,
            Duration.ofSeconds(1),
            metrics));
    o.start();
    return o;
  }

  private MesosCluster create(int masters, int agents, int maxConcurrent) {
    MesosCluster c = OperatorHarness.load(client, "tutorial-stub.yaml");
    c.getSpec().getMarathon().getApps().clear();
    c.getSpec().getRoles().get(0).setReplicas(masters);
    c.getSpec().getRoles().get(1).setReplicas(agents);
    c.getSpec().getRemediation().setMaxConcurrent(maxConcurrent);
    MesosCluster created = client.resource(c).create();
    awaitAllReady(masters + agents);
    return created;
  }

  private void awaitAllReady(int n) {
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(OperatorHarness.nodes(client))
                    .hasSize(n)
                    .allSatisfy(
                        x ->
                            assertThat(
                                    Conditions.isTrue(
                                        x.getStatus().getConditions(), Conditions.READY))
                                .as(x.getMetadata().getName())
                                .isTrue()));
  }

  private MesosNode node(String name) {
    return client.resources(MesosNode.class).inNamespace(NS).withName(name).get();
  }

  /** Takes the node's current machine off the network and waits until it is seen Unreachable. */
  private String cutOff(String name) {
    MesosNode n = node(name);
    down.add(n.getStatus().getPrivateAddress());
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () ->
                Conditions.get(node(name).getStatus().getConditions(), Conditions.REACHABLE)
                    .map(c -> "False".equals(c.getStatus()))
                    .orElse(false));
    return n.getStatus().getMachineId();
  }

  private String remediatingReason() {
    return Conditions.get(
            OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
            Remediator.REMEDIATING)
        .map(c -> c.getReason())
        .orElse("");
  }

  private int indexOf(String prefix) {
    synchronized (events) {
      for (int i = 0; i < events.size(); i++) {
        if (events.get(i).startsWith(prefix)) {
          return i;
        }
      }
    }
    return -1;
  }

  @Test
  void unreachableAgentsAreReplacedOnlyMaxConcurrentAtATime() {
    create(3, 3, 1);
    String m0 = cutOff("tutorial-slave-0");
    String m1 = cutOff("tutorial-slave-1");
    // Not yet past unreachableAfter (10m): nothing happens.
    now.set(now.get().plus(Duration.ofMinutes(9)));
    OperatorHarness.quiet(Duration.ofSeconds(3));
    assertThat(cloud.log).noneMatch(l -> l.startsWith("destroy"));

    now.set(now.get().plus(Duration.ofMinutes(2)));
    List<Integer> underWay = Collections.synchronizedList(new ArrayList<>());
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var status = OperatorHarness.get(client, "tutorial").getStatus();
              underWay.add(
                  status.getRemediation() == null ? 0 : status.getRemediation().getNodes().size());
              assertThat(node("tutorial-slave-0").getStatus().getMachineId()).isNotEqualTo(m0);
              assertThat(node("tutorial-slave-1").getStatus().getMachineId()).isNotEqualTo(m1);
              assertThat(events).filteredOn(e -> e.startsWith("NodeRemediated")).hasSize(2);
              assertThat(remediatingReason()).isEqualTo("Idle");
            });
    awaitAllReady(6);
    assertThat(underWay).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1));
    // The one that waited said why.
    assertThat(events)
        .anyMatch(e -> e.startsWith(io.mesosoperator.plan.Remediation.CONCURRENCY_LIMIT));
    // In the cloud: the second machine is destroyed only after the first one's replacement.
    List<String> log =
        cloud.log.stream().filter(l -> l.contains("slave-0") || l.contains("slave-1")).toList();
    int firstDestroy =
        log.indexOf(log.stream().filter(l -> l.startsWith("destroy")).findFirst().get());
    String first = log.get(firstDestroy).substring("destroy ".length());
    String second = first.equals("tutorial-slave-0") ? "tutorial-slave-1" : "tutorial-slave-0";
    assertThat(log.indexOf("destroy " + second)).isGreaterThan(log.lastIndexOf("create " + first));
    assertThat(events).anyMatch(e -> e.startsWith("NodeUnreachable tutorial: node " + first));
    // Masters and the other agent were never touched.
    assertThat(cloud.log).filteredOn(l -> l.startsWith("destroy")).hasSize(2);
  }

  @Test
  void thePauseAnnotationStopsRemediation() {
    create(1, 1, 1);
    String old = cutOff("tutorial-slave-0");
    edit(c -> c.getMetadata().getAnnotations().put(Labels.PAUSED, "true"));
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () ->
                Conditions.isTrue(
                    OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
                    Conditions.RECONCILIATION_PAUSED));
    now.set(now.get().plus(Duration.ofHours(1)));
    OperatorHarness.quiet(Duration.ofSeconds(4));
    assertThat(cloud.log).noneMatch(l -> l.startsWith("destroy"));
    assertThat(node("tutorial-slave-0").getStatus().getMachineId()).isEqualTo(old);

    edit(c -> c.getMetadata().getAnnotations().remove(Labels.PAUSED));
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(node("tutorial-slave-0").getStatus().getMachineId()).isNotEqualTo(old));
  }

  @Test
  void aNewMachinesAddressIsOnTheServerBeforeItsConfigurationStarts() {
    // One master, no siblings to wait for: its first pass goes from the machine step straight
    // into configuration, where siblings would otherwise wait for its address until the end.
    create(1, 0, 1);
    MesosNode master = node("tutorial-master-0");
    String address = master.getStatus().getPrivateAddress();
    MesosNodeStatus seen = statusAtFirstConfigure.get("tutorial-master-0@" + address);
    assertThat(seen).as("configurer called for the node's machine").isNotNull();
    assertThat(seen.getPrivateAddress()).isEqualTo(address);
    assertThat(seen.getMachineId()).isEqualTo(master.getStatus().getMachineId());
    assertThat(Conditions.isTrue(seen.getConditions(), Conditions.MACHINE_READY)).isTrue();
    // Not configured yet, and the published status does not claim it.
    assertThat(Conditions.get(seen.getConditions(), Conditions.CONFIGURED)).isEmpty();
    assertThat(Conditions.get(seen.getConditions(), Conditions.READY))
        .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));
  }

  @Test
  void aReplacementMachineIsPublishedWithoutThePreviousMachinesObservations() {
    create(1, 1, 1);
    String old = cutOff("tutorial-slave-0");
    String oldAddress = node("tutorial-slave-0").getStatus().getPrivateAddress();
    String unreachableSince =
        Conditions.get(node("tutorial-slave-0").getStatus().getConditions(), Conditions.REACHABLE)
            .get()
            .getLastTransitionTime();
    now.set(now.get().plus(Duration.ofMinutes(11))); // past unreachableAfter: replaced
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(node("tutorial-slave-0").getStatus().getMachineId()).isNotEqualTo(old));
    awaitAllReady(2);
    MesosNodeStatus after = node("tutorial-slave-0").getStatus();
    assertThat(after.getPrivateAddress()).isNotEqualTo(oldAddress);
    MesosNodeStatus seen =
        statusAtFirstConfigure.get("tutorial-slave-0@" + after.getPrivateAddress());
    assertThat(seen).as("configurer called for the new machine").isNotNull();
    assertThat(seen.getMachineId()).isEqualTo(after.getMachineId());
    assertThat(seen.getPrivateAddress()).isEqualTo(after.getPrivateAddress());
    // What was seen on the old machine is not published beside the new one: Unknown.
    for (String type :
        List.of(Conditions.REACHABLE, Conditions.CONFIGURED, Conditions.SERVICES_RUNNING)) {
      assertThat(Conditions.get(seen.getConditions(), type))
          .as(type)
          .hasValueSatisfying(
              c -> {
                assertThat(c.getStatus()).isEqualTo("Unknown");
                assertThat(c.getReason()).isEqualTo(MesosNodeReconciler.NEW_MACHINE);
              });
    }
    // Remediation counts unreachability from Reachable=False's transition: that one is new.
    assertThat(Conditions.get(seen.getConditions(), Conditions.REACHABLE).get())
        .extracting(c -> c.getLastTransitionTime())
        .isNotEqualTo(unreachableSince)
        .isEqualTo(now.get().toString());
    // The fresh machine was not taken for the unreachable one: one destroy in all.
    OperatorHarness.quiet(Duration.ofSeconds(3));
    assertThat(cloud.log).filteredOn(l -> l.startsWith("destroy")).hasSize(1);
    assertThat(node("tutorial-slave-0").getStatus().getMachineId()).isEqualTo(after.getMachineId());
  }

  @Test
  void aVanishedAgentMachineIsReplacedThroughTheSameGate() {
    String uid = create(3, 2, 1).getMetadata().getUid();
    String old = node("tutorial-slave-1").getStatus().getMachineId();
    cloud.machines.machines.remove(old); // gone from the cloud behind the operator's back
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(node("tutorial-slave-1").getStatus().getMachineId()).isNotEqualTo(old);
              assertThat(events).anyMatch(e -> e.startsWith("NodeRemediated tutorial"));
            });
    awaitAllReady(5);
    assertThat(cloud.list(uid)).hasSize(5);
    assertThat(events).anyMatch(e -> e.startsWith("MachineVanished tutorial-slave-1"));
  }

  @Test
  void aMasterIsNotReplacedWhenThatWouldLoseTheQuorumAndIsReplacedUnderANewIdWhenItWouldNot() {
    create(3, 1, 3);
    List<Integer> ids = List.of(1, 2, 3);
    assertThat(masters()).extracting(n -> n.getSpec().getZkId()).containsExactlyElementsOf(ids);
    String m1 = cutOff("tutorial-master-1");
    cutOff("tutorial-master-2");
    now.set(now.get().plus(Duration.ofMinutes(11)));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> remediatingReason().equals("QuorumWouldBeLost"));
    OperatorHarness.quiet(Duration.ofSeconds(3));
    assertThat(masters()).extracting(n -> n.getSpec().getZkId()).containsExactlyElementsOf(ids);
    assertThat(cloud.log).noneMatch(l -> l.startsWith("destroy"));
    assertThat(events).anyMatch(e -> e.startsWith("QuorumWouldBeLost tutorial"));
    assertThat(backups).isEmpty();

    // master-2 comes back: two of three reachable, so master-1 is replaced.
    down.remove(node("tutorial-master-2").getStatus().getPrivateAddress());
    await()
        .atMost(Duration.ofSeconds(90))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(masters())
                  .extracting(n -> n.getSpec().getZkId())
                  .containsExactlyInAnyOrder(1, 3, 4);
              assertThat(masters())
                  .allSatisfy(
                      n -> assertThat(n.getStatus().getEnsemble()).containsExactly(1, 3, 4));
              assertThat(events).anyMatch(e -> e.startsWith("NodeRemediated tutorial: master"));
              // The cluster's status clears the replacement in a cluster pass after the node
              // passes above: wait for it too, not just for the nodes.
              assertThat(
                      OperatorHarness.get(client, "tutorial")
                          .getStatus()
                          .getRemediation()
                          .getNodes())
                  .isEmpty();
            });
    assertThat(node("tutorial-master-1").getStatus().getMachineId()).isNotEqualTo(m1);
    var status = OperatorHarness.get(client, "tutorial").getStatus();
    assertThat(status.getRemediation().getRetiredZooKeeperIds()).containsExactly(2);
    assertThat(status.getRemediation().getNodes()).isEmpty();
    // The ensemble changed twice (without id 2, then with id 4): one backup before each.
    assertThat(backups).hasSize(2);
    assertThat(indexOf("ZooKeeperBackedUp")).isLessThan(indexOf("EnsembleChanged"));
    assertThat(indexOf("ZooKeeperBackedUp")).isGreaterThan(indexOf("NodeUnreachable"));
    assertThat(status.getZookeeperBackup().getTargetEnsemble()).containsExactly(1, 3, 4);
  }

  @Test
  void aMasterMembershipChangeWaitsForItsBackupAndTakesItOncePerTarget() {
    create(3, 1, 1);
    events.clear(); // the new cluster's own MasterAdded events
    backupFails.set(true);
    edit(c -> c.getSpec().getRoles().get(0).setReplicas(5));
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> mastersScaled().equals(ZooKeeperBackups.BACKUP_FAILED));
    OperatorHarness.quiet(Duration.ofSeconds(3));
    assertThat(masters()).hasSize(3);
    assertThat(events).noneMatch(e -> e.startsWith("MasterAdded"));
    assertThat(events).anyMatch(e -> e.contains("no space left on device"));

    backupFails.set(false);
    await()
        .atMost(Duration.ofSeconds(90))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(masters()).hasSize(5);
              assertThat(mastersScaled()).isEqualTo("AsSpecified");
            });
    // Two membership targets on the way ({1..4}, {1..5}): two backups, each before its step.
    assertThat(backups).hasSize(2);
    assertThat(indexOf("ZooKeeperBackedUp")).isLessThan(indexOf("MasterAdded"));
    assertThat(events)
        .filteredOn(e -> e.startsWith("ZooKeeperBackedUp"))
        .allSatisfy(e -> assertThat(e).contains("/var/backups/mesos-operator/zookeeper/"));
    assertThat(OperatorHarness.get(client, "tutorial").getStatus().getZookeeperBackup().getPath())
        .startsWith("/var/backups/mesos-operator/zookeeper/tutorial-");
  }

  private String mastersScaled() {
    return Conditions.get(
            OperatorHarness.get(client, "tutorial").getStatus().getConditions(),
            Conditions.MASTERS_SCALED)
        .map(c -> c.getReason())
        .orElse("");
  }

  private List<MesosNode> masters() {
    return OperatorHarness.nodes(client).stream()
        .filter(n -> n.getSpec().getRoleType() == RoleType.MASTER)
        .sorted(java.util.Comparator.comparing(n -> n.getSpec().getOrdinal()))
        .toList();
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
}
