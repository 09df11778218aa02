package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineProvider;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.NetworkRequest;
import io.mesosoperator.reconcile.Conditions;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.testing.ControlPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Readiness as the tools compute it, on real objects read from a real kube-apiserver: kstatus
 * ({@code sigs.k8s.io/cli-utils/pkg/kstatus/status.Compute}, what kpt, Config Sync and Flux's
 * health checks use) and the Argo CD health Lua ({@code examples/gitops/argocd/health.lua}) run as
 * Argo CD runs it (gopher-lua with only the package, base, table and a safe os library), both from
 * {@code hack/readiness}, built by {@code hack/build-readiness.sh} into {@code
 * $KUBE_API_TEST_DIR/tools}. The operator runs in-process on simulated nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ToolReadinessIT {
  private static final String NS = "tool-readiness";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ControlPlane cp;
  private KubernetesClient client;
  private OperatorRuntime operator;
  private final GatedCloud cloud = new GatedCloud(new MapCloud());
  private Path readiness;

  /** A cloud that answers "unavailable" (transient) to every create while closed. */
  static final class GatedCloud implements MachineProvider {
    private final MachineProvider delegate;
    volatile boolean closed;

    GatedCloud(MachineProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public void ensureNetwork(NetworkRequest request) throws CloudException {
      delegate.ensureNetwork(request);
    }

    @Override
    public List<Machine> list(String clusterUid) throws CloudException {
      return delegate.list(clusterUid);
    }

    @Override
    public Machine create(MachineRequest request) throws CloudException {
      if (closed) {
        throw new CloudException("cloud unavailable (test gate closed)", true);
      }
      return delegate.create(request);
    }

    @Override
    public void destroy(String machineId) throws CloudException {
      delegate.destroy(machineId);
    }
  }

  record Readiness(String kstatus, String kstatusMessage, String argo, String argoMessage) {}

  @BeforeAll
  void start() throws Exception {
    readiness = build();
    cp = ControlPlane.shared();
    cp.installCrds(Harness.ROOT, NS);
    client = cp.client();
    operator =
        Harness.start(
            client,
            c -> cloud,
            null,
            new OperatorRuntime.Settings(Set.of(NS), null, null, 4, Duration.ofSeconds(2)));
  }

  @AfterAll
  void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  @Test
  void kstatusAndArgoCdAgreeOnEveryPhase() throws Exception {
    // Converging: the cloud refuses creates for now.
    cloud.closed = true;
    MesosCluster cluster = Harness.tutorial(client);
    cluster.getMetadata().setNamespace(NS);
    client.resource(cluster).create();
    MesosCluster converging =
        awaitCluster(
            "Reconciling=True while the cloud is down",
            c -> c.getStatus() != null && Harness.isTrue(c, Conditions.RECONCILING));
    Readiness r = readiness(converging);
    assertThat(r.kstatus()).as("converging: %s", r).isEqualTo("InProgress");
    assertThat(r.argo()).as("converging: %s", r).isEqualTo("Progressing");

    // Ready.
    cloud.closed = false;
    MesosCluster ready = awaitReady();
    r = readiness(ready);
    assertThat(r.kstatus()).as("ready: %s", r).isEqualTo("Current");
    assertThat(r.argo()).as("ready: %s", r).isEqualTo("Healthy");
    assertThat(r.argoMessage()).startsWith("ClusterReady: masters 3/3");

    // Right after a spec change: the object the apiserver returned for the update (a new
    // generation, the status still of the old one).
    ready.getSpec().getRoles().get(1).setReplicas(4);
    MesosCluster changed = client.resource(ready).update();
    assertThat(changed.getMetadata().getGeneration())
        .isGreaterThan(changed.getStatus().getObservedGeneration());
    r = readiness(changed);
    assertThat(r.kstatus()).as("after a spec change: %s", r).isEqualTo("InProgress");
    assertThat(r.argo()).as("after a spec change: %s", r).isEqualTo("Progressing");
    r = readiness(awaitReady());
    assertThat(r.kstatus()).isEqualTo("Current");
    assertThat(r.argo()).isEqualTo("Healthy");

    // An invalid spec the apiserver admits (no schema or CEL rule covers it) and the operator
    // refuses: aws-ec2 without a credentials Secret. (An even master count, the offline example,
    // never gets this far: the CRD's CEL rule refuses it at admission.)
    MesosCluster current = get();
    current.getSpec().getCloud().setProvider("aws-ec2");
    client.resource(current).update();
    MesosCluster stalled =
        awaitCluster(
            "Stalled=True for the invalid spec",
            c ->
                c.getStatus() != null
                    && c.getStatus().getObservedGeneration().equals(c.getMetadata().getGeneration())
                    && Harness.isTrue(c, Conditions.STALLED));
    r = readiness(stalled);
    assertThat(r.kstatus()).as("invalid: %s", r).isEqualTo("Failed");
    assertThat(r.argo()).as("invalid: %s", r).isEqualTo("Degraded");
    assertThat(r.argoMessage()).contains("InvalidSpec").contains("spec.cloud.credentialsSecret");

    client.resources(MesosCluster.class).inNamespace(NS).withName(Harness.NAME).delete();
    await().atMost(Duration.ofSeconds(60)).until(() -> get() == null);
  }

  private MesosCluster get() {
    return client.resources(MesosCluster.class).inNamespace(NS).withName(Harness.NAME).get();
  }

  private MesosCluster awaitReady() {
    return awaitCluster(
        "Ready=True for the current generation",
        c ->
            c.getStatus() != null
                && c.getStatus().getObservedGeneration().equals(c.getMetadata().getGeneration())
                && Harness.isTrue(c, Conditions.READY));
  }

  private MesosCluster awaitCluster(String what, Predicate<MesosCluster> done) {
    MesosCluster[] seen = new MesosCluster[1];
    await(what)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              MesosCluster c = get();
              seen[0] = c;
              return c != null && done.test(c);
            });
    return seen[0];
  }

  /** kstatus and the Argo CD verdict on the object exactly as the apiserver returned it. */
  private Readiness readiness(MesosCluster object) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                readiness.toString(),
                "-lua",
                Harness.ROOT.resolve("examples/gitops/argocd/health.lua").toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (var in = p.getOutputStream()) {
      in.write(Serialization.asJson(object).getBytes(StandardCharsets.UTF_8));
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
        "readiness of generation " + object.getMetadata().getGeneration() + ": " + result);
    return result;
  }

  /** Builds (or reuses) the readiness tool; fails when it cannot be built. */
  private static Path build() throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("sh", Harness.ROOT.resolve("hack/build-readiness.sh").toString())
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
}
