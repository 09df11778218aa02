package io.mesosoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mesosoperator.testing.ControlPlane;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped jar at start, on the real apiserver: a clear refusal (one line, its own exit code,
 * within seconds, no {@code /readyz}) when the API is unreachable or refuses the credentials, the
 * CRDs are missing or a verb is not granted; a start when everything is in place.
 *
 * <p>The operator's identity is always a real ServiceAccount with a TokenRequest token, bound to
 * the Helm chart's own rules as rendered by Helm (one verb taken out for the refusal): a kubeconfig
 * that impersonates ({@code as:}) would not do, fabric8 ignores {@code as} and the jar would act as
 * the admin certificate. The missing-CRD cases run on a control plane of their own: deleting a CRD
 * on the shared one would delete every other test's resources of that kind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartupCheckIT {
  private static final Path ROOT =
      Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final Path JAR = ROOT.resolve("operator/target/mesos-operator.jar");
  private static final String NS_VERB = "startup-verb";
  private static final String NS_LEASE = "startup-lease";
  private static final String NS_OK = "startup-ok";

  /** The chart's ServiceAccount (release name = chart name, so the full name is just that). */
  private static final String SA = "mesos-operator";

  private ControlPlane cp;

  @BeforeAll
  void start() throws IOException {
    assertThat(JAR).as("built by mvn package").isRegularFile();
    cp = ControlPlane.shared();
    cp.installCrds(ROOT, NS_VERB, NS_LEASE, NS_OK);
  }

  /** What the jar printed and how it ended. */
  record Run(int exit, List<String> lines, Duration took) {}

  private Run runJar(Path kubeconfig, String... args) throws Exception {
    Path out = Files.createTempFile("startup-check", ".log");
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "run",
                "--health-port=0",
                "--metrics-port=0"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(out.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    long t0 = System.nanoTime();
    Process p = pb.start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        return new Run(-1, Files.readAllLines(out), Duration.ofNanos(System.nanoTime() - t0));
      }
      Run run =
          new Run(
              p.exitValue(),
              Files.readAllLines(out, StandardCharsets.UTF_8),
              Duration.ofNanos(System.nanoTime() - t0));
      System.out.printf(
          "startup check: exit %d in %d ms: %s%n", run.exit(), run.took().toMillis(), run.lines());
      return run;
    } finally {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      Files.deleteIfExists(out);
    }
  }

  private static String assertOneLine(Run run, int exit, String... contains) {
    assertThat(run.exit()).as("exit code; output: %s", run.lines()).isEqualTo(exit);
    assertThat(run.lines()).as("one line, no stack trace").hasSize(1);
    assertThat(run.lines().get(0)).startsWith("mesos-operator: not starting: ");
    for (String c : contains) {
      assertThat(run.lines().get(0)).contains(c);
    }
    assertThat(run.took()).as("a refusal is quick").isLessThan(Duration.ofSeconds(20));
    return run.lines().get(0);
  }

  @Test
  void anUnreachableApiServerIsOneLineAndExitCode3(@TempDir Path dir) throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: gone\n  cluster:\n    server:"
            + " https://127.0.0.1:"
            + port
            + "\n    insecure-skip-tls-verify: true\ncontexts:\n- name: gone\n  context:\n"
            + "    cluster: gone\n    user: gone\ncurrent-context: gone\n"
            + "users:\n- name: gone\n  user:\n    token: none\n");
    Run run = runJar(kubeconfig);
    assertOneLine(
        run,
        StartupCheck.UNREACHABLE,
        "cannot reach the Kubernetes API at",
        ":" + port,
        "KUBECONFIG");
  }

  @Test
  void aKubeconfigThatCannotBeReadIsOneLineAndExitCode3(@TempDir Path dir) throws Exception {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(
        kubeconfig,
        "apiVersion: v1\nkind: Config\nusers:\n- name: x\n  user:\n    as:     token: t\n");
    assertOneLine(
        runJar(kubeconfig),
        StartupCheck.UNREACHABLE,
        "cannot read the Kubernetes config " + kubeconfig,
        "KUBECONFIG");
  }

  @Test
  void aTokenTheApiServerDoesNotKnowIsOneLineAndExitCode3(@TempDir Path dir) throws Exception {
    Path kubeconfig = cp.writeServiceAccountKubeconfig(dir.resolve("kubeconfig"), NS_VERB, SA);
    String text = Files.readString(kubeconfig);
    Files.writeString(kubeconfig, text.replaceAll("token: \\S+", "token: not-a-token"));
    Run run = runJar(kubeconfig, "--namespaces=" + NS_VERB);
    assertOneLine(
        run, StartupCheck.UNREACHABLE, "refused the credentials (401)", cp.url(), "KUBECONFIG");
  }

  @Test
  void missingCrdsAreOneLineNamingThemAndExitCode4(@TempDir Path dir) throws Exception {
    try (ControlPlane own = ControlPlane.start(ROOT)) {
      own.ensureNamespace(NS_OK);
      Path kubeconfig = own.writeKubeconfig(dir.resolve("kubeconfig"), NS_OK, null);

      String none = assertOneLine(runJar(kubeconfig, "--namespaces=" + NS_OK), 4);
      assertThat(none)
          .contains(
              "the API server at " + own.url(),
              " does not serve mesosclusters.mesosoperator.io v1alpha1,"
                  + " mesosnodes.mesosoperator.io v1alpha1; install the CRDs with: kubectl"
                  + " apply -f crds/");

      own.installCrd(ROOT, "mesosclusters.mesosoperator.io.yaml");
      // Established is the CRD's condition; the group's discovery document follows on its own.
      long t0 = System.nanoTime();
      long deadline = t0 + TimeUnit.SECONDS.toNanos(30);
      while (!served(own.client()).contains("mesosclusters/status")) {
        assertThat(System.nanoTime()).as("discovery serves mesosclusters").isLessThan(deadline);
        Thread.sleep(50);
      }
      System.out.printf(
          "startup check: discovery listed mesosclusters %d ms after Established%n",
          (System.nanoTime() - t0) / 1_000_000);
      String one = assertOneLine(runJar(kubeconfig, "--namespaces=" + NS_OK), 4);
      assertThat(one)
          .contains(
              "does not serve mesosnodes.mesosoperator.io v1alpha1;", "kubectl apply -f crds/")
          .doesNotContain("mesosclusters");
    }
  }

  private static Set<String> served(KubernetesClient client) {
    try {
      APIResourceList list =
          client.getApiResources(ControlPlane.GROUP + "/" + ControlPlane.VERSION);
      return list == null
          ? Set.of()
          : list.getResources().stream().map(APIResource::getName).collect(Collectors.toSet());
    } catch (KubernetesClientException e) {
      return Set.of();
    }
  }

  @Test
  void aMissingVerbIsOneLineNamingItAndExitCode5(@TempDir Path dir) throws Exception {
    // The chart's Role for the watched namespace, without "update secrets".
    applyChart(NS_VERB, false, "secrets", "update");
    Path kubeconfig = cp.writeServiceAccountKubeconfig(dir.resolve("kubeconfig"), NS_VERB, SA);
    String line =
        assertOneLine(runJar(kubeconfig, "--namespaces=" + NS_VERB), StartupCheck.FORBIDDEN);
    assertThat(line)
        .isEqualTo(
            "mesos-operator: not starting: the operator's identity may not update secrets"
                + " (namespace "
                + NS_VERB
                + "); grant these verbs (the Helm chart's rules, or the README's RBAC list)");

    // Across all namespaces the namespaced grant is not enough: every verb is named.
    String all = assertOneLine(runJar(kubeconfig), StartupCheck.FORBIDDEN);
    for (StartupCheck.Permission p : StartupCheck.needed(false)) {
      assertThat(all).contains(p + " (all namespaces)");
    }
  }

  @Test
  void aMissingLeaseVerbIsOneLineNamingItAndExitCode5(@TempDir Path dir) throws Exception {
    // The chart with leader election, its Lease Role without "patch" (the leader renews with it).
    applyChart(NS_LEASE, true, "leases", "patch");
    Path kubeconfig = cp.writeServiceAccountKubeconfig(dir.resolve("kubeconfig"), NS_LEASE, SA);
    String line =
        assertOneLine(
            runJar(kubeconfig, "--namespaces=" + NS_LEASE, "--leader-election"),
            StartupCheck.FORBIDDEN);
    assertThat(line)
        .contains("may not patch leases.coordination.k8s.io (namespace " + NS_LEASE + ");")
        .doesNotContain("events", "secrets", "mesosclusters", "mesosnodes");
  }

  @Test
  void asTheChartsServiceAccountTheJarStartsAndIsReady(@TempDir Path dir) throws Exception {
    // The chart's defaults (leader election on), watching one namespace; the Deployment's args.
    List<String> args = applyChart(NS_OK, true, null, null);
    Path kubeconfig = cp.writeServiceAccountKubeconfig(dir.resolve("kubeconfig"), NS_OK, SA);
    int health;
    try (ServerSocket s = new ServerSocket(0)) {
      health = s.getLocalPort();
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString()));
    for (String a : args) {
      command.add(
          a.startsWith("--health-port=")
              ? "--health-port=" + health
              : a.startsWith("--metrics-port=") ? "--metrics-port=0" : a);
    }
    assertThat(command).contains("run", "--namespaces=" + NS_OK, "--leader-election");
    Path out = Files.createTempFile("startup-check", ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.redirectOutput(out.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    Process p = pb.start();
    try {
      HttpClient http = HttpClient.newHttpClient();
      long t0 = System.nanoTime();
      long deadline = t0 + TimeUnit.SECONDS.toNanos(60);
      int code = -1;
      while (System.nanoTime() < deadline && p.isAlive()) {
        try {
          code =
              http.send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health + "/readyz"))
                          .timeout(Duration.ofSeconds(5))
                          .build(),
                      HttpResponse.BodyHandlers.discarding())
                  .statusCode();
        } catch (IOException e) {
          code = -1;
        }
        if (code == 200) {
          break;
        }
        Thread.sleep(250);
      }
      assertThat(code).as("readyz; output: %s", Files.readAllLines(out)).isEqualTo(200);
      System.out.printf(
          "startup check: ready as the chart's ServiceAccount in %d ms%n",
          (System.nanoTime() - t0) / 1_000_000);
      assertThat(Files.readString(out))
          .contains("mesos-operator running against")
          .doesNotContain("not starting", "Forbidden", "forbidden");
    } finally {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Files.deleteIfExists(out);
    }
  }

  /**
   * Renders the chart with Helm (release {@value #SA} in {@code namespace}, watching that namespace
   * only), applies its ServiceAccount, Roles and RoleBindings, with {@code verb} taken out of the
   * rules on {@code resource} when given, and returns the Deployment's container args.
   */
  @SuppressWarnings("unchecked")
  private List<String> applyChart(
      String namespace, boolean leaderElection, String resource, String verb) {
    TemplateCommand template =
        new Helm(ROOT.resolve("helm/mesos-operator"))
            .template()
            .withName(SA)
            .withNamespace(namespace)
            .withKubeVersion(cp.kubernetesVersion())
            .set("watchNamespaces[0]", namespace)
            .set("leaderElection.enabled", String.valueOf(leaderElection));
    String rendered = template.call();
    KubernetesClient admin = cp.client();
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8))).items();
    List<String> args = null;
    int removed = 0;
    for (HasMetadata o : objects) {
      switch (o.getKind()) {
        case "ServiceAccount", "RoleBinding" -> apply(admin, o, namespace);
        case "Role" -> {
          if (resource != null) {
            for (PolicyRule rule : ((Role) o).getRules()) {
              if (rule.getResources().contains(resource) && rule.getVerbs().remove(verb)) {
                removed++;
              }
            }
          }
          apply(admin, o, namespace);
        }
        case "Deployment" -> {
          Map<String, Object> d = admin.getKubernetesSerialization().convertValue(o, Map.class);
          Map<String, Object> spec = (Map<String, Object>) d.get("spec");
          Map<String, Object> pod =
              (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
          List<Map<String, Object>> containers = (List<Map<String, Object>>) pod.get("containers");
          args = (List<String>) containers.get(0).get("args");
        }
        case "ClusterRole", "ClusterRoleBinding" ->
            throw new AssertionError("watching one namespace renders nothing cluster-wide: " + o);
        default -> {}
      }
    }
    assertThat(removed)
        .as("rules granting %s %s", verb, resource)
        .isEqualTo(resource == null ? 0 : 1);
    assertThat(args).as("the Deployment's args").isNotNull();
    return args;
  }

  private static void apply(KubernetesClient admin, HasMetadata o, String namespace) {
    o.getMetadata().setNamespace(namespace);
    admin.resource(o).forceConflicts().fieldManager("mesos-operator-tests").serverSideApply();
  }
}
