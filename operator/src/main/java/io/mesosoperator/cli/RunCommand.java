package io.mesosoperator.cli;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.mesosoperator.node.SshNodeConfigurer;
import io.mesosoperator.reconcile.DefaultProviderResolver;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.reconcile.SshClusterObserver;
import io.mesosoperator.render.ClusterRenderer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the operator against the current kubeconfig or in-cluster config. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the operator (the default) against KUBECONFIG or the in-cluster config.")
public class RunCommand implements Callable<Integer> {

  @Option(
      names = "--namespaces",
      split = ",",
      description = "Namespaces to watch (comma separated). Default: all.")
  List<String> namespaces = List.of();

  @Option(
      names = "--leader-election",
      paramLabel = "LEASE",
      description = "Take part in leader election with this Lease name (for replicas > 1).")
  String lease;

  @Option(names = "--lease-namespace", description = "Namespace of the Lease.")
  String leaseNamespace;

  @Option(
      names = "--health-port",
      defaultValue = "8090",
      description = "Port of /healthz and /readyz (0: off). Default: ${DEFAULT-VALUE}.")
  int healthPort;

  @Option(
      names = "--parallel-nodes",
      defaultValue = "16",
      description = "Nodes configured at once (SSH sessions). Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(
      names = "--resync",
      defaultValue = "PT60S",
      description = "How often a converged resource is observed again (ISO-8601). Default: 60 s.")
  Duration resync;

  @Option(
      names = "--local-state-dir",
      defaultValue = "/var/lib/mesos-operator/local",
      description = "Where the local provider keeps its machines.")
  Path localStateDir;

  @Override
  public Integer call() throws Exception {
    KubernetesClient client = new KubernetesClientBuilder().build();
    CountDownLatch stopped = new CountDownLatch(1);
    try (DefaultProviderResolver providers = new DefaultProviderResolver(client, localStateDir);
        OperatorRuntime operator =
            new OperatorRuntime(
                client,
                providers,
                new SshNodeConfigurer(),
                ClusterRenderer::render,
                new SshClusterObserver(),
                Clock.systemUTC(),
                new OperatorRuntime.Settings(
                    new LinkedHashSet<>(namespaces), lease, leaseNamespace, threads, resync))) {
      HttpServer health = healthPort > 0 ? health(healthPort, operator) : null;
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "shutdown"));
      operator.start();
      System.err.println(
          "mesos-operator running against " + client.getMasterUrl() + " (Ctrl-C stops it)");
      stopped.await();
      if (health != null) {
        health.stop(0);
      }
    } finally {
      client.close();
    }
    return 0;
  }

  static HttpServer health(int port, OperatorRuntime operator) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
    endpoint(server, "/healthz", operator::live);
    endpoint(server, "/readyz", operator::ready);
    server.start();
    return server;
  }

  private static void endpoint(HttpServer server, String path, BooleanSupplier check) {
    server.createContext(
        path,
        exchange -> {
          boolean ok = check.getAsBoolean();
          byte[] body = (ok ? "ok\n" : "not ready\n").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
  }
}
