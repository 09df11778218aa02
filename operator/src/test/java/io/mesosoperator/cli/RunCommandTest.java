package io.mesosoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.testing.MockApiServer;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The README's run command: the jar's default command against a cluster given by kubeconfig. */
@MockApiServer
class RunCommandTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @Test
  void runsTheOperatorAgainstTheKubeconfigAndServesHealthAndMetrics(@TempDir Path dir)
      throws Exception {
    Path root = Path.of(System.getProperty("project.root", ".."));
    for (String f :
        List.of("mesosclusters.mesosoperator.io.yaml", "mesosnodes.mesosoperator.io.yaml")) {
      try (InputStream in = Files.newInputStream(root.resolve("crds").resolve(f))) {
        CustomResourceDefinition crd =
            client.apiextensions().v1().customResourceDefinitions().load(in).item();
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      }
    }
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName("test").endMetadata().build())
        .create();
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: mock\n  cluster:\n    server: "
            + client.getMasterUrl()
            + "\n    insecure-skip-tls-verify: true\ncontexts:\n- name: mock\n  context:\n"
            + "    cluster: mock\n    user: mock\n    namespace: test\ncurrent-context: mock\n"
            + "users:\n- name: mock\n  user:\n    token: mock\n");
    int health = freePort();
    int metrics = freePort();
    String before = System.getProperty(Config.KUBERNETES_KUBECONFIG_FILE);
    System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, kubeconfig.toString());
    RunCommand run = new RunCommand();
    CompletableFuture<Integer> exit;
    try {
      exit =
          CompletableFuture.supplyAsync(
              () ->
                  new CommandLine(run)
                      .execute(
                          "--health-port=" + health,
                          "--metrics-port=" + metrics,
                          "--resync=PT2S",
                          "--namespaces=test"));
      MesosCluster cluster =
          client
              .resources(MesosCluster.class)
              .load(getClass().getResourceAsStream("/clusters/tutorial-stub.yaml"))
              .item();
      client.resource(cluster).create();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(
                          client.resources(MesosNode.class).inNamespace("test").list().getItems())
                      .hasSize(6));
      HttpClient http = HttpClient.newHttpClient();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(get(http, "http://127.0.0.1:" + health + "/readyz").statusCode())
                      .isEqualTo(200));
      assertThat(get(http, "http://127.0.0.1:" + health + "/healthz").statusCode()).isEqualTo(200);
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(get(http, "http://127.0.0.1:" + metrics + "/metrics").body())
                      .contains("mesos_operator_reconcile_seconds")
                      .contains("mesos_operator_nodes{"));
    } finally {
      run.stop.countDown();
      if (before == null) {
        System.clearProperty(Config.KUBERNETES_KUBECONFIG_FILE);
      } else {
        System.setProperty(Config.KUBERNETES_KUBECONFIG_FILE, before);
      }
    }
    assertThat(exit.get(30, java.util.concurrent.TimeUnit.SECONDS)).isZero();
  }

  private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void aNegativeKeptConnectionCountIsRefusedNamingTheOption() {
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cl = new CommandLine(new RunCommand());
    cl.setErr(new java.io.PrintWriter(err, true));
    int exit = cl.execute("--ssh-kept-connections=-1");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString()).contains("--ssh-kept-connections must be 0 or more, was -1");
  }
}
