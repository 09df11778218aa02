package io.mesosoperator.bench;

import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.cloud.CachingMachineProvider;
import io.mesosoperator.cloud.CountingMachineProvider;
import io.mesosoperator.cloud.JcloudsMachineProvider;
import io.mesosoperator.metrics.OperatorMetrics;
import io.mesosoperator.node.SshNodeConfigurer;
import io.mesosoperator.node.SshjSessions;
import io.mesosoperator.reconcile.DefaultProviderResolver;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.render.ClusterRenderer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * The operator in this JVM (JOSDK, both reconcilers, the real SSH configurer and renderer) against
 * the mock API server, jclouds' stub cloud, and simulated nodes behind in-process sshd with a
 * round-trip latency on every command.
 */
final class SimulatedClusterScenario implements AutoCloseable {

  /**
   * What to run.
   *
   * @param masters master replicas
   * @param agents agent replicas
   * @param parallelism the operator's concurrent reconciliations (its --parallel-nodes)
   * @param resync the operator's resync period
   * @param latencyMillis simulated round-trip latency per SSH command
   * @param timeout how long converging may take before the scenario gives up
   */
  record Config(
      int masters,
      int agents,
      int parallelism,
      Duration resync,
      long latencyMillis,
      Duration timeout) {
    int nodes() {
      return masters + agents;
    }
  }

  /** What converging took. */
  record Converge(
      double seconds,
      long passes,
      long roundTrips,
      long kubeWrites,
      long commands,
      double simCommandSeconds,
      double configurerBusySeconds,
      String writesByKind,
      CpuMeter.Figures cpu) {}

  /** One pass over every node of a converged cluster. */
  record Pass(
      double seconds,
      long passes,
      long roundTrips,
      long changes,
      long restarts,
      long kubeWrites,
      long cloudMutations,
      long cloudLists,
      long commands,
      double simCommandSeconds,
      double configurerBusySeconds,
      int maxInFlight,
      String writesByKind) {}

  final Config config;
  final MockApi api;
  final SimulatedNodes sim;
  final CountingMachineProvider cloud;
  private final CachingMachineProvider listings;
  final CountingNodeConfigurer configurer;

  /** The configurer's SSH sessions (kept-open connections), for login counts. */
  final SshjSessions ssh;

  final HeapWatch heap;
  private final OperatorRuntime operator;

  SimulatedClusterScenario(Config config, Path dir) throws Exception {
    this.config = config;
    this.heap = new HeapWatch();
    this.api = new MockApi();
    this.sim = new SimulatedNodes(dir, config.nodes(), config.latencyMillis());
    // A fresh identity is a fresh stub cloud (the stub keeps nodes in static maps per identity).
    JcloudsMachineProvider stub =
        new JcloudsMachineProvider("stub", "bench-" + UUID.randomUUID(), "bench");
    this.cloud = new CountingMachineProvider(new LoopbackMachineProvider(stub, sim));
    this.listings = new CachingMachineProvider(cloud, DefaultProviderResolver.LIST_TTL);
    // As cli/RunCommand wires it: idle connections outlive three resyncs.
    this.ssh =
        new SshjSessions(
            SshjSessions.Timeouts.DEFAULT, SshjSessions.Pooling.forResync(config.resync(), 3));
    this.configurer =
        new CountingNodeConfigurer(new SshNodeConfigurer(ssh, SshNodeConfigurer.Settings.DEFAULT));
    this.operator =
        new OperatorRuntime(
            api.client,
            // As DefaultProviderResolver wires it: one listing serves a pass of node reconciles.
            c -> listings,
            configurer,
            ClusterRenderer::render,
            null,
            OperatorMetrics.inMemory(),
            Clock.systemUTC(),
            new OperatorRuntime.Settings(
                Set.of(MockApi.NS), null, null, config.parallelism(), config.resync()));
    operator.start();
  }

  /** The cluster: stub cloud, sshd on the simulated nodes' port, no Marathon apps. */
  MesosCluster cluster() {
    String yaml =
        """
        apiVersion: mesosoperator.io/v1alpha1
        kind: MesosCluster
        metadata:
          name: bench
          namespace: %s
        spec:
          cloud:
            provider: stub
          ssh:
            port: %d
          roles:
            - name: master
              type: master
              replicas: %d
            - name: agent
              type: agent
              replicas: %d
        """
            .formatted(MockApi.NS, sim.port(), config.masters(), config.agents());
    return api.client
        .resources(MesosCluster.class)
        .load(
            new java.io.ByteArrayInputStream(
                yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .item();
  }

  /** Applies the cluster and waits until every MesosNode says Configured=True. */
  Converge applyAndConverge() throws Exception {
    api.settleCounters();
    long writes0 = api.writes.get();
    Map<String, Long> kinds0 = api.writesByKind();
    long commands0 = sim.commands.get();
    long shell0 = sim.commandNanos.get();
    long busy0 = configurer.busyNanos.get();
    CpuMeter cpu = new CpuMeter();
    long t0 = System.nanoTime();
    api.client.resource(cluster()).create();
    long deadline = t0 + config.timeout().toNanos();
    // The configurer knows first; the API confirms (status is written right after the pass).
    waitUntil(() -> configurer.configuredNodes() >= config.nodes(), deadline, 200);
    waitUntil(() -> allConfigured(), deadline, 250);
    double seconds = (System.nanoTime() - t0) / 1e9;
    CpuMeter.Figures used = cpu.read();
    api.settleCounters();
    return new Converge(
        seconds,
        configurer.passes.get(),
        configurer.roundTrips.get(),
        api.writes.get() - writes0,
        sim.commands.get() - commands0,
        (sim.commandNanos.get() - shell0) / 1e9,
        (configurer.busyNanos.get() - busy0) / 1e9,
        difference(api.writesByKind(), kinds0),
        used);
  }

  /** "PATCH mesosnodes/status=1003, POST events=2006": what was written since, most first. */
  static String difference(Map<String, Long> now, Map<String, Long> before) {
    return now.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /** Waits until no configuration pass ran for {@code quiet} (bounded by {@code max}). */
  void settle(Duration quiet, Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    long last = configurer.passes.get();
    long quietSince = System.nanoTime();
    while (System.nanoTime() < end) {
      Thread.sleep(100);
      long now = configurer.passes.get();
      if (now != last || configurer.inFlight.get() > 0) {
        last = now;
        quietSince = System.nanoTime();
      } else if (System.nanoTime() - quietSince >= quiet.toNanos()) {
        return;
      }
    }
  }

  /**
   * Makes every node reconcile once more by touching the cluster (an annotation: no spec change, so
   * nothing must be written to any node) and times until each node finished a pass.
   */
  Pass touchAndTimeOnePass() throws Exception {
    Map<String, Integer> before = configurer.passesByNode();
    Marks m = marks();
    long t0 = System.nanoTime();
    api.client
        .resources(MesosCluster.class)
        .inNamespace(MockApi.NS)
        .withName("bench")
        .edit(
            c -> {
              Map<String, String> a = new java.util.HashMap<>();
              if (c.getMetadata().getAnnotations() != null) {
                a.putAll(c.getMetadata().getAnnotations());
              }
              a.put("bench.mesosoperator.io/touch", Long.toString(t0));
              c.getMetadata().setAnnotations(a);
              return c;
            });
    long deadline = t0 + config.timeout().toNanos();
    waitUntil(
        () -> {
          Map<String, Integer> now = configurer.passesByNode();
          return before.entrySet().stream()
              .allMatch(e -> now.getOrDefault(e.getKey(), 0) > e.getValue());
        },
        deadline,
        20);
    double seconds = (System.nanoTime() - t0) / 1e9;
    // Status writes (if any) follow the pass: let them land before counting.
    settle(Duration.ofSeconds(2), Duration.ofSeconds(30));
    api.settleCounters();
    return m.pass(seconds, 1); // the annotation itself is one write
  }

  /** Counts over a window of periodic resyncs on a converged cluster. */
  Pass periodicWindow(Duration window) throws Exception {
    Marks m = marks();
    long t0 = System.nanoTime();
    Thread.sleep(window.toMillis());
    // Passes still running finish and write (or not) their status.
    for (int i = 0; i < 300 && configurer.inFlight.get() > 0; i++) {
      Thread.sleep(20);
    }
    Thread.sleep(300);
    api.settleCounters();
    return m.pass((System.nanoTime() - t0) / 1e9, 0);
  }

  private Marks marks() throws InterruptedException {
    api.settleCounters();
    configurer.maxInFlight.set(0);
    return new Marks(
        configurer.snapshot(),
        api.writes.get(),
        api.writesByKind(),
        cloud.mutations(),
        cloud.lists(),
        sim.commands.get(),
        sim.commandNanos.get());
  }

  private final class Marks {
    final CountingNodeConfigurer.Snapshot c;
    final long writes;
    final Map<String, Long> kinds;
    final long mutations;
    final long lists;
    final long commands;
    final long commandNanos;

    Marks(
        CountingNodeConfigurer.Snapshot c,
        long writes,
        Map<String, Long> kinds,
        long mutations,
        long lists,
        long commands,
        long commandNanos) {
      this.c = c;
      this.writes = writes;
      this.kinds = kinds;
      this.mutations = mutations;
      this.lists = lists;
      this.commands = commands;
      this.commandNanos = commandNanos;
    }

    Pass pass(double seconds, long ownWrites) {
      CountingNodeConfigurer.Snapshot d = configurer.snapshot().minus(c);
      return new Pass(
          seconds,
          d.passes(),
          d.roundTrips(),
          d.changes(),
          d.restarts(),
          api.writes.get() - writes - ownWrites,
          cloud.mutations() - mutations,
          cloud.lists() - lists,
          sim.commands.get() - commands,
          (sim.commandNanos.get() - commandNanos) / 1e9,
          d.busyNanos() / 1e9,
          configurer.maxInFlight.get(),
          difference(api.writesByKind(), kinds));
    }
  }

  private boolean allConfigured() {
    List<MesosNode> nodes =
        api.client.resources(MesosNode.class).inNamespace(MockApi.NS).list().getItems();
    return nodes.size() == config.nodes()
        && nodes.stream()
            .allMatch(
                n ->
                    n.getStatus() != null
                        && n.getStatus().getConditions() != null
                        && n.getStatus().getConditions().stream()
                            .anyMatch(
                                c ->
                                    "Configured".equals(c.getType())
                                        && "True".equals(c.getStatus())));
  }

  private static void waitUntil(BooleanSupplier done, long deadlineNanos, long pollMillis)
      throws Exception {
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadlineNanos) {
        throw new java.util.concurrent.TimeoutException("scenario did not finish in time");
      }
      Thread.sleep(pollMillis);
    }
  }

  @Override
  public void close() throws Exception {
    try {
      operator.close();
    } finally {
      try {
        ssh.close();
        cloud.close();
        sim.close();
      } finally {
        api.close();
        heap.close();
      }
    }
  }
}
