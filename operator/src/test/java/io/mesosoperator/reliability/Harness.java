package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.metrics.OperatorMetrics;
import io.mesosoperator.node.NodeConfigurer;
import io.mesosoperator.node.NoopNodeConfigurer;
import io.mesosoperator.reconcile.Conditions;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.reconcile.ProviderResolver;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/** The operator in-process against the fabric8 mock API server (CRUD mode), for these tests. */
final class Harness {
  static final String NS = "test";
  static final String NAME = "tutorial";
  static final Path ROOT = Path.of(System.getProperty("project.root", ".."));

  private Harness() {}

  static void installCrds(KubernetesClient client) throws Exception {
    for (String f :
        List.of("mesosclusters.mesosoperator.io.yaml", "mesosnodes.mesosoperator.io.yaml")) {
      try (InputStream in = Files.newInputStream(ROOT.resolve("crds").resolve(f))) {
        CustomResourceDefinition crd =
            client.apiextensions().v1().customResourceDefinitions().load(in).item();
        createOnce(
            () -> client.apiextensions().v1().customResourceDefinitions().resource(crd).create());
      }
    }
    createOnce(
        () ->
            client
                .namespaces()
                .resource(
                    new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .create());
  }

  /** A create the client may have retried after a timeout on a loaded machine: 409 is success. */
  private static void createOnce(Runnable create) {
    try {
      create.run();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  static OperatorRuntime start(
      KubernetesClient client, ProviderResolver providers, NodeConfigurer configurer) {
    return start(
        client,
        providers,
        configurer,
        new OperatorRuntime.Settings(Set.of(), null, null, 8, Duration.ofSeconds(2)));
  }

  /** The operator with its settings (watched namespaces, lease), simulated nodes by default. */
  static OperatorRuntime start(
      KubernetesClient client,
      ProviderResolver providers,
      NodeConfigurer configurer,
      OperatorRuntime.Settings settings) {
    OperatorRuntime runtime =
        new OperatorRuntime(
            client,
            providers,
            configurer == null ? new NoopNodeConfigurer() : configurer,
            (spec, nodes, node, facts, nodeSettings) -> null,
            null,
            OperatorMetrics.inMemory(),
            Clock.systemUTC(),
            settings);
    runtime.start();
    return runtime;
  }

  /** The tutorial's 3 masters + 3 agents on the stub provider. */
  static MesosCluster tutorial(KubernetesClient client) {
    return client
        .resources(MesosCluster.class)
        .load(Harness.class.getResourceAsStream("/clusters/tutorial-stub.yaml"))
        .item();
  }

  static MesosCluster get(KubernetesClient client) {
    return get(client, NAME);
  }

  static MesosCluster get(KubernetesClient client, String name) {
    return client.resources(MesosCluster.class).inNamespace(NS).withName(name).get();
  }

  static List<MesosNode> nodes(KubernetesClient client) {
    return client.resources(MesosNode.class).inNamespace(NS).list().getItems();
  }

  static boolean isTrue(MesosCluster c, String type) {
    return c != null
        && c.getStatus() != null
        && Conditions.isTrue(c.getStatus().getConditions(), type);
  }

  /** Waits until the cluster's status says all its machines run, for its current generation. */
  static void awaitMachinesReady(KubernetesClient client, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              MesosCluster c = get(client);
              assertThat(isTrue(c, Conditions.MACHINES_READY)).as("MachinesReady").isTrue();
              assertThat(c.getStatus().getObservedGeneration())
                  .isEqualTo(c.getMetadata().getGeneration());
            });
  }

  /** Edits the cluster as a user would: on a 409 conflict, read again and retry. */
  static void edit(KubernetesClient client, String name, Consumer<MesosCluster> change) {
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(
            () -> {
              client
                  .resources(MesosCluster.class)
                  .inNamespace(NS)
                  .withName(name)
                  .edit(
                      c -> {
                        change.accept(c);
                        return c;
                      });
              return true;
            });
  }

  static void quiet(Duration d) {
    await().pollDelay(d).atMost(d.plusSeconds(1)).until(() -> true);
  }
}
