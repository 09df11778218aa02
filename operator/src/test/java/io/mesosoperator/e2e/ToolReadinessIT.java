package io.mesosoperator.e2e;

import static io.mesosoperator.e2e.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.testing.ControlPlane;
import io.mesosoperator.testing.Prerequisites;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Readiness as the tools compute it, on real objects read from the real kube-apiserver while the
 * operator (in-process, production wiring) converges a real local 3+3 cluster: kstatus ({@code
 * sigs.k8s.io/cli-utils/pkg/kstatus/status.Compute}, what Flux's health checks, kpt and Config Sync
 * use) and the Argo CD health Lua ({@code examples/gitops/argocd/health.lua}) run as Argo CD runs
 * it (gopher-lua with only the package, base, table and a safe os library), both from {@code
 * hack/readiness}, built by {@code hack/build-readiness.sh} into {@code $KUBE_API_TEST_DIR/tools}.
 * The tools get each object exactly as the API server sent it (read untyped: the Java model would
 * add an empty status to an object that has none).
 *
 * <p>Needs root and {@code .ci/install-packages.sh}; skips outside CI when missing, fails in CI.
 * Traffic goes only to loopback and to the test's bridge range {@value #CIDR}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ToolReadinessIT {
  private static final String NS = "tool-readiness";
  private static final String NAME = "readiness";
  private static final String INVALID = "readiness-invalid";
  private static final String CIDR = "10.213.236.0/24";
  private static final Duration RESYNC = Duration.ofSeconds(5);
  private static final Duration READY_DEADLINE = Duration.ofMinutes(4);
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Long> timings = new LinkedHashMap<>();
  private KubernetesClient client;
  private Path stateDir;
  private LocalCluster operator;
  private Path readiness;
  private String uid;

  record Readiness(String kstatus, String kstatusMessage, String argo, String argoMessage) {}

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRealNodes("tool readiness IT");
    readiness = build();
    ControlPlane cp = ControlPlane.shared();
    cp.installCrds(ROOT, NS);
    client = cp.client();
    stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-readiness-");
    operator = new LocalCluster(client, stateDir, RESYNC, Set.of(NS));
  }

  @AfterAll
  void tearDown() throws Exception {
    List<String> leftovers = new ArrayList<>();
    if (operator != null) {
      operator.close();
      if (uid != null) {
        leftovers.addAll(LocalCluster.destroyLeftovers(stateDir, CIDR, uid));
      }
    }
    if (stateDir != null) {
      LocalCluster.host(List.of("rm", "-rf", "--one-file-system", stateDir.toString()));
    }
    System.out.println("tool readiness IT timings (ms): " + timings);
    if (!leftovers.isEmpty()) {
      System.out.println("tool readiness IT: teardown destroyed leftover machines " + leftovers);
    }
  }

  @Test
  void kstatusAndArgoCdOnEveryPhase() throws Exception {
    // The apiserver's answer to the create: no status yet. kstatus cannot tell a resource without
    // status from one that needs none and says Current; the Lua waits for the operator.
    long t0 = System.nanoTime();
    GenericKubernetesResource created =
        clusters()
            .resource(load(LocalClusterE2EIT.clusterYaml(NS, NAME, CIDR, 3, 3, true)))
            .create();
    uid = created.getMetadata().getUid();
    assertThat(created.getAdditionalProperties()).doesNotContainKey("status");
    Readiness r = readiness(created);
    assertThat(r.kstatus()).as("no status yet: %s", r).isEqualTo("Current");
    assertThat(r.argo()).as("no status yet: %s", r).isEqualTo("Progressing");

    // Converging: the operator's status for this generation, Reconciling=True.
    GenericKubernetesResource converging =
        awaitCluster(
            NAME,
            "Reconciling=True for the current generation",
            Duration.ofSeconds(60),
            c -> current(c) && isTrue(c, "Reconciling"));
    r = readiness(converging);
    assertThat(r.kstatus()).as("converging: %s", r).isEqualTo("InProgress");
    assertThat(r.argo()).as("converging: %s", r).isEqualTo("Progressing");

    // Ready.
    GenericKubernetesResource ready = awaitReady(6);
    timings.put("apply to Ready (3+3)", ms(t0));
    r = readiness(ready);
    assertThat(r.kstatus()).as("ready: %s", r).isEqualTo("Current");
    assertThat(r.argo()).as("ready: %s", r).isEqualTo("Healthy");
    assertThat(r.argoMessage()).startsWith("ClusterReady: masters 3/3, agents 3/3");

    // Right after a spec change: the object the apiserver returned for the update (a new
    // generation, the status still of the old one); then the operator's first status for it.
    // Only spec.roles[1].replicas changes, in the object as read (a typed round trip would add
    // the Java model's defaults).
    @SuppressWarnings("unchecked")
    Map<String, Object> agents =
        ((List<Map<String, Object>>) ((Map<String, Object>) ready.get("spec")).get("roles")).get(1);
    assertThat(agents).containsEntry("type", "agent");
    agents.put("replicas", 4);
    t0 = System.nanoTime();
    GenericKubernetesResource changed = clusters().resource(ready).update();
    assertThat(changed.getMetadata().getGeneration())
        .isGreaterThan(typed(changed).getStatus().getObservedGeneration());
    r = readiness(changed);
    assertThat(r.kstatus()).as("after a spec change: %s", r).isEqualTo("InProgress");
    assertThat(r.argo()).as("after a spec change: %s", r).isEqualTo("Progressing");
    GenericKubernetesResource scaling =
        awaitCluster(
            NAME,
            "Reconciling=True for the new generation",
            Duration.ofSeconds(60),
            c -> current(c) && isTrue(c, "Reconciling"));
    r = readiness(scaling);
    assertThat(r.kstatus()).as("scaling: %s", r).isEqualTo("InProgress");
    assertThat(r.argo()).as("scaling: %s", r).isEqualTo("Progressing");
    r = readiness(awaitReady(7));
    timings.put("agents 3 -> 4 to Ready", ms(t0));
    assertThat(r.kstatus()).isEqualTo("Current");
    assertThat(r.argo()).isEqualTo("Healthy");

    // An invalid spec the apiserver admits (no schema or CEL rule covers it) and the operator
    // refuses: aws-ec2 without a credentials Secret. (An even master count never gets this far:
    // the CRD's CEL rule refuses it at admission.)
    String invalidYaml =
        LocalClusterE2EIT.clusterYaml(NS, INVALID, CIDR, 3, 3, true)
            .replace("provider: local", "provider: aws-ec2");
    clusters().resource(load(invalidYaml)).create();
    GenericKubernetesResource stalled =
        awaitCluster(
            INVALID,
            "Stalled=True for the invalid spec",
            Duration.ofSeconds(60),
            c -> current(c) && isTrue(c, "Stalled"));
    r = readiness(stalled);
    assertThat(r.kstatus()).as("invalid: %s", r).isEqualTo("Failed");
    assertThat(r.argo()).as("invalid: %s", r).isEqualTo("Degraded");
    assertThat(r.argoMessage()).contains("InvalidSpec").contains("spec.cloud.credentialsSecret");
    assertThat(nodes(INVALID)).as("nothing made for the invalid spec").isEmpty();

    // Deleting: kstatus says Terminating while the finalizer holds the object (the machines go
    // first, which takes seconds).
    client.resources(MesosCluster.class).inNamespace(NS).withName(INVALID).delete();
    t0 = System.nanoTime();
    client.resources(MesosCluster.class).inNamespace(NS).withName(NAME).delete();
    GenericKubernetesResource deleting = clusters().withName(NAME).get();
    assertThat(deleting).as("held by the operator's finalizer").isNotNull();
    assertThat(deleting.getMetadata().getDeletionTimestamp()).isNotNull();
    r = readiness(deleting);
    assertThat(r.kstatus()).as("deleting: %s", r).isEqualTo("Terminating");
    await(
        "both clusters and their nodes gone",
        Duration.ofMinutes(2),
        () -> cluster(NAME) == null && cluster(INVALID) == null && nodes(NAME).isEmpty());
    timings.put("delete to gone", ms(t0));
    assertThat(operator.local(uid).list(uid)).isEmpty();
    uid = null;
  }

  private boolean current(MesosCluster c) {
    return c.getStatus() != null
        && c.getMetadata().getGeneration().equals(c.getStatus().getObservedGeneration());
  }

  private static boolean isTrue(MesosCluster c, String type) {
    return c.getStatus() != null
        && c.getStatus().getConditions() != null
        && c.getStatus().getConditions().stream()
            .anyMatch(x -> type.equals(x.getType()) && "True".equals(x.getStatus()));
  }

  private MesosCluster cluster(String name) {
    return client.resources(MesosCluster.class).inNamespace(NS).withName(name).get();
  }

  private List<MesosNode> nodes(String cluster) {
    return client.resources(MesosNode.class).inNamespace(NS).list().getItems().stream()
        .filter(n -> cluster.equals(n.getSpec().getCluster()))
        .toList();
  }

  /** MesosClusters untyped, as the tools read them. */
  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      clusters() {
    return client
        .genericKubernetesResources(ControlPlane.GROUP + "/" + ControlPlane.VERSION, "MesosCluster")
        .inNamespace(NS);
  }

  private MesosCluster typed(GenericKubernetesResource raw) {
    return client.getKubernetesSerialization().convertValue(raw, MesosCluster.class);
  }

  private GenericKubernetesResource load(String yaml) {
    return client
        .getKubernetesSerialization()
        .unmarshal(
            new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)),
            GenericKubernetesResource.class);
  }

  private GenericKubernetesResource awaitReady(int nodes) throws Exception {
    return awaitCluster(
        NAME,
        "Ready=True for the current generation with " + nodes + " nodes",
        READY_DEADLINE,
        c -> current(c) && isTrue(c, "Ready") && nodes(NAME).size() == nodes);
  }

  /**
   * Polls the cluster every 100 ms until {@code done}; returns the object, untyped, that satisfied
   * it.
   */
  private GenericKubernetesResource awaitCluster(
      String name, String what, Duration limit, Predicate<MesosCluster> done) throws Exception {
    AtomicReference<String> last = new AtomicReference<>("");
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      GenericKubernetesResource raw = clusters().withName(name).get();
      MesosCluster c = raw == null ? null : typed(raw);
      if (c != null && c.getStatus() != null) {
        String now =
            c.getStatus().getConditions().stream()
                .map(x -> x.getType() + "=" + x.getStatus() + "(" + x.getReason() + ")")
                .reduce((a, b) -> a + " " + b)
                .orElse("");
        if (!now.equals(last.getAndSet(now))) {
          System.out.println("tool readiness IT: " + name + ": " + now);
        }
      }
      if (c != null && done.test(c)) {
        return raw;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(what + ": not within " + limit + "; last: " + last.get());
      }
      Thread.sleep(100);
    }
  }

  /** kstatus and the Argo CD verdict on the object exactly as the apiserver returned it. */
  private Readiness readiness(GenericKubernetesResource object)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                readiness.toString(),
                "-lua",
                ROOT.resolve("examples/gitops/argocd/health.lua").toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (var in = p.getOutputStream()) {
      in.write(client.getKubernetesSerialization().asJson(object).getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("readiness: %s", out).isZero();
    JsonNode r = JSON.readTree(out);
    Readiness result =
        new Readiness(
            r.path("kstatus").asText(),
            r.path("kstatusMessage").asText(),
            r.path("argo").asText(),
            r.path("argoMessage").asText());
    System.out.println(
        "tool readiness IT: generation "
            + object.getMetadata().getGeneration()
            + " (observed "
            + (object.getAdditionalProperties().get("status") instanceof Map<?, ?> st
                ? st.get("observedGeneration")
                : "-")
            + "): "
            + result);
    return result;
  }

  /** Builds (or reuses) the readiness tool; fails when it cannot be built. */
  private static Path build() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("sh", ROOT.resolve("hack/build-readiness.sh").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(600, TimeUnit.SECONDS)).as("hack/build-readiness.sh ends").isTrue();
    assertThat(p.exitValue()).as("hack/build-readiness.sh: %s", out).isZero();
    System.out.print(out);
    String dir =
        System.getenv()
            .getOrDefault(
                "KUBE_API_TEST_DIR",
                Path.of(System.getProperty("user.home"), ".kubeapitest").toString());
    Path tool = Path.of(dir, "tools", "readiness");
    assertThat(Files.isExecutable(tool)).as(tool.toString()).isTrue();
    return tool;
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
