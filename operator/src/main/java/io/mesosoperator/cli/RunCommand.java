package io.mesosoperator.cli;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.mesosoperator.metrics.OperatorMetrics;
import io.mesosoperator.node.SshNodeConfigurer;
import io.mesosoperator.node.SshjSessions;
import io.mesosoperator.reconcile.DefaultProviderResolver;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.reconcile.SshClusterObserver;
import io.mesosoperator.render.ClusterRenderer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

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
      description = "Take part in leader election (needed with more than one replica).")
  boolean leaderElection;

  @Option(
      names = "--lease-name",
      defaultValue = "mesos-operator",
      description = "Lease used for leader election. Default: ${DEFAULT-VALUE}.")
  String leaseName;

  @Option(
      names = "--lease-namespace",
      description = "Namespace of the Lease. Default: the operator's own namespace.")
  String leaseNamespace;

  @Option(
      names = "--health-port",
      defaultValue = "8090",
      description = "Port of /healthz and /readyz (0: off). Default: ${DEFAULT-VALUE}.")
  int healthPort;

  @Option(
      names = "--metrics-port",
      defaultValue = "8091",
      description = "Port of the Prometheus /metrics endpoint (0: off). Default: ${DEFAULT-VALUE}.")
  int metricsPort;

  @Option(
      names = "--parallel-nodes",
      defaultValue = "16",
      description = "Nodes configured at once (SSH sessions). Default: ${DEFAULT-VALUE}.")
  int threads;

  @Option(
      names = "--ssh-kept-connections",
      defaultValue = "256",
      description =
          "Logged-in SSH connections kept open between passes, one per node (0: none). Each costs"
              + " about 260 KiB of heap and two threads; nodes beyond it log in afresh each pass."
              + " Default: ${DEFAULT-VALUE}.")
  int keptConnections;

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

  /** Counted down to stop the operator (by the shutdown hook, or a test). */
  final CountDownLatch stop = new CountDownLatch(1);

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (keptConnections < 0) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--ssh-kept-connections must be 0 or more, was " + keptConnections);
    }
    Config config;
    try {
      config = Config.autoConfigure(null);
    } catch (RuntimeException e) {
      // A kubeconfig that cannot be read: one line, as for an unreachable API server.
      String kubeconfig = System.getenv().getOrDefault("KUBECONFIG", "~/.kube/config");
      spec.commandLine()
          .getErr()
          .println(
              "mesos-operator: not starting: cannot read the Kubernetes config "
                  + kubeconfig
                  + ": "
                  + String.valueOf(e.getMessage()).lines().findFirst().orElse("")
                  + "; fix it or set KUBECONFIG to a valid kubeconfig");
      spec.commandLine().getErr().flush();
      return StartupCheck.UNREACHABLE;
    }
    config.setUserAgent(OperatorRuntime.USER_AGENT);
    // Before anything starts: the API answers, the CRDs are served, the identity may do its work.
    // A client that fails fast, so an unreachable API server is one line, not 20 s of retries.
    try (KubernetesClient check =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(config)
                    // HTTP/1.1: over HTTP/2 kube-apiserver answers a token it does not know with
                    // GOAWAY, and the client then reports a lost connection instead of the 401.
                    .withHttp2Disable(true)
                    .withRequestRetryBackoffLimit(0)
                    .withConnectionTimeout(5_000)
                    .withRequestTimeout(10_000)
                    .build())
            .build()) {
      String leaseNs =
          !leaderElection
              ? null
              : leaseNamespace != null
                  ? leaseNamespace
                  : check.getNamespace() == null ? "default" : check.getNamespace();
      Optional<StartupCheck.Refusal> refused =
          StartupCheck.run(check, new LinkedHashSet<>(namespaces), leaseNs);
      if (refused.isPresent()) {
        spec.commandLine()
            .getErr()
            .println("mesos-operator: not starting: " + refused.get().line());
        spec.commandLine().getErr().flush();
        return refused.get().exitCode();
      }
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    CountDownLatch stopped = new CountDownLatch(1);
    // Ctrl-C or SIGTERM: stop reconciling cleanly before the JVM goes.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stop.countDown();
                  try {
                    stopped.await(20, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "shutdown"));
    HttpServer health = null;
    HttpServer metrics = null;
    try (DefaultProviderResolver providers = new DefaultProviderResolver(client, localStateDir);
        OperatorRuntime operator =
            new OperatorRuntime(
                client,
                providers,
                new SshNodeConfigurer(
                    // Idle admin connections outlive three resyncs, so passes reuse them.
                    new SshjSessions(
                        SshjSessions.Timeouts.DEFAULT,
                        SshjSessions.Pooling.forResync(resync, 3).withMaxIdle(keptConnections)),
                    SshNodeConfigurer.Settings.DEFAULT),
                ClusterRenderer::render,
                new SshClusterObserver(),
                new OperatorMetrics(registry),
                Clock.systemUTC(),
                new OperatorRuntime.Settings(
                    new LinkedHashSet<>(namespaces),
                    leaderElection ? leaseName : null,
                    leaseNamespace,
                    threads,
                    resync))) {
      if (healthPort > 0) {
        health = server(healthPort);
        probe(health, "/healthz", operator::live);
        probe(health, "/readyz", operator::ready);
        health.start();
      }
      if (metricsPort > 0) {
        metrics = server(metricsPort);
        text(metrics, "/metrics", registry::scrape);
        metrics.start();
      }
      operator.start();
      System.err.println(
          "mesos-operator running against " + client.getMasterUrl() + " (Ctrl-C stops it)");
      stop.await();
    } finally {
      if (health != null) {
        health.stop(0);
      }
      if (metrics != null) {
        metrics.stop(0);
      }
      client.close();
      stopped.countDown();
    }
    return 0;
  }

  private static HttpServer server(int port) throws IOException {
    return HttpServer.create(new InetSocketAddress(port), 0);
  }

  private static void probe(HttpServer server, String path, BooleanSupplier check) {
    text(server, path, () -> check.getAsBoolean() ? "ok\n" : null);
  }

  /** Serves a text body; a null body means 503. */
  private static void text(HttpServer server, String path, Supplier<String> body) {
    server.createContext(
        path,
        exchange -> {
          String text = body.get();
          byte[] bytes = (text == null ? "not ready\n" : text).getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
          exchange.sendResponseHeaders(text == null ? 503 : 200, bytes.length);
          exchange.getResponseBody().write(bytes);
          exchange.close();
        });
  }
}
