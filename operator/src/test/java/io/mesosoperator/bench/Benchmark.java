package io.mesosoperator.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Runs every scenario and fills in the results. */
final class Benchmark {

  /** How big to run. */
  enum Variant {
    /** The numbers: 3+1000 simulated nodes; 3+9 for the no-op pass. */
    FULL(
        1000,
        9,
        Duration.ofMinutes(20),
        Duration.ofSeconds(5),
        Duration.ofSeconds(3),
        new int[] {1, 3, 9},
        3),
    /**
     * The CI check: 3+50 and 3+1 simulated; only proves every key is produced. No local-provider
     * shape: one 3+1 run and its delete add about 70 s (measured under load), over the 60 s budget.
     */
    SMOKE(
        50,
        1,
        Duration.ofMinutes(2),
        Duration.ofSeconds(1),
        Duration.ofSeconds(1),
        new int[] {},
        1);

    final int scaleAgents;
    final int noopAgents;
    final Duration timeout;
    final Duration idle;
    final Duration noopResync;

    /** Agent counts of the local-provider shapes (3 masters each). */
    final int[] localAgents;

    /** Runs per local shape; the median is reported. */
    final int localRuns;

    Variant(
        int scaleAgents,
        int noopAgents,
        Duration timeout,
        Duration idle,
        Duration noopResync,
        int[] localAgents,
        int localRuns) {
      this.localAgents = localAgents;
      this.localRuns = localRuns;
      this.noopResync = noopResync;
      this.scaleAgents = scaleAgents;
      this.noopAgents = noopAgents;
      this.timeout = timeout;
      this.idle = idle;
    }
  }

  static final int MASTERS = 3;
  static final int PARALLELISM = 16; // the operator's default --parallel-nodes
  static final long LATENCY_MS = 20;
  static final double GOAL_CONVERGE_S = 60;
  static final double GOAL_STEADY_S = 10;
  static final double GOAL_HEAP_MIB = 512;
  static final long HEAP_SAMPLE_MS = 10_000;

  private Benchmark() {}

  static BenchResults run(Variant variant, Path work) throws Exception {
    BenchResults results = new BenchResults(variant.name().toLowerCase(Locale.ROOT));
    long t0 = System.nanoTime();
    // Cold start first: a fresh JVM is what a restarted operator pod is.
    results.measured(
        "operator_start_s",
        OperatorStartScenario.startSeconds(),
        "in-process OperatorRuntime.start() to ready(), empty mock API server, cold JVM");
    OperatorStartScenario.Idle idle =
        OperatorStartScenario.idleRss(
            MockApi.ROOT.resolve("operator/target/mesos-operator.jar"),
            Files.createDirectories(work.resolve("idle")),
            variant.idle);
    if (idle.rssMib() == null) {
      results.missing("operator_idle_rss_mib", BenchResults.Goal.NONE, null, idle.note());
    } else {
      results.measured("operator_idle_rss_mib", idle.rssMib(), idle.note());
      results.diagnostic("idle_process_said_running_after_s", round(idle.startedSeconds()));
    }
    results.diagnostic("phase_start_and_idle_s", round((System.nanoTime() - t0) / 1e9));
    t0 = System.nanoTime();
    noop(results, variant, Files.createDirectories(work.resolve("noop")));
    results.diagnostic("phase_noop_s", round((System.nanoTime() - t0) / 1e9));
    t0 = System.nanoTime();
    scale(results, variant, Files.createDirectories(work.resolve("scale")));
    results.diagnostic("phase_scale_s", round((System.nanoTime() - t0) / 1e9));
    t0 = System.nanoTime();
    LocalProviderScenario.run(results, variant);
    results.diagnostic("phase_local_s", round((System.nanoTime() - t0) / 1e9));
    results.diagnostic("jvm_max_heap_mib", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    results.diagnostic("cpus", Runtime.getRuntime().availableProcessors());
    return results;
  }

  /** A periodic pass over a converged 3+N cluster: what does doing nothing cost? */
  static void noop(BenchResults results, Variant variant, Path dir) throws Exception {
    Duration resync = variant.noopResync;
    var config =
        new SimulatedClusterScenario.Config(
            MASTERS, variant.noopAgents, PARALLELISM, resync, LATENCY_MS, variant.timeout);
    try (var s = new SimulatedClusterScenario(config, dir)) {
      var converge = s.applyAndConverge();
      // Let the last status writes of converging land: two resync periods.
      Thread.sleep(resync.multipliedBy(2).plusSeconds(1).toMillis());
      // Three resync periods: every node is observed at least twice in the window.
      var pass = s.periodicWindow(resync.multipliedBy(3).plusSeconds(1));
      String shape = MASTERS + "+" + variant.noopAgents;
      double perNode = pass.passes() == 0 ? Double.NaN : (double) pass.roundTrips() / pass.passes();
      String where = "periodic resync (" + resync.toSeconds() + " s) over a converged " + shape;
      results.exactly(
          "noop_ssh_roundtrips_per_node",
          perNode,
          1,
          where + ": " + pass.roundTrips() + " round trips in " + pass.passes() + " node passes");
      results.exactly(
          "noop_node_writes",
          pass.changes() - pass.restarts(),
          0,
          "files written + packages installed (NodeResult.changes - restarts)");
      results.exactly("noop_service_restarts", pass.restarts(), 0, "NodeResult.restarts");
      results.exactly(
          "noop_kube_writes", pass.kubeWrites(), 0, "non-GET requests seen by the mock API server");
      results.diagnostic("noop_kube_writes_by_kind", pass.writesByKind());
      results.exactly(
          "noop_cloud_mutations",
          pass.cloudMutations(),
          0,
          "creates/destroys/network calls (CountingMachineProvider)");
      results.diagnostic("noop_converge_s", round(converge.seconds()));
      results.diagnostic("noop_window_s", round(pass.seconds()));
      results.diagnostic("noop_node_passes_in_window", pass.passes());
      results.diagnostic("noop_cloud_lists_in_window", pass.cloudLists());
    }
  }

  /** 3 masters + many agents: converge, one steady pass, heap. */
  static void scale(BenchResults results, Variant variant, Path dir) throws Exception {
    var config =
        new SimulatedClusterScenario.Config(
            MASTERS,
            Integer.getInteger("bench.scaleAgents", variant.scaleAgents),
            PARALLELISM,
            Duration.ofSeconds(60),
            LATENCY_MS,
            variant.timeout);
    int nodes = config.nodes();
    results.measured(
        "scale_nodes",
        nodes,
        MASTERS
            + " masters + "
            + variant.scaleAgents
            + " agents, simulated sshd, "
            + LATENCY_MS
            + " ms per command, parallelism "
            + PARALLELISM);
    try (var s = new SimulatedClusterScenario(config, dir)) {
      s.heap.sampleLive(HEAP_SAMPLE_MS);
      SimulatedClusterScenario.Converge converge;
      long logins0 = s.ssh.connectionsOpened();
      try {
        converge = s.applyAndConverge();
      } catch (java.util.concurrent.TimeoutException e) {
        String why = "did not converge within " + variant.timeout.toMinutes() + " min";
        results.missing("scale_converge_s", BenchResults.Goal.AT_MOST, GOAL_CONVERGE_S, why);
        results.missing("scale_steady_pass_s", BenchResults.Goal.AT_MOST, GOAL_STEADY_S, why);
        results.missing(
            "scale_steady_pass_replay_s", BenchResults.Goal.AT_MOST, GOAL_STEADY_S, why);
        s.heap.sampleNow();
        Thread.sleep(300);
        heap(results, s);
        results.diagnostic("scale_configured_at_timeout", s.configurer.configuredNodes());
        return;
      }
      results.atMost(
          "scale_converge_s",
          converge.seconds(),
          GOAL_CONVERGE_S,
          "apply to every MesosNode Configured=True");
      results.diagnostic("scale_converge_node_passes", converge.passes());
      results.diagnostic("scale_converge_ssh_round_trips", converge.roundTrips());
      results.diagnostic("scale_converge_kube_writes", converge.kubeWrites());
      results.diagnostic("scale_converge_kube_writes_by_kind", converge.writesByKind());
      // The JVM holds the operator, the API server and the simulated sshd; the rest of the host's
      // CPU is the simulated nodes' shells.
      results.diagnostic(
          "scale_converge_host_cpu_busy_pct", round(100 * converge.cpu().hostBusyShare()));
      results.diagnostic("scale_converge_test_jvm_cpu_s", round(converge.cpu().jvmSeconds()));
      results.diagnostic("scale_converge_shells_cpu_s", round(converge.cpu().otherSeconds()));
      results.diagnostic("scale_converge_ssh_commands", converge.commands());
      results.diagnostic("scale_converge_ssh_logins", s.ssh.connectionsOpened() - logins0);
      results.diagnostic("scale_converge_sim_shell_s_total", round(converge.simCommandSeconds()));
      results.diagnostic(
          "scale_converge_configurer_busy_s_total", round(converge.configurerBusySeconds()));
      s.settle(Duration.ofSeconds(3), Duration.ofSeconds(120));
      s.sim.recording = true;
      long steadyLogins0 = s.ssh.connectionsOpened();
      long steadyReused0 = s.ssh.connectionsReused();
      var pass = s.touchAndTimeOnePass();
      s.sim.recording = false;
      // New SSH logins vs. passes served over a kept-open connection.
      results.diagnostic("scale_steady_ssh_logins", s.ssh.connectionsOpened() - steadyLogins0);
      results.diagnostic("scale_steady_ssh_reused", s.ssh.connectionsReused() - steadyReused0);
      results.atMost(
          "scale_steady_pass_s",
          pass.seconds(),
          GOAL_STEADY_S,
          "cluster touched (annotation) to every node observed once more");
      results.diagnostic("scale_steady_node_passes", pass.passes());
      results.diagnostic("scale_steady_ssh_round_trips", pass.roundTrips());
      results.diagnostic("scale_steady_node_changes", pass.changes());
      results.diagnostic("scale_steady_kube_writes", pass.kubeWrites());
      results.diagnostic("scale_steady_kube_writes_by_kind", pass.writesByKind());
      results.diagnostic("scale_steady_cloud_lists", pass.cloudLists());
      results.diagnostic("scale_steady_max_in_flight", pass.maxInFlight());
      results.diagnostic(
          "scale_steady_configurer_busy_s_per_pass",
          round(pass.configurerBusySeconds() / Math.max(1, pass.passes())));
      results.diagnostic(
          "scale_steady_sim_shell_s_per_command",
          round(pass.simCommandSeconds() / Math.max(1, pass.commands())));
      // The same pass with the nodes' shells replayed: what the operator and SSH cost alone.
      s.sim.replay = true;
      long replayed0 = s.sim.replayed.get();
      long replayLogins0 = s.ssh.connectionsOpened();
      var replay = s.touchAndTimeOnePass();
      results.diagnostic("scale_replay_ssh_logins", s.ssh.connectionsOpened() - replayLogins0);
      s.sim.replay = false;
      long replayed = s.sim.replayed.get() - replayed0;
      results.atMost(
          "scale_steady_pass_replay_s",
          replay.seconds(),
          GOAL_STEADY_S,
          "same pass, nodes' shell output replayed ("
              + replayed
              + "/"
              + replay.commands()
              + " commands): operator + SSH + latency only");
      results.diagnostic(
          "scale_replay_configurer_busy_s_per_pass",
          round(replay.configurerBusySeconds() / Math.max(1, replay.passes())));
      results.diagnostic("scale_replay_kube_writes", replay.kubeWrites());
      s.heap.sampleNow();
      Thread.sleep(300);
      heap(results, s);
    }
  }

  private static void heap(BenchResults results, SimulatedClusterScenario s) {
    results.atMost(
        "scale_heap_peak_mib",
        round(s.heap.livePeakMib()),
        GOAL_HEAP_MIB,
        "peak live heap (full GC every "
            + HEAP_SAMPLE_MS / 1000
            + " s, "
            + s.heap.liveSamples()
            + " samples), whole JVM: operator + mock API server + simulated sshd");
    // The looser upper bound: heap in use after any GC, old garbage included.
    results.diagnostic("scale_heap_peak_after_any_gc_mib", round(s.heap.peakMib()));
    results.diagnostic("scale_gcs", s.heap.gcs());
    results.diagnostic("scale_heap_committed_mib", round(HeapWatch.committedMib()));
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }

  /** What the figures were measured on. */
  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cpus", Runtime.getRuntime().availableProcessors());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    m.put("maxHeapMiB", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          m.put("memTotalMiB", Long.parseLong(line.trim().split("\\s+")[1]) / 1024);
        }
      }
      Path release = Path.of("/etc/os-release");
      if (Files.exists(release)) {
        for (String line : Files.readAllLines(release)) {
          if (line.startsWith("PRETTY_NAME=")) {
            m.put("distro", line.substring(12).replace("\"", ""));
          }
        }
      }
    } catch (Exception ignored) {
      // best effort
    }
    return m;
  }
}
