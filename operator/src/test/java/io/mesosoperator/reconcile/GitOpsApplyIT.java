package io.mesosoperator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.node.NoopNodeConfigurer;
import io.mesosoperator.testing.ControlPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cluster applied the way GitOps tools apply it ({@code kubectl apply --server-side} under their
 * own field manager), converged by the operator on the real apiserver with simulated nodes (the
 * in-memory cloud, no node configuration): a server-side diff of the same manifest is then empty,
 * and the operator's field manager owns only the status and its finalizer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GitOpsApplyIT {
  private static final Path ROOT =
      Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final String NS = "gitops-apply";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ControlPlane cp;
  private KubernetesClient client;
  private OperatorRuntime operator;
  private KubernetesClient operatorClient;

  @BeforeAll
  void start() throws IOException {
    cp = ControlPlane.shared();
    cp.installCrds(ROOT, NS);
    client = cp.client();
    // The operator's own client, with its user agent as RunCommand sets it.
    io.fabric8.kubernetes.client.Config config =
        io.fabric8.kubernetes.client.Config.fromKubeconfig(Files.readString(cp.adminKubeconfig()));
    config.setUserAgent(OperatorRuntime.USER_AGENT);
    operatorClient =
        new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(config).build();
    operator =
        new OperatorRuntime(
            operatorClient,
            c -> new InMemoryMachineProvider(),
            new NoopNodeConfigurer(),
            (spec, nodes, node, facts, settings) -> null,
            null,
            io.mesosoperator.metrics.OperatorMetrics.inMemory(),
            Clock.systemUTC(),
            new OperatorRuntime.Settings(Set.of(NS), null, null, 8, Duration.ofSeconds(2)));
    operator.start();
  }

  @AfterAll
  void stop() {
    if (operator != null) {
      operator.close();
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"argocd", "flux"})
  void appliedByAGitOpsToolConvergesWithoutDriftOrSharedFields(String tool, @TempDir Path dir)
      throws Exception {
    String name = "gitops-" + tool;
    String manifest =
        new String(
                getClass().getResourceAsStream("/clusters/tutorial-stub.yaml").readAllBytes(),
                StandardCharsets.UTF_8)
            .replace("name: tutorial", "name: " + name)
            .replace("namespace: test", "namespace: " + NS);
    Path file = dir.resolve(name + ".yaml");
    Files.writeString(file, manifest);
    Path kubeconfig = cp.writeKubeconfig(dir.resolve("kubeconfig"), NS, null);

    Result applied =
        kubectl(kubeconfig, "apply", "--server-side", "--field-manager=" + tool, "-f", file);
    assertThat(applied.exit()).as(applied.out()).isZero();

    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () -> {
              MesosCluster c =
                  client.resources(MesosCluster.class).inNamespace(NS).withName(name).get();
              assertThat(c.getStatus()).isNotNull();
              assertThat(Conditions.isTrue(c.getStatus().getConditions(), "MachinesReady"))
                  .isTrue();
              List<MesosNode> nodes =
                  client
                      .resources(MesosNode.class)
                      .inNamespace(NS)
                      .withLabel("mesosoperator.io/cluster", name)
                      .list()
                      .getItems();
              assertThat(nodes).hasSize(6);
              assertThat(nodes)
                  .allSatisfy(
                      n ->
                          assertThat(
                                  n.getStatus() != null
                                      && Conditions.isTrue(n.getStatus().getConditions(), "Ready"))
                              .as(n.getMetadata().getName())
                              .isTrue());
            });

    Result diff =
        kubectl(kubeconfig, "diff", "--server-side", "--field-manager=" + tool, "-f", file);
    assertThat(diff.exit()).as("kubectl diff exit (0: no difference); %s", diff.out()).isZero();
    assertThat(diff.out()).isEmpty();

    MesosCluster live = client.resources(MesosCluster.class).inNamespace(NS).withName(name).get();
    List<String> operatorFields = new ArrayList<>();
    Set<String> managers = new TreeSet<>();
    for (ManagedFieldsEntry e : live.getMetadata().getManagedFields()) {
      managers.add(e.getManager());
      if (StatusWriter.FIELD_MANAGER.equals(e.getManager())) {
        JsonNode fields = JSON.valueToTree(e.getFieldsV1()).path("additionalProperties");
        if (fields.isMissingNode() || fields.isEmpty()) {
          fields = JSON.valueToTree(e.getFieldsV1());
        }
        for (Iterator<String> it = fields.fieldNames(); it.hasNext(); ) {
          String top = it.next();
          if ("f:metadata".equals(top)) {
            for (Iterator<String> m = fields.get(top).fieldNames(); m.hasNext(); ) {
              operatorFields.add(top + "." + m.next());
            }
          } else {
            operatorFields.add(top);
          }
        }
      }
    }
    assertThat(managers).as("field managers").containsExactlyInAnyOrder(tool, "mesos-operator");
    assertThat(operatorFields)
        .as("what the operator owns")
        .containsExactlyInAnyOrder("f:status", "f:metadata.f:finalizers");
    assertThat(live.getMetadata().getManagedFields())
        .filteredOn(e -> tool.equals(e.getManager()))
        .singleElement()
        .satisfies(
            e -> assertThat(JSON.valueToTree(e.getFieldsV1()).toString()).contains("f:spec"));

    Result deleted = kubectl(kubeconfig, "delete", "-f", file, "--timeout=90s");
    assertThat(deleted.exit()).as(deleted.out()).isZero();
  }

  record Result(int exit, String out) {}

  private Result kubectl(Path kubeconfig, Object... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                cp.kubectl().toString(),
                "--kubeconfig",
                kubeconfig.toString(),
                "--request-timeout=60s"));
    for (Object a : args) {
      command.add(a.toString());
    }
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
