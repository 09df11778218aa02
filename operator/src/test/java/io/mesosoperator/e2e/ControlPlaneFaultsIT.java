package io.mesosoperator.e2e;

import static io.mesosoperator.e2e.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import io.mesosoperator.testing.ControlPlane;
import io.mesosoperator.testing.Prerequisites;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The control plane fails under a running operator: kube-apiserver, then etcd, killed by PID (
 * SIGKILL) in the middle of a 3 + 3 local converge and started again on the same port with the same
 * data. The same operator (never restarted) reconnects and ends Ready with exactly six machines,
 * one per MesosNode, no duplicate.
 *
 * <p>Needs root, {@code .ci/install-packages.sh} and the built binaries; skips outside CI when
 * missing, fails in CI. Traffic goes only to loopback and to {@value #API_CIDR} and {@value
 * #ETCD_CIDR}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ControlPlaneFaultsIT {
  private static final Path ROOT =
      Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final String NS = "e2e-cp-faults";
  private static final String API_CIDR = "10.213.222.0/24";
  private static final String ETCD_CIDR = "10.213.223.0/24";
  private static final Duration RESYNC = Duration.ofSeconds(5);
  private static final Duration DOWN = Duration.ofSeconds(8);

  private ControlPlane cp;
  private KubernetesClient client;
  private Path stateDir;
  private LocalCluster operator;
  private final Map<String, String> uids = new LinkedHashMap<>(); // uid -> cidr
  private final Map<String, Long> timings = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRealNodes("control-plane faults IT");
    cp = ControlPlane.shared();
    client = cp.client();
    cp.installCrds(ROOT, NS);
    stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-cpfaults-");
    operator = new LocalCluster(client, stateDir, RESYNC, Set.of(NS));
  }

  @AfterAll
  void tearDown() throws Exception {
    if (operator != null) {
      operator.close();
      for (Map.Entry<String, String> e : uids.entrySet()) {
        List<String> left = LocalCluster.destroyLeftovers(stateDir, e.getValue(), e.getKey());
        if (!left.isEmpty()) {
          System.out.println("control-plane faults IT: destroyed leftover machines " + left);
        }
      }
    }
    if (stateDir != null) {
      LocalCluster.host(List.of("rm", "-rf", "--one-file-system", stateDir.toString()));
    }
    System.out.println("control-plane faults IT timings (ms): " + timings);
  }

  @Test
  @Order(1)
  void theApiServerKilledMidConvergeEndsReadyWithSixMachines() throws Exception {
    convergeThrough("api", API_CIDR, "kube-apiserver", cp::killApiServer, cp::startApiServer);
  }

  @Test
  @Order(2)
  void etcdKilledMidConvergeEndsReadyWithSixMachines() throws Exception {
    convergeThrough("etcd", ETCD_CIDR, "etcd", cp::killEtcd, cp::startEtcd);
  }

  private interface Step {
    Object run() throws Exception;
  }

  private interface Action {
    void run() throws Exception;
  }

  private void convergeThrough(String name, String cidr, String what, Step kill, Action start)
      throws Exception {
    long t0 = System.nanoTime();
    MesosCluster created =
        client
            .resource(
                client
                    .resources(MesosCluster.class)
                    .load(
                        new ByteArrayInputStream(
                            LocalClusterE2EIT.clusterYaml(NS, name, cidr, 3, 3, true)
                                .getBytes(StandardCharsets.UTF_8)))
                    .item())
            .create();
    String uid = created.getMetadata().getUid();
    uids.put(uid, cidr);
    // Mid-converge: the operator has made machines and nodes, and is configuring them.
    await(
        name + ": machines being made and configured",
        Duration.ofMinutes(2),
        () -> operator.local(uid) != null && operator.local(uid).list(uid).size() >= 2);
    assertThat(ready(name)).as("Ready before the kill").isFalse();
    long pid = (Long) kill.run();
    long killedAt = System.nanoTime();
    System.out.printf("control-plane faults IT: %s killed (pid %d)%n", what, pid);
    Thread.sleep(DOWN.toMillis());
    start.run();
    timings.put(name + ": " + what + " down", (System.nanoTime() - killedAt) / 1_000_000);
    await(name + ": Ready after " + what + " came back", Duration.ofMinutes(5), () -> ready(name));
    timings.put(name + ": apply to Ready through the kill", (System.nanoTime() - t0) / 1_000_000);

    LocalMachineProvider local = operator.local(uid);
    List<Machine> machines = local.list(uid);
    List<MesosNode> nodes =
        client.resources(MesosNode.class).inNamespace(NS).list().getItems().stream()
            .filter(n -> name.equals(n.getSpec().getCluster()))
            .toList();
    assertThat(machines).as("machines of %s", name).hasSize(6);
    assertThat(nodes).as("MesosNodes of %s", name).hasSize(6);
    Set<String> machineIds = machines.stream().map(Machine::id).collect(Collectors.toSet());
    List<String> nodeMachines = nodes.stream().map(n -> n.getStatus().getMachineId()).toList();
    assertThat(nodeMachines).as("one machine per node").doesNotHaveDuplicates();
    assertThat(Set.copyOf(nodeMachines)).isEqualTo(machineIds);
    assertThat(operator.standInsInstalled()).containsAll(machineIds);

    // Gone again, so the next fault starts from an empty range.
    long t1 = System.nanoTime();
    client.resources(MesosCluster.class).inNamespace(NS).withName(name).delete();
    await(
        name + ": cluster and machines gone",
        Duration.ofMinutes(2),
        () ->
            client.resources(MesosCluster.class).inNamespace(NS).withName(name).get() == null
                && local.list(uid).isEmpty());
    timings.put(name + ": delete", (System.nanoTime() - t1) / 1_000_000);
    uids.remove(uid);
  }

  private boolean ready(String name) {
    MesosCluster c = client.resources(MesosCluster.class).inNamespace(NS).withName(name).get();
    List<String> ready = new ArrayList<>();
    if (c != null && c.getStatus() != null) {
      c.getStatus().getConditions().stream()
          .filter(x -> "Ready".equals(x.getType()))
          .forEach(x -> ready.add(x.getStatus()));
    }
    return ready.contains("True");
  }
}
