package io.mesosoperator.e2e;

import static io.mesosoperator.e2e.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterStatus;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.reconcile.Labels;
import io.mesosoperator.testing.ControlPlane;
import io.mesosoperator.testing.Prerequisites;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * What a user of the demo types, for real: the kubectl built by {@code hack/build-control-plane.sh}
 * against the real control plane ({@link ControlPlane}), with the operator converging {@code
 * examples/local.yaml} on local machines (TEST STAND-INS for Mesos and Marathon). {@code get} shows
 * the status columns with real values, {@code wait} returns once Ready, {@code explain} prints the
 * field descriptions, {@code get -w} prints the transitions, {@code describe} the operator's
 * events, and {@code delete} leaves no MesosNode, no Secret of the cluster and no Event about an
 * object that is still there.
 *
 * <p>Needs root, {@code .ci/install-packages.sh} and the built binaries; skips outside CI when
 * missing, fails in CI. Traffic goes only to loopback and to the example's range 10.213.0.0/24.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DemoIT {
  private static final Path ROOT =
      Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final String NS = "e2e-demo";
  private static final String NAME = "local";
  private static final String CIDR = "10.213.0.0/24";

  /**
   * How long the garbage collector may take to delete what a deleted cluster owned. The
   * kube-controller-manager's collector only watches kinds it discovered: a CRD installed after it
   * started is picked up at its next rediscovery (every 30 s), and the collection itself then takes
   * a few seconds; twice that period bounds it.
   */
  private static final Duration GC_DEADLINE = Duration.ofSeconds(75);

  private ControlPlane cp;
  private KubernetesClient client;
  private LocalCluster operator;
  private Path dir;
  private Path stateDir;
  private Path kubeconfig;
  private Process watch;
  private Path watchOut;
  private String uid;
  private final Map<String, Long> timings = new LinkedHashMap<>();

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRealNodes("demo IT");
    cp = ControlPlane.shared();
    client = cp.client();
    cp.installCrds(ROOT, NS);
    dir = Files.createTempDirectory("mo-demo-it-");
    kubeconfig = cp.writeKubeconfig(dir.resolve("kubeconfig"), NS, null);
    stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-demo-it-");
    operator = new LocalCluster(client, stateDir, Duration.ofSeconds(5), Set.of(NS));
  }

  @AfterAll
  void stop() throws Exception {
    if (watch != null) {
      watch.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    if (operator != null) {
      operator.close();
      if (uid != null) {
        List<String> left = LocalCluster.destroyLeftovers(stateDir, CIDR, uid);
        if (!left.isEmpty()) {
          System.out.println("demo IT: teardown destroyed leftover machines " + left);
        }
      }
    }
    if (stateDir != null) {
      LocalCluster.host(List.of("rm", "-rf", "--one-file-system", stateDir.toString()));
    }
    if (dir != null) {
      LocalCluster.host(List.of("rm", "-rf", dir.toString()));
    }
    System.out.println("demo IT timings (ms): " + timings);
  }

  @Test
  @Order(1)
  void applyThenWaitReturnsOnceReady() throws Exception {
    assertThat(kubectl("get", "mesosclusters")).contains("No resources found");
    // The watch runs from before the apply, so it sees the cluster go from nothing to Ready.
    watchOut = dir.resolve("watch.out");
    watch =
        new ProcessBuilder(kubectlArgv("get", "mesosclusters", "-w"))
            .redirectError(dir.resolve("watch.err").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(watchOut.toFile())
            .start();
    long t0 = System.nanoTime();
    assertThat(kubectl("apply", "-f", ROOT.resolve("examples/local.yaml").toString()))
        .contains("mesoscluster.mesosoperator.io/local created");
    uid =
        client
            .resources(MesosCluster.class)
            .inNamespace(NS)
            .withName(NAME)
            .get()
            .getMetadata()
            .getUid();
    assertThat(isReady()).as("Ready right after the apply").isFalse();
    String waited =
        kubectl(
            Duration.ofMinutes(5),
            "wait",
            "--for=condition=Ready",
            "mesoscluster/" + NAME,
            "--timeout=280s");
    timings.put("apply to kubectl wait returned", (System.nanoTime() - t0) / 1_000_000);
    assertThat(waited).contains("mesoscluster.mesosoperator.io/local condition met");
    assertThat(isReady()).as("Ready when kubectl wait returned").isTrue();
  }

  @Test
  @Order(2)
  void getShowsTheStatusColumnsWithRealValues() throws Exception {
    MesosClusterStatus status =
        client.resources(MesosCluster.class).inNamespace(NS).withName(NAME).get().getStatus();
    List<Map<String, String>> rows = table(kubectl("get", "mesosclusters"));
    assertThat(rows).hasSize(1);
    Map<String, String> row = rows.get(0);
    assertThat(row.keySet()).containsExactly("NAME", "READY", "MASTERS", "AGENTS", "LEADER", "AGE");
    assertThat(row.get("NAME")).isEqualTo(NAME);
    assertThat(row.get("READY")).isEqualTo("True");
    assertThat(row.get("MASTERS")).isEqualTo(status.getMasters()).isEqualTo("3/3");
    assertThat(row.get("AGENTS")).isEqualTo(status.getAgents()).isEqualTo("3/3");
    assertThat(row.get("LEADER"))
        .isEqualTo(status.getMesosLeader())
        .matches("10\\.213\\.0\\.\\d{1,3}:5050");
    // -o wide adds the priority-1 Reason column.
    assertThat(table(kubectl("get", "mc", "-o", "wide")).get(0))
        .containsEntry("REASON", "ClusterReady");

    List<Map<String, String>> nodes = table(kubectl("get", "mesosnodes"));
    assertThat(nodes).hasSize(6);
    assertThat(nodes.get(0).keySet())
        .containsSubsequence("NAME", "CLUSTER", "ROLE", "ZKID", "PRIVATE", "PUBLIC", "READY");
    assertThat(nodes).allSatisfy(n -> assertThat(n.get("CLUSTER")).isEqualTo(NAME));
    assertThat(nodes).allSatisfy(n -> assertThat(n.get("READY")).isEqualTo("True"));
    assertThat(nodes)
        .allSatisfy(n -> assertThat(n.get("PRIVATE")).matches("10\\.213\\.0\\.\\d{1,3}"));
    assertThat(nodes.stream().map(n -> n.get("ROLE")).collect(Collectors.toList()))
        .containsExactlyInAnyOrder("master", "master", "master", "agent", "agent", "agent");
    assertThat(nodes.stream().map(n -> n.get("ZKID")).filter(z -> z.matches("\\d+")).toList())
        .containsExactlyInAnyOrder("1", "2", "3");
  }

  @Test
  @Order(3)
  void explainPrintsTheFieldDescriptions() throws Exception {
    String text = kubectl("explain", "mesoscluster.spec.roles");
    assertThat(text).contains("KIND:", "MesosCluster", "FIELD: roles", "FIELDS:");
    for (String field : List.of("name", "type", "replicas")) {
      assertThat(text).containsPattern("(?m)^  " + field + "\\s");
    }
    // The descriptions are the Java types' @JsonPropertyDescription texts, served by the CRD.
    String crd = Files.readString(ROOT.resolve("crds/mesosclusters.mesosoperator.io.yaml"));
    String replicas =
        crd.lines()
            .dropWhile(l -> !l.trim().equals("replicas:"))
            .skip(1)
            .findFirst()
            .orElseThrow()
            .trim();
    assertThat(replicas).startsWith("description:");
    // The YAML may quote the text: compare its first word without quotes.
    String words =
        replicas.substring("description:".length()).replace("\"", "").trim().split("\\s+")[0];
    assertThat(text).contains(words);
  }

  @Test
  @Order(4)
  void getWatchPrintedTheTransitionsToReady() throws Exception {
    // kubectl prints a row per change of the object; each row is flushed on its own, so the
    // columns of later rows need not line up with the header: look at the rows' words.
    await(
        "the watch printed a Ready row",
        Duration.ofSeconds(20),
        () -> watchRows().stream().anyMatch(r -> r.contains("True")));
    List<List<String>> rows = watchRows();
    assertThat(rows).allSatisfy(r -> assertThat(r.get(0)).isEqualTo(NAME));
    assertThat(rows.get(0)).as("the first row the watch printed: %s", rows).doesNotContain("True");
    assertThat(rows.get(rows.size() - 1)).contains("True", "3/3");
    assertThat(rows.stream().map(r -> r.subList(0, r.size() - 1)).distinct().count())
        .as("distinct rows (without AGE) the watch printed: %s", rows)
        .isGreaterThanOrEqualTo(2);
    watch.destroy();
  }

  @Test
  @Order(5)
  void describeShowsTheOperatorsEvents() throws Exception {
    String text = kubectl("describe", "mesoscluster", NAME);
    assertThat(text).contains("Name:         " + NAME).contains("Events:");
    String events = text.substring(text.indexOf("Events:"));
    assertThat(events).contains("mesos-operator");
    assertThat(events).contains("SshKeyGenerated").contains("MesosLeaderElected");
  }

  @Test
  @Order(6)
  void deleteCompletesAndLeavesNothingBehind() throws Exception {
    LocalMachineProviderView machines = new LocalMachineProviderView();
    assertThat(machines.count()).isEqualTo(6);
    assertThat(secrets()).as("the cluster's secrets before the delete").isNotEmpty();
    long t0 = System.nanoTime();
    // kubectl delete waits for the finalizer: it returns once the operator let the cluster go.
    assertThat(kubectl(Duration.ofMinutes(3), "delete", "mesoscluster", NAME, "--timeout=170s"))
        .contains("mesoscluster.mesosoperator.io \"local\" deleted");
    timings.put("kubectl delete", (System.nanoTime() - t0) / 1_000_000);
    assertThat(client.resources(MesosCluster.class).inNamespace(NS).withName(NAME).get()).isNull();
    assertThat(machines.count()).as("machines when the delete returned").isZero();
    long t1 = System.nanoTime();
    await(
        "the garbage collector deleted the cluster's MesosNodes and Secrets",
        GC_DEADLINE,
        () ->
            client.resources(MesosNode.class).inNamespace(NS).list().getItems().isEmpty()
                && secrets().isEmpty());
    timings.put("delete returned to owned objects gone", (System.nanoTime() - t1) / 1_000_000);
    assertThat(kubectl("get", "mesosnodes")).contains("No resources found");
    // Events are not owned (they expire by the apiserver's TTL): none is about something left.
    List<Event> events = client.v1().events().inNamespace(NS).list().getItems();
    assertThat(events).isNotEmpty();
    for (Event e : events) {
      String kind = e.getInvolvedObject().getKind();
      String name = e.getInvolvedObject().getName();
      Object left =
          switch (kind) {
            case "MesosCluster" ->
                client.resources(MesosCluster.class).inNamespace(NS).withName(name).get();
            case "MesosNode" ->
                client.resources(MesosNode.class).inNamespace(NS).withName(name).get();
            default -> fail("an event about a " + kind + ": " + e.getReason());
          };
      assertThat(left).as("the %s %s of event %s", kind, name, e.getReason()).isNull();
    }
    uid = null;
  }

  // ---- helpers ----

  private boolean isReady() {
    MesosCluster c = client.resources(MesosCluster.class).inNamespace(NS).withName(NAME).get();
    return c != null
        && c.getStatus() != null
        && c.getStatus().getConditions().stream()
            .anyMatch(x -> "Ready".equals(x.getType()) && "True".equals(x.getStatus()));
  }

  private List<String> secrets() {
    return client
        .secrets()
        .inNamespace(NS)
        .withLabel(Labels.CLUSTER, NAME)
        .list()
        .getItems()
        .stream()
        .map(s -> s.getMetadata().getName())
        .toList();
  }

  /** The machines the operator's local provider has for the cluster. */
  private final class LocalMachineProviderView {
    int count() throws Exception {
      var local = operator.local(uid);
      return local == null ? 0 : local.list(uid).size();
    }
  }

  /** The rows the watch printed (header lines left out), each as its words. */
  private List<List<String>> watchRows() throws IOException {
    return Files.readString(watchOut)
        .lines()
        .filter(l -> !l.isBlank() && !l.startsWith("NAME "))
        .map(l -> List.of(l.trim().split("\\s+")))
        .toList();
  }

  /**
   * kubectl's table output (one flush, so aligned) as rows of column to value, each cell cut at its
   * header's position; an empty cell is "".
   */
  static List<Map<String, String>> table(String text) {
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    List<Map<String, String>> rows = new ArrayList<>();
    if (lines.isEmpty() || !lines.get(0).startsWith("NAME")) {
      return rows;
    }
    String head = lines.get(0);
    List<String> names = new ArrayList<>();
    List<Integer> starts = new ArrayList<>();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\S+").matcher(head);
    while (m.find()) {
      names.add(m.group());
      starts.add(m.start());
    }
    for (String line : lines.subList(1, lines.size())) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 0; i < names.size(); i++) {
        int from = Math.min(starts.get(i), line.length());
        int to = i + 1 < names.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
        row.put(names.get(i), line.substring(from, to).trim());
      }
      rows.add(row);
    }
    return rows;
  }

  private List<String> kubectlArgv(String... args) {
    List<String> argv =
        new ArrayList<>(
            List.of(
                cp.kubectl().toString(),
                "--kubeconfig",
                kubeconfig.toString(),
                "--cache-dir",
                dir.resolve("cache").toString()));
    argv.addAll(List.of(args));
    return argv;
  }

  private String kubectl(String... args) throws Exception {
    return kubectl(Duration.ofSeconds(60), args);
  }

  private String kubectl(Duration limit, String... args) throws Exception {
    Path out = Files.createTempFile(dir, "kubectl-", ".out");
    Process p =
        new ProcessBuilder(kubectlArgv(args))
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("kubectl " + String.join(" ", args) + " did not finish in " + limit);
    }
    String text = Files.readString(out);
    assertThat(p.exitValue()).as("kubectl " + String.join(" ", args) + ": " + text).isZero();
    return text;
  }
}
