package io.mesosoperator.e2e;

import static io.mesosoperator.e2e.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.reconcile.StatusWriter;
import io.mesosoperator.testing.ControlPlane;
import io.mesosoperator.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cluster applied the way GitOps tools apply it, {@code kubectl apply --server-side} under the
 * tool's own field manager (once as {@code argocd}, once as {@code flux}), on the real control
 * plane, converged by the operator in-process with its production wiring on real local nodes
 * ({@link LocalCluster}). Then: the converged cluster causes no write for two resyncs, {@code
 * kubectl diff --server-side} of the same manifest is empty, the operator's field manager owns only
 * {@code status} and its finalizer, the tool's next apply (unchanged, then with a changed app) goes
 * through without {@code --force-conflicts}, and {@code kubectl delete -f} removes everything.
 *
 * <p>Needs root and {@code .ci/install-packages.sh} as {@code LocalClusterE2EIT} does. Traffic goes
 * only to loopback and to the test's own bridge ranges ({@code 10.213.226.0/24}, {@code
 * 10.213.227.0/24}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class GitOpsApplyIT {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final String OPERATOR_USER = "mesos-operator-gitops";
  private static final Map<String, String> CIDRS =
      Map.of("argocd", "10.213.226.0/24", "flux", "10.213.227.0/24");

  /** The labels each tool puts on what it applies (Argo CD's default tracking, Flux's). */
  private static final Map<String, String> TOOL_LABELS =
      Map.of(
          "argocd",
          "    app.kubernetes.io/instance: mesos\n",
          "flux",
          "    kustomize.toolkit.fluxcd.io/name: mesos\n"
              + "    kustomize.toolkit.fluxcd.io/namespace: flux-system\n");

  private static final String NAME = "mesos";
  private static final Duration RESYNC = Duration.ofSeconds(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Long> timings = new LinkedHashMap<>();
  private final Map<String, String> uids = new LinkedHashMap<>();
  private ControlPlane cp;
  private KubernetesClient client;
  private KubernetesClient operatorClient;
  private Path stateDir;
  private LocalCluster operator;

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRealNodes("GitOps IT");
    cp = ControlPlane.shared();
    client = cp.client();
    cp.installCrds(ROOT, namespaces().toArray(String[]::new));
    // The operator's client as RunCommand makes it (its user agent names the field manager of
    // the writes that name none), acting as its own user so the audit log tells its writes apart.
    Config config = Config.fromKubeconfig(Files.readString(cp.adminKubeconfig()));
    config.setImpersonateUsername(OPERATOR_USER);
    config.setImpersonateGroups("system:masters");
    config.setUserAgent(OperatorRuntime.USER_AGENT);
    operatorClient = new KubernetesClientBuilder().withConfig(config).build();
    stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-gitops-");
    operator = new LocalCluster(operatorClient, stateDir, RESYNC, Set.copyOf(namespaces()));
  }

  private static List<String> namespaces() {
    return CIDRS.keySet().stream().sorted().map(t -> "gitops-" + t).toList();
  }

  @AfterAll
  void tearDown() throws Exception {
    List<String> leftovers = new ArrayList<>();
    if (operator != null) {
      operator.close();
      for (Map.Entry<String, String> e : uids.entrySet()) {
        leftovers.addAll(LocalCluster.destroyLeftovers(stateDir, e.getValue(), e.getKey()));
      }
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    if (stateDir != null) {
      LocalCluster.host(List.of("rm", "-rf", "--one-file-system", stateDir.toString()));
    }
    System.out.println("GitOps IT timings (ms): " + timings);
    if (!leftovers.isEmpty()) {
      System.out.println("GitOps IT: teardown destroyed leftover machines " + leftovers);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"argocd", "flux"})
  void appliedServerSideByAGitOpsToolItConvergesWithoutDriftOrSharedFields(
      String tool, @TempDir Path dir) throws Exception {
    String ns = "gitops-" + tool;
    String cidr = CIDRS.get(tool);
    Path manifest = dir.resolve("cluster.yaml");
    Files.writeString(manifest, manifest(ns, cidr, "echo hello; sleep 10"));
    Path kubeconfig = cp.writeKubeconfig(dir.resolve("kubeconfig"), ns, null);

    long t0 = System.nanoTime();
    String applied =
        kubectl(kubeconfig, "apply", "--server-side", "--field-manager=" + tool, "-f", manifest);
    assertThat(applied).contains("mesoscluster.mesosoperator.io/" + NAME + " serverside-applied");
    String uid = cluster(ns).getMetadata().getUid();
    uids.put(uid, cidr);
    awaitReady(ns, cluster(ns).getMetadata().getGeneration());
    timings.put(tool + ": apply to Ready (1+1)", ms(t0));

    // Converged: no write at all from the operator for two resyncs.
    await(
        "every MesosNode reports changesLastPass 0",
        Duration.ofSeconds(60),
        () ->
            nodes(ns).stream()
                .allMatch(
                    n ->
                        n.getStatus() != null
                            && Integer.valueOf(0).equals(n.getStatus().getChangesLastPass())));
    pause(RESYNC.plusSeconds(1));
    cp.takeWrites(OPERATOR_USER);
    pause(RESYNC.multipliedBy(2).plusSeconds(3));
    assertThat(cp.takeWrites(OPERATOR_USER))
        .as("the operator's writes in two resyncs of the converged cluster")
        .isEmpty();

    assertThat(diff(kubeconfig, tool, manifest))
        .as("kubectl diff --server-side of the applied manifest")
        .isEmpty();
    assertOwnership(cluster(ns), tool);
    for (MesosNode n : nodes(ns)) {
      // The operator's own objects: every write under its one field manager.
      assertThat(managers(n))
          .as(n.getMetadata().getName())
          .containsOnly(StatusWriter.FIELD_MANAGER);
    }

    // The tool's next sync, unchanged: no conflict, nothing of the spec changes, and the
    // operator writes nothing in response.
    MesosCluster before = cluster(ns);
    cp.takeWrites(OPERATOR_USER);
    kubectl(kubeconfig, "apply", "--server-side", "--field-manager=" + tool, "-f", manifest);
    MesosCluster after = cluster(ns);
    assertThat(after.getMetadata().getGeneration()).isEqualTo(before.getMetadata().getGeneration());
    assertThat((JsonNode) JSON.valueToTree(after.getSpec()))
        .isEqualTo(JSON.valueToTree(before.getSpec()));
    assertOwnership(after, tool);
    pause(RESYNC.multipliedBy(2).plusSeconds(3));
    assertThat(cp.takeWrites(OPERATOR_USER))
        .as("the operator's writes after the tool's unchanged re-apply")
        .isEmpty();
    // The apiserver rewrote the object once for that apply (the tool's managedFields entry gets a
    // new time, nothing else changes); from then on the tool's syncs are no-ops.
    String version = after.getMetadata().getResourceVersion();
    kubectl(kubeconfig, "apply", "--server-side", "--field-manager=" + tool, "-f", manifest);
    assertThat(cluster(ns).getMetadata().getResourceVersion())
        .as("resourceVersion after the tool's third apply of the same manifest")
        .isEqualTo(version);

    // A change in Git: applied without --force-conflicts, converged, no drift again.
    Files.writeString(manifest, manifest(ns, cidr, "echo hello again; sleep 10"));
    long t1 = System.nanoTime();
    kubectl(kubeconfig, "apply", "--server-side", "--field-manager=" + tool, "-f", manifest);
    MesosCluster changed = cluster(ns);
    assertThat(changed.getSpec().getMarathon().getApps().get(0).path("cmd").asText())
        .isEqualTo("echo hello again; sleep 10");
    awaitReady(ns, changed.getMetadata().getGeneration());
    timings.put(tool + ": app change to Ready", ms(t1));
    assertThat(diff(kubeconfig, tool, manifest)).as("kubectl diff after the change").isEmpty();
    assertOwnership(cluster(ns), tool);

    long t2 = System.nanoTime();
    kubectl(kubeconfig, "delete", "-f", manifest, "--timeout=180s");
    await(
        "no MesosNode left in " + ns,
        Duration.ofSeconds(60),
        () -> client.resources(MesosNode.class).inNamespace(ns).list().getItems().isEmpty());
    await("no machine left", Duration.ofSeconds(60), () -> operator.local(uid).list(uid).isEmpty());
    timings.put(tool + ": delete", ms(t2));
  }

  /**
   * The tool owns the spec and its labels; the operator ({@value StatusWriter#FIELD_MANAGER}) owns
   * exactly {@code status} and {@code metadata.finalizers}; nobody else owns anything.
   */
  private static void assertOwnership(MesosCluster live, String tool) {
    assertThat(managers(live))
        .as("field managers")
        .containsExactlyInAnyOrder(tool, "mesos-operator");
    List<String> operatorOwns = new ArrayList<>();
    List<String> toolOwns = new ArrayList<>();
    for (ManagedFieldsEntry e : live.getMetadata().getManagedFields()) {
      List<String> into = tool.equals(e.getManager()) ? toolOwns : operatorOwns;
      JsonNode fields = JSON.valueToTree(e.getFieldsV1());
      for (Iterator<String> it = fields.fieldNames(); it.hasNext(); ) {
        String top = it.next();
        if ("f:metadata".equals(top)) {
          fields.get(top).fieldNames().forEachRemaining(m -> into.add(top + "." + m));
        } else {
          into.add(top);
        }
      }
    }
    assertThat(operatorOwns)
        .as("what the operator owns")
        .containsExactlyInAnyOrder("f:status", "f:metadata.f:finalizers");
    assertThat(toolOwns)
        .as("what %s owns", tool)
        .containsExactlyInAnyOrder("f:spec", "f:metadata.f:labels");
  }

  private static Set<String> managers(HasMetadata o) {
    return o.getMetadata().getManagedFields().stream()
        .map(ManagedFieldsEntry::getManager)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static String manifest(String ns, String cidr, String cmd) {
    String yaml =
        LocalClusterE2EIT.clusterYaml(ns, NAME, cidr, 1, 1, true)
            .replace("cmd: \"echo hello; sleep 10\"", "cmd: \"" + cmd + "\"");
    String tool = ns.substring("gitops-".length());
    return yaml.replace(
        "  namespace: " + ns + "\n",
        "  namespace: " + ns + "\n  labels:\n" + TOOL_LABELS.get(tool));
  }

  /** {@code kubectl diff --server-side}: its output, failing unless it exits 0 (no difference). */
  private String diff(Path kubeconfig, String tool, Path manifest) throws Exception {
    Result r = run(kubeconfig, "diff", "--server-side", "--field-manager=" + tool, "-f", manifest);
    assertThat(r.exit())
        .as("kubectl diff exit (0: no difference, 1: a difference): %s", r.out())
        .isZero();
    return r.out();
  }

  private void awaitReady(String ns, Long generation) {
    long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      MesosCluster c = cluster(ns);
      List<Condition> conditions =
          c == null || c.getStatus() == null ? List.of() : c.getStatus().getConditions();
      String now =
          conditions.stream()
              .map(x -> x.getType() + "=" + x.getStatus() + "(" + x.getReason() + ")")
              .collect(Collectors.joining(" "));
      if (!now.equals(last)) {
        System.out.println("GitOps IT: " + ns + ": " + now);
        last = now;
      }
      if (conditions.stream()
          .anyMatch(
              x ->
                  "Ready".equals(x.getType())
                      && "True".equals(x.getStatus())
                      && generation.equals(x.getObservedGeneration()))) {
        return;
      }
      pause(Duration.ofMillis(500));
    }
    fail(ns + "/" + NAME + " not Ready for generation " + generation + ": " + last);
  }

  private MesosCluster cluster(String ns) {
    return client.resources(MesosCluster.class).inNamespace(ns).withName(NAME).get();
  }

  private List<MesosNode> nodes(String ns) {
    return client.resources(MesosNode.class).inNamespace(ns).list().getItems();
  }

  record Result(int exit, String out) {}

  private String kubectl(Path kubeconfig, Object... args) throws Exception {
    Result r = run(kubeconfig, args);
    assertThat(r.exit()).as("kubectl %s: %s", List.of(args), r.out()).isZero();
    return r.out();
  }

  private Result run(Path kubeconfig, Object... args) throws Exception {
    List<String> argv =
        new ArrayList<>(
            List.of(
                cp.kubectl().toString(),
                "--kubeconfig",
                kubeconfig.toString(),
                "--request-timeout=60s"));
    for (Object a : args) {
      argv.add(a.toString());
    }
    Path out = Files.createTempFile(kubeconfig.getParent(), "kubectl-", ".out");
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(4, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail("kubectl " + argv + " did not finish in 4 minutes");
    }
    return new Result(p.exitValue(), Files.readString(out));
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
