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
import io.mesosoperator.reconcile.ClusterKeys;
import io.mesosoperator.reconcile.Labels;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeInfo;
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
    try {
      ControlPlane cp = ControlPlane.shared();
      KubernetesClient client = cp.client();
      cp.installCrds(MockApi.ROOT, NS);
      LocalCluster operator = new LocalCluster(client, stateDir, RESYNC, Set.of(NS));
      try {
        int n = 0;
        for (int agents : variant.localAgents) {
          String shape = Benchmark.MASTERS + "+" + agents;
          List<Double> seconds = new ArrayList<>();
          for (int run = 1; run <= variant.localRuns; run++) {
            String name = "bench-" + (++n);
            boolean last = agents == 9 && run == variant.localRuns;
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
            if (last) {
              sequential = sequential(client, name);
              results.diagnostic("local_3+9_last_run_ready_s", Benchmark.round(r.readySeconds()));
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
    report(results, variant, runs, sequential);
  }

  static final List<String> KEYS =
      List.of(
          "converge_s_3+1",
          "converge_s_3+3",
          "converge_s_3+9",
          "parallel_ratio",
          "sequential_ratio");

  private static void report(
      BenchResults results,
      Benchmark.Variant variant,
      Map<String, List<Double>> runs,
      Sequential sequential) {
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
              + "; operator resync "
              + RESYNC.toSeconds()
              + " s, 16 nodes in parallel");
    }
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

  /**
   * The tutorial's way on the machines of a Ready cluster: with the cluster paused (so the operator
   * stays away), for each node in order, one new SSH connection per step as the admin user: one
   * {@code sudo tee} per rendered file, then one {@code sudo service X restart} per service the
   * role runs and one {@code sudo service X stop} per service it must not run, each waited for.
   * Timed from the first connect to the last command's end.
   */
  private static Sequential sequential(KubernetesClient client, String name) throws Exception {
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
              a.put(Labels.PAUSED, "true");
              x.getMetadata().setAnnotations(a);
              return x;
            });
    // Let a pass that started before the annotation finish.
    awaitPaused(client, name);
    Thread.sleep(1000);
    MesosCluster cluster = cluster(client, name);
    ClusterKeys.Key key = new ClusterKeys(client).read(cluster);
    List<MesosNode> nodes = nodes(client, name);
    List<NodeInfo> infos = nodes.stream().map(LocalProviderScenario::info).toList();
    String user = cluster.getSpec().getSsh().getUser();
    int port = cluster.getSpec().getSsh().getPort();
    SshSessions.Login login = SshSessions.Login.key(user, key.privateKey(), key.publicKey());
    SshjSessions ssh = new SshjSessions();
    // Rendered before the clock starts: a person would have the files ready too.
    List<Step> steps = new ArrayList<>();
    for (MesosNode n : nodes) {
      NodeConfig config =
          ClusterRenderer.render(cluster.getSpec(), infos, info(n), LocalCluster.BOOKWORM);
      String address = n.getStatus().getPrivateAddress();
      String hostKey = n.getStatus().getHostKey();
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
        nodes.size(), steps.size(), seconds);
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

  private static NodeInfo info(MesosNode n) {
    return new NodeInfo(
        n.getMetadata().getName(),
        n.getSpec().getRole(),
        n.getStatus().getPrivateAddress(),
        n.getStatus().getPublicAddress(),
        n.getStatus().getIpv6Address(),
        n.getSpec().getZkId());
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
