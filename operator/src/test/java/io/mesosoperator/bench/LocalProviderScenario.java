package io.mesosoperator.bench;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import io.mesosoperator.e2e.LocalCluster;
import io.mesosoperator.node.Shell;
import io.mesosoperator.node.SshSession;
import io.mesosoperator.node.SshSessions;
import io.mesosoperator.node.SshjSessions;
import io.mesosoperator.reconcile.Labels;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.testing.ControlPlane;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code local} provider scenarios: the operator in-process with its production wiring ({@link
 * LocalCluster}) against the mock API server, on network-namespace machines with the TEST STAND-INS
 * for Mesos and Marathon. Gives {@code converge_s_3+N} (apply to Ready=True from an empty local
 * cloud, median of N runs), {@code parallel_ratio} and {@code sequential_ratio} (the operator's 3+9
 * converge against the tutorial's file writes and service actions replayed one SSH command at a
 * time on the same 12 machines).
 *
 * <p>Traffic goes only to this scenario's own bridge range {@value #CIDR} and to loopback.
 */
final class LocalProviderScenario {
  static final String NS = "bench-local";
  static final String CIDR = "10.213.200.0/24";
  private static final Duration READY_DEADLINE = Duration.ofMinutes(6);
  private static final Duration GONE_DEADLINE = Duration.ofMinutes(3);
  // As in the e2e test; a converged cluster is observed again every 5 s.
  static final Duration RESYNC = Duration.ofSeconds(5);

  private LocalProviderScenario() {}

  /**
   * Measures the shapes of the variant and fills in the keys; reports keys it does not measure as
   * pending with the reason, and every key as not measured when the host lacks the prerequisites.
   */
  static void run(BenchResults results, Benchmark.Variant variant) throws Exception {
    List<String> missing = LocalCluster.missingPrerequisites();
    if (!missing.isEmpty()) {
      String why =
          "not measured: the local provider needs " + missing + " (root, .ci/install-packages.sh)";
      for (String key : KEYS) {
        results.missing(key, BenchResults.Goal.NONE, null, why);
      }
      return;
    }
    List<String> binaries = ControlPlane.missingBinaries(MockApi.ROOT);
    if (!binaries.isEmpty()) {
      String why =
          "not measured: the control plane needs " + binaries + " (hack/build-control-plane.sh)";
      for (String key : KEYS) {
        results.missing(key, BenchResults.Goal.NONE, null, why);
      }
      return;
    }
    Path stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-bench-");
    Map<String, List<Double>> runs = new LinkedHashMap<>();
    Map<String, String> uids = new LinkedHashMap<>();
    Sequential sequential = null;
    Peers peers = null;
    try {
      ControlPlane cp = ControlPlane.shared();
      KubernetesClient client = cp.client();
      cp.installCrds(MockApi.ROOT, NS);
      CountingNodeConfigurer[] counting = new CountingNodeConfigurer[1];
      LocalCluster operator =
          new LocalCluster(
              client,
              stateDir,
              RESYNC,
              Set.of(NS),
              null,
              null,
              c -> counting[0] = new CountingNodeConfigurer(c));
      try {
        int n = 0;
        int runsPerShape = Integer.getInteger("bench.localRuns", variant.localRuns);
        for (int agents : localAgents(variant)) {
          String shape = Benchmark.MASTERS + "+" + agents;
          List<Double> seconds = new ArrayList<>();
          for (int run = 1; run <= runsPerShape; run++) {
            String name = "bench-" + (++n);
            boolean lastOfShape = run == runsPerShape;
            boolean last = agents == 9 && lastOfShape;
            Run r = converge(client, operator, name, agents, uids);
            seconds.add(r.readySeconds());
            System.out.printf(
                "bench local: %s run %d: Ready in %.2f s (all nodes Configured in %.2f s)%n",
                shape, run, r.readySeconds(), r.configuredSeconds());
            results.diagnostic(
                "local_" + shape + "_run" + run + "_configured_s",
                Benchmark.round(r.configuredSeconds()));
            // Busy share near 100 %: the converge waited for CPU (the machines share the host's
            // cores), not for the operator.
            String prefix = "local_" + shape + "_run" + run;
            results.diagnostic(
                prefix + "_host_cpu_busy_pct", Benchmark.round(100 * r.cpu().hostBusyShare()));
            results.diagnostic(prefix + "_test_jvm_cpu_s", Benchmark.round(r.cpu().jvmSeconds()));
            results.diagnostic(prefix + "_machines_cpu_s", Benchmark.round(r.cpu().otherSeconds()));
            if (lastOfShape) {
              double noop = noopPass(client, counting[0], name, 3 + agents);
              results.diagnostic("local_" + shape + "_noop_pass_s", Benchmark.round(noop));
              if (last) {
                results.diagnostic("local_3+9_last_run_ready_s", Benchmark.round(r.readySeconds()));
                peers = peers(client, counting[0], name, noop, results);
                sequential = peers.sequential();
              }
            }
            deleteAndWait(client, operator, name, r.uid());
            uids.remove(r.uid());
          }
          runs.put(shape, seconds);
        }
      } finally {
        operator.close();
        for (Map.Entry<String, String> e : uids.entrySet()) {
          LocalCluster.destroyLeftovers(stateDir, CIDR, e.getKey());
        }
      }
    } finally {
      LocalCluster.host(List.of("rm", "-rf", "--one-file-system", stateDir.toString()));
    }
    report(results, variant, runs, sequential, peers);
  }

  /** The agent counts to run: the variant's, or {@code -Dbench.localAgents=1,9}. */
  static int[] localAgents(Benchmark.Variant variant) {
    String p = System.getProperty("bench.localAgents");
    if (p == null || p.isBlank()) {
      return variant.localAgents;
    }
    return java.util.Arrays.stream(p.split(","))
        .mapToInt(x -> Integer.parseInt(x.trim()))
        .toArray();
  }

  static final List<String> KEYS =
      List.of(
          "converge_s_3+1",
          "converge_s_3+3",
          "converge_s_3+9",
          "converge_3+9_slowest_over_median",
          "parallel_ratio",
          "sequential_ratio",
          "noop_pass_s",
          "floor_s",
          "repair_converge_s",
          "ansible_converge_s",
          "ansible_noop_s",
          "repair_vs_ansible_ratio",
          "repair_vs_by_hand_ratio",
          "noop_vs_ansible_noop_ratio",
          "noop_vs_floor_ratio");

  static final double GOAL_SLOWEST_OVER_MEDIAN = 1.5;
  static final double GOAL_REPAIR_VS_ANSIBLE = 0.2;
  static final double GOAL_REPAIR_VS_BY_HAND = 0.5;
  static final double GOAL_NOOP_VS_ANSIBLE_NOOP = 0.04;
  static final double GOAL_NOOP_VS_FLOOR = 2;

  private static void report(
      BenchResults results,
      Benchmark.Variant variant,
      Map<String, List<Double>> runs,
      Sequential sequential,
      Peers peers) {
    String notRun =
        runs.isEmpty()
            ? "pending in the smoke run: local-provider shapes are left to mvn -Pbench verify"
                + " (one 3+1 run and its delete add about 70 s)"
            : "pending in this variant: it measures only "
                + runs.keySet()
                + " on local machines; mvn -Pbench verify measures it";
    for (String shape : List.of("3+1", "3+3", "3+9")) {
      List<Double> s = runs.get(shape);
      if (s == null) {
        results.pending("converge_s_" + shape, notRun);
        continue;
      }
      results.measured(
          "converge_s_" + shape,
          Benchmark.round(median(s)),
          "local provider (netns machines, Mesos/Marathon stand-ins): apply to Ready=True from an"
              + " empty local cloud, median of "
              + s.size()
              + " run(s) "
              + s.stream().map(Benchmark::round).toList()
              + ", slowest "
              + Benchmark.round(slowest(s))
              + "; operator resync "
              + RESYNC.toSeconds()
              + " s, 16 nodes in parallel");
      results.diagnostic("converge_s_" + shape + "_slowest", Benchmark.round(slowest(s)));
    }
    List<Double> nineRuns = runs.get("3+9");
    if (nineRuns != null) {
      results.atMost(
          "converge_3+9_slowest_over_median",
          Benchmark.round(slowest(nineRuns) / median(nineRuns)),
          GOAL_SLOWEST_OVER_MEDIAN,
          "slowest 3+9 run / median: "
              + Benchmark.round(slowest(nineRuns))
              + " / "
              + Benchmark.round(median(nineRuns))
              + " s");
    } else {
      results.pending("converge_3+9_slowest_over_median", notRun);
    }
    peers(results, peers, sequential, notRun);
    List<Double> one = runs.get("3+1");
    List<Double> nine = runs.get("3+9");
    if (one != null && nine != null) {
      results.measured(
          "parallel_ratio",
          Benchmark.round(median(nine) / median(one)),
          "converge_s_3+9 / converge_s_3+1 (1.0 = adding 8 agents costs nothing)");
    } else {
      results.pending("parallel_ratio", notRun);
    }
    if (sequential != null && nine != null) {
      results.measured(
          "sequential_ratio",
          Benchmark.round(median(nine) / sequential.seconds()),
          "converge_s_3+9 (whole apply to Ready, incl. machine creation, user, packages, app) / "
              + Benchmark.round(sequential.seconds())
              + " s for the tutorial's way on the same 12 machines: "
              + sequential.commands()
              + " ssh commands one after another ("
              + sequential.writes()
              + " sudo tee file writes, "
              + sequential.serviceActions()
              + " sudo service restart/stop); < 1 means the operator's whole job took less than"
              + " the manual file+service steps alone");
      results.diagnostic("sequential_s", Benchmark.round(sequential.seconds()));
      results.diagnostic("sequential_commands", sequential.commands());
      results.diagnostic("sequential_service_nonzero_exits", sequential.serviceNonZero());
      results.diagnostic(
          "sequential_s_per_command",
          Benchmark.round(sequential.seconds() / Math.max(1, sequential.commands())));
    } else {
      results.pending("sequential_ratio", notRun);
    }
  }

  /** The peers' keys and the ratios; pending when the 3+9 shape did not run. */
  private static void peers(
      BenchResults results, Peers peers, Sequential sequential, String notRun) {
    List<String> keys =
        List.of(
            "noop_pass_s",
            "floor_s",
            "repair_converge_s",
            "ansible_converge_s",
            "ansible_noop_s",
            "repair_vs_ansible_ratio",
            "repair_vs_by_hand_ratio",
            "noop_vs_ansible_noop_ratio",
            "noop_vs_floor_ratio");
    if (peers == null) {
      keys.forEach(k -> results.pending(k, notRun));
      return;
    }
    double noop = Benchmark.round(peers.noopPass());
    double floor = Benchmark.round(peers.floor());
    double repair = Benchmark.round(peers.repair());
    results.measured(
        "noop_pass_s",
        noop,
        "one periodic pass over the converged 3+9 (cluster touched, no spec change) until every"
            + " node finished a pass that started after the touch; kept SSH connections");
    results.measured(
        "floor_s",
        floor,
        "one SSH round trip to all 12 at once, each a new connection reading the managed files'"
            + " sha256 (sudo), median of 3");
    results.measured(
        "repair_converge_s",
        repair,
        "the same 12 machines, every managed file removed (blocks cut out of /etc/hosts and"
            + " sshd_config), pause lifted: until every node's next pass ended Configured=True and"
            + " ZooKeeper had a leader and a majority serving");
    results.diagnostic("sequential_s", Benchmark.round(sequential.seconds()));
    if (peers.ansibleConverge() == null) {
      String why = "not measured: " + peers.ansibleMissing();
      for (String k :
          List.of(
              "ansible_converge_s",
              "ansible_noop_s",
              "repair_vs_ansible_ratio",
              "noop_vs_ansible_noop_ratio")) {
        results.missing(
            k,
            k.endsWith("ratio") ? BenchResults.Goal.AT_MOST : BenchResults.Goal.NONE,
            k.equals("repair_vs_ansible_ratio")
                ? GOAL_REPAIR_VS_ANSIBLE
                : k.equals("noop_vs_ansible_noop_ratio") ? GOAL_NOOP_VS_ANSIBLE_NOOP : null,
            why);
      }
    } else {
      double first = Benchmark.round(peers.ansibleConverge());
      double again = Benchmark.round(peers.ansibleNoop());
      results.measured(
          "ansible_converge_s",
          first,
          "Debian's ansible-playbook, the project's bench/ansible/tutorial.yml (the rendered files,"
              + " handler restarts of zookeeper, mesos-master, marathon / mesos-slave) on the same"
              + " 12 machines, pipelining on, forks "
              + AnsibleBaseline.FORKS
              + ": from every managed file removed until ZooKeeper had a leader and a majority");
      results.measured(
          "ansible_noop_s",
          again,
          "the same playbook again at once: nothing to change, wall clock");
      results.atMost(
          "repair_vs_ansible_ratio",
          ratio(repair / first),
          GOAL_REPAIR_VS_ANSIBLE,
          "repair_converge_s / ansible_converge_s");
      results.atMost(
          "noop_vs_ansible_noop_ratio",
          ratio(noop / again),
          GOAL_NOOP_VS_ANSIBLE_NOOP,
          "noop_pass_s / ansible_noop_s");
    }
    results.atMost(
        "repair_vs_by_hand_ratio",
        ratio(repair / sequential.seconds()),
        GOAL_REPAIR_VS_BY_HAND,
        "repair_converge_s / sequential_s ("
            + Benchmark.round(sequential.seconds())
            + " s, the tutorial's file writes and service actions one SSH command at a time)");
    results.atMost(
        "noop_vs_floor_ratio", ratio(noop / floor), GOAL_NOOP_VS_FLOOR, "noop_pass_s / floor_s");
  }

  /** Ratios to three places: two would round 0.038 up to a goal of 0.04. */
  static double ratio(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  static double slowest(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  static double median(List<Double> values) {
    List<Double> s = values.stream().sorted().toList();
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  record Run(String uid, double readySeconds, double configuredSeconds, CpuMeter.Figures cpu) {}

  /** Applies a 3+N cluster and waits for Ready=True; not timed: nothing before the create. */
  private static Run converge(
      KubernetesClient client,
      LocalCluster operator,
      String name,
      int agents,
      Map<String, String> uids)
      throws Exception {
    MesosCluster c = load(client, clusterYaml(name, agents));
    CpuMeter cpu = new CpuMeter();
    long t0 = System.nanoTime();
    MesosCluster created = client.resource(c).create();
    String uid = created.getMetadata().getUid();
    uids.put(uid, CIDR);
    long deadline = t0 + READY_DEADLINE.toNanos();
    double configured = Double.NaN;
    while (true) {
      MesosCluster now = cluster(client, name);
      if (Double.isNaN(configured) && allConfigured(client, name, 3 + agents)) {
        configured = (System.nanoTime() - t0) / 1e9;
      }
      if (now != null && now.getStatus() != null && isTrue(now.getStatus().getConditions())) {
        double ready = (System.nanoTime() - t0) / 1e9;
        return new Run(uid, ready, Double.isNaN(configured) ? ready : configured, cpu.read());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + " (3+" + agents + ") not Ready within " + READY_DEADLINE + ": " + describe(now));
      }
      Thread.sleep(200);
    }
  }

  private static boolean isTrue(List<Condition> conditions) {
    return conditions != null
        && conditions.stream()
            .anyMatch(x -> "Ready".equals(x.getType()) && "True".equals(x.getStatus()));
  }

  private static boolean allConfigured(KubernetesClient client, String name, int count) {
    List<MesosNode> nodes = nodes(client, name);
    return nodes.size() == count
        && nodes.stream()
            .allMatch(
                n ->
                    n.getStatus() != null
                        && n.getStatus().getConditions() != null
                        && n.getStatus().getConditions().stream()
                            .anyMatch(
                                x ->
                                    "Configured".equals(x.getType())
                                        && "True".equals(x.getStatus())));
  }

  private static String describe(MesosCluster c) {
    if (c == null || c.getStatus() == null || c.getStatus().getConditions() == null) {
      return "no status";
    }
    StringBuilder b = new StringBuilder();
    for (Condition x : c.getStatus().getConditions()) {
      b.append(x.getType())
          .append('=')
          .append(x.getStatus())
          .append('(')
          .append(x.getReason())
          .append(": ")
          .append(x.getMessage())
          .append(") ");
    }
    return b.toString();
  }

  /** Deletes a cluster and waits until its resources and machines are gone (not timed). */
  private static void deleteAndWait(
      KubernetesClient client, LocalCluster operator, String name, String uid) throws Exception {
    LocalMachineProvider local = operator.local(uid);
    client.resources(MesosCluster.class).inNamespace(NS).withName(name).delete();
    long deadline = System.nanoTime() + GONE_DEADLINE.toNanos();
    while (true) {
      boolean gone =
          cluster(client, name) == null
              && nodes(client, name).isEmpty()
              && (local == null || local.list(uid).isEmpty());
      if (gone) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(name + " not gone within " + GONE_DEADLINE);
      }
      Thread.sleep(300);
    }
  }

  /** What the sequential baseline did. */
  record Sequential(
      double seconds, int commands, int writes, int serviceActions, int serviceNonZero) {}

  /** Sets or removes the pause annotation; with {@code paused}, waits until it is reported. */
  private static void pause(KubernetesClient client, String name, boolean paused) throws Exception {
    client
        .resources(MesosCluster.class)
        .inNamespace(NS)
        .withName(name)
        .edit(
            x -> {
              Map<String, String> a = new LinkedHashMap<>();
              if (x.getMetadata().getAnnotations() != null) {
                a.putAll(x.getMetadata().getAnnotations());
              }
              if (paused) {
                a.put(Labels.PAUSED, "true");
              } else {
                a.remove(Labels.PAUSED);
              }
              x.getMetadata().setAnnotations(a);
              return x;
            });
    if (paused) {
      awaitPaused(client, name);
      // Let a pass that started before the annotation finish.
      Thread.sleep(1000);
    }
  }

  /**
   * One periodic pass over a converged cluster, wall clock: once every node's last pass changed
   * nothing, the cluster is touched (an annotation, no spec change) and the time runs until every
   * node finished a pass that started after the touch.
   */
  static double noopPass(
      KubernetesClient client, CountingNodeConfigurer counting, String name, int count)
      throws Exception {
    List<String> names = nodes(client, name).stream().map(n -> n.getMetadata().getName()).toList();
    if (names.size() != count) {
      throw new IllegalStateException(name + ": " + names.size() + " nodes, expected " + count);
    }
    long settle = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < settle) {
      var last = counting.lastFinished();
      if (names.stream()
          .allMatch(
              n -> last.get(n) != null && last.get(n).changes() == 0 && last.get(n).configured())) {
        break;
      }
      Thread.sleep(200);
    }
    long t0 = System.nanoTime();
    client
        .resources(MesosCluster.class)
        .inNamespace(NS)
        .withName(name)
        .edit(
            x -> {
              Map<String, String> a = new LinkedHashMap<>();
              if (x.getMetadata().getAnnotations() != null) {
                a.putAll(x.getMetadata().getAnnotations());
              }
              a.put("bench.mesosoperator.io/touch", Long.toString(t0));
              x.getMetadata().setAnnotations(a);
              return x;
            });
    awaitPasses(counting, names, t0, false, Duration.ofSeconds(120));
    return (System.nanoTime() - t0) / 1e9;
  }

  private static void awaitPasses(
      CountingNodeConfigurer counting,
      List<String> names,
      long sinceNanos,
      boolean configured,
      Duration deadline)
      throws Exception {
    long end = System.nanoTime() + deadline.toNanos();
    while (!counting.allPassedSince(names, sinceNanos, configured)) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException(
            "not every node passed within " + deadline + ": " + counting.lastFinished().keySet());
      }
      Thread.sleep(20);
    }
  }

  /** The peers of the operator on the same 12 machines, and the operator's like-for-like runs. */
  record Peers(
      double noopPass,
      double floor,
      Sequential sequential,
      Double ansibleConverge,
      Double ansibleNoop,
      String ansibleMissing,
      double repair) {}

  /**
   * On the machines of the last Ready 3+9 run: the cluster is paused (the operator stays away),
   * then the floor (one parallel SSH round trip reading the managed files' digests, median of 3),
   * the tutorial by hand, Ansible from every managed file removed to a ZooKeeper quorum and again
   * with nothing to change; then every managed file is removed once more, the pause lifted, and the
   * operator's repair timed to every node Configured and a ZooKeeper quorum.
   */
  private static Peers peers(
      KubernetesClient client,
      CountingNodeConfigurer counting,
      String name,
      double noopPass,
      BenchResults results)
      throws Exception {
    pause(client, name, true);
    List<MesosNode> nodes = nodes(client, name);
    SameMachines machines = SameMachines.of(client, cluster(client, name), nodes);
    List<Double> floors = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      floors.add(machines.floor());
    }
    results.diagnostic("floor_s_runs", floors.stream().map(Benchmark::round).toList());
    Sequential sequential = sequential(machines);
    Double ansibleConverge = null;
    Double ansibleNoop = null;
    String missing = AnsibleBaseline.ensureInstalled();
    if (missing == null) {
      results.diagnostic("ansible_version", AnsibleBaseline.version());
      results.diagnostic("ansible_forks", AnsibleBaseline.FORKS);
      Path dir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-bench-ansible-");
      try (AnsibleBaseline ansible = new AnsibleBaseline(dir, machines)) {
        machines.removeManagedFiles();
        long t0 = System.nanoTime();
        AnsibleBaseline.Run first = ansible.run();
        machines.awaitQuorum(Duration.ofMinutes(3));
        ansibleConverge = (System.nanoTime() - t0) / 1e9;
        results.diagnostic("ansible_converge_playbook_s", Benchmark.round(first.seconds()));
        results.diagnostic("ansible_converge_changed", first.changed());
        AnsibleBaseline.Run again = ansible.run();
        ansibleNoop = again.seconds();
        results.diagnostic("ansible_noop_changed", again.changed());
        System.out.printf(
            "bench local: ansible (forks %d): converge %.2f s (playbook %.2f s, %d changed),"
                + " no-op %.2f s (%d changed)%n",
            AnsibleBaseline.FORKS,
            ansibleConverge,
            first.seconds(),
            first.changed(),
            ansibleNoop,
            again.changed());
      } finally {
        LocalCluster.host(List.of("rm", "-rf", "--one-file-system", dir.toString()));
      }
    }
    machines.removeManagedFiles();
    var before = counting.snapshot();
    long t0 = System.nanoTime();
    pause(client, name, false);
    awaitPasses(counting, machines.names(), t0, true, Duration.ofMinutes(5));
    double configured = (System.nanoTime() - t0) / 1e9;
    machines.awaitQuorum(Duration.ofMinutes(3));
    double repair = (System.nanoTime() - t0) / 1e9;
    var did = counting.snapshot().minus(before);
    results.diagnostic("repair_configured_s", Benchmark.round(configured));
    results.diagnostic("repair_node_passes", did.passes());
    results.diagnostic("repair_changes", did.changes());
    results.diagnostic("repair_restarts", did.restarts());
    results.diagnostic("repair_ssh_round_trips", did.roundTrips());
    System.out.printf(
        "bench local: no-op pass %.2f s, floor %.2f s, repair %.2f s (%d changes, %d restarts)%n",
        noopPass, median(floors), repair, did.changes(), did.restarts());
    return new Peers(
        noopPass, median(floors), sequential, ansibleConverge, ansibleNoop, missing, repair);
  }

  /**
   * The tutorial's way on the machines of a paused Ready cluster: for each node in order, one new
   * SSH connection per step as the admin user: one {@code sudo tee} per rendered file, then one
   * {@code sudo service X restart} per service the role runs and one {@code sudo service X stop}
   * per service it must not run, each waited for. Timed from the first connect to the last
   * command's end.
   */
  private static Sequential sequential(SameMachines machines) throws Exception {
    SshSessions.Login login = machines.login();
    SshjSessions ssh = new SshjSessions();
    int port = machines.port;
    // Rendered before the clock starts: a person would have the files ready too.
    List<Step> steps = new ArrayList<>();
    for (SameMachines.Node n : machines.nodes) {
      NodeConfig config = n.config();
      String address = n.address();
      String hostKey = n.hostKey();
      for (ManagedFile f : config.files()) {
        steps.add(new Step(address, hostKey, tee(f), true));
      }
      for (String s : config.services()) {
        steps.add(new Step(address, hostKey, "sudo service " + s + " restart", false));
      }
      for (String s : config.disabledServices()) {
        steps.add(new Step(address, hostKey, "sudo service " + s + " stop", false));
      }
    }
    int writes = 0;
    int actions = 0;
    int nonZero = 0;
    long t0 = System.nanoTime();
    for (Step step : steps) {
      try (SshSession session = ssh.open(step.address(), port, login, step.hostKey())) {
        SshSession.Exec e = session.run(step.command());
        if (step.write() && !e.ok()) {
          throw new IOException(
              "sequential step failed on " + step.address() + ": exit " + e.exitStatus());
        }
        // A stop of a service that is not running may exit non-zero; the step still ran.
        if (!step.write() && !e.ok()) {
          nonZero++;
        }
      }
      if (step.write()) {
        writes++;
      } else {
        actions++;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "bench local: sequential baseline on %d nodes: %d commands in %.2f s%n",
        machines.nodes.size(), steps.size(), seconds);
    return new Sequential(seconds, steps.size(), writes, actions, nonZero);
  }

  private record Step(String address, String hostKey, String command, boolean write) {}

  /**
   * One {@code sudo tee} per file, content as a here-document. Whole files are replaced; for the
   * two files the operator keeps a marked block in (/etc/hosts, sshd_config) the block is appended
   * ({@code tee -a}), as a person adding lines would.
   */
  static String tee(ManagedFile f) {
    String body = f.content().endsWith("\n") ? f.content() : f.content() + "\n";
    String marker = "MO_BENCH_EOF";
    while (body.contains(marker)) {
      marker += "_";
    }
    String append = f.kind() == ManagedFile.Kind.WHOLE ? "" : "-a ";
    return "sudo tee "
        + append
        + Shell.quote(f.path())
        + " >/dev/null <<'"
        + marker
        + "'\n"
        + body
        + marker
        + "\n";
  }

  private static void awaitPaused(KubernetesClient client, String name) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      MesosCluster c = cluster(client, name);
      if (c.getStatus() != null
          && c.getStatus().getConditions() != null
          && c.getStatus().getConditions().stream()
              .anyMatch(x -> "Paused".equals(x.getReason()) && "True".equals(x.getStatus()))) {
        return;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + ": the operator did not report the pause");
  }

  private static MesosCluster cluster(KubernetesClient client, String name) {
    return client.resources(MesosCluster.class).inNamespace(NS).withName(name).get();
  }

  private static List<MesosNode> nodes(KubernetesClient client, String cluster) {
    return client.resources(MesosNode.class).inNamespace(NS).list().getItems().stream()
        .filter(n -> cluster.equals(n.getSpec().getCluster()))
        .sorted(Comparator.comparing(n -> n.getMetadata().getName()))
        .toList();
  }

  private static MesosCluster load(KubernetesClient client, String yaml) {
    return client
        .resources(MesosCluster.class)
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .item();
  }

  /** The e2e test's 3+N cluster (plumbery app: one instance per agent), on this scenario's CIDR. */
  static String clusterYaml(String name, int agents) {
    return "apiVersion: mesosoperator.io/v1alpha1\n"
        + "kind: MesosCluster\n"
        + "metadata:\n"
        + "  name: "
        + name
        + "\n"
        + "  namespace: "
        + NS
        + "\n"
        + "spec:\n"
        + "  cloud:\n"
        + "    provider: local\n"
        + "    network:\n"
        + "      cidr: "
        + CIDR
        + "\n"
        + "  ssh:\n"
        + "    user: mesosadmin\n"
        + "    harden: true\n"
        + "  packages:\n"
        + "    repository: \"\"\n"
        + "    master: [zookeeper, zookeeperd]\n"
        + "    agent: []\n"
        + "  os:\n"
        + "    upgrade: false\n"
        + "    clockSync: false\n"
        + "  roles:\n"
        + "    - name: master\n"
        + "      type: master\n"
        + "      replicas: "
        + Benchmark.MASTERS
        + "\n"
        + "    - name: agent\n"
        + "      type: agent\n"
        + "      replicas: "
        + agents
        + "\n"
        + "  marathon:\n"
        + "    apps:\n"
        + "      - id: /sample/hello\n"
        + "        cmd: \"while true; do echo hello from $HOSTNAME; sleep 60; done\"\n"
        + "        cpus: 0.1\n"
        + "        mem: 32\n"
        + "        instances: "
        + agents
        + "\n";
  }
}
