package io.mesosoperator.reconcile;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.node.NodeConfigurer;
import io.mesosoperator.node.NoopNodeConfigurer;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** The operator in-process against the fabric8 mock API server in CRUD mode. */
final class OperatorHarness {
  static final String NS = "test";
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));

  private OperatorHarness() {}

  static void installCrds(KubernetesClient client) throws Exception {
    for (String f :
        List.of("mesosclusters.mesosoperator.io.yaml", "mesosnodes.mesosoperator.io.yaml")) {
      try (InputStream in = Files.newInputStream(ROOT.resolve("crds").resolve(f))) {
        CustomResourceDefinition crd =
            client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    }
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  static OperatorRuntime start(
      KubernetesClient client, ProviderResolver providers, NodeConfigurer configurer) {
    return start(client, providers, configurer, (spec, nodes, node, facts, settings) -> null);
  }

  static OperatorRuntime start(
      KubernetesClient client,
      ProviderResolver providers,
      NodeConfigurer configurer,
      DesiredConfig desired) {
    return start(client, providers, configurer, desired, Duration.ofSeconds(2));
  }

  static OperatorRuntime start(
      KubernetesClient client,
      ProviderResolver providers,
      NodeConfigurer configurer,
      DesiredConfig desired,
      Duration resync) {
    OperatorRuntime runtime =
        new OperatorRuntime(
            client,
            providers,
            configurer == null ? new NoopNodeConfigurer() : configurer,
            desired,
            null,
            io.mesosoperator.metrics.OperatorMetrics.inMemory(),
            Clock.systemUTC(),
            new OperatorRuntime.Settings(Set.of(), null, null, 8, resync));
    runtime.start();
    return runtime;
  }

  static MesosCluster load(KubernetesClient client, String resource) {
    return client
        .resources(MesosCluster.class)
        .load(OperatorHarness.class.getResourceAsStream("/clusters/" + resource))
        .item();
  }

  static List<MesosNode> nodes(KubernetesClient client) {
    return client.resources(MesosNode.class).inNamespace(NS).list().getItems();
  }

  static MesosCluster get(KubernetesClient client, String name) {
    return client.resources(MesosCluster.class).inNamespace(NS).withName(name).get();
  }

  /** Counts requests that change something (anything but GET), draining the mock's queue. */
  static int writesSince(KubernetesMockServer server) throws InterruptedException {
    int writes = 0;
    for (int i = 0; i < 1_000_000; i++) {
      var request = server.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS);
      if (request == null) {
        break;
      }
      if (!"GET".equals(request.getMethod())) {
        writes++;
      }
    }
    return writes;
  }

  static void quiet(Duration d) {
    await().pollDelay(d).atMost(d.plusSeconds(1)).until(() -> true);
  }
}
