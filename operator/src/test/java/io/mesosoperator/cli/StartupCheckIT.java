package io.mesosoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.testing.ControlPlane;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped jar at start, on the real apiserver: a clear refusal (one line, its own exit code,
 * within seconds) when the API is unreachable, the CRDs are missing or a verb is not granted; a
 * start when everything is in place.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StartupCheckIT {
  private static final Path ROOT =
      Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final Path JAR = ROOT.resolve("operator/target/mesos-operator.jar");
  private static final String NS = "startup-check";
  private static final String LIMITED = "limited-operator";

  private ControlPlane cp;
  private KubernetesClient admin;

  @BeforeAll
  void start() throws IOException {
    assertThat(JAR).as("built by mvn package").isRegularFile();
    cp = ControlPlane.shared();
    cp.installCrds(ROOT, NS);
    admin = cp.client();
  }

  /** What the jar printed and how it ended. */
  record Run(int exit, List<String> lines, Duration took) {}

  private Run runJar(Path kubeconfig, String... args) throws Exception {
    Path out = Files.createTempFile("startup-check", ".log");
    List<String> command =
        new java.util.ArrayList<>(
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
      return new Run(
          p.exitValue(),
          Files.readAllLines(out, StandardCharsets.UTF_8),
          Duration.ofNanos(System.nanoTime() - t0));
    } finally {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      Files.deleteIfExists(out);
    }
  }

  private static void assertOneLine(Run run, int exit, String... contains) {
    assertThat(run.exit()).as("exit code; output: %s", run.lines()).isEqualTo(exit);
    assertThat(run.lines()).as("one line, no stack trace").hasSize(1);
    assertThat(run.lines().get(0)).startsWith("mesos-operator: not starting: ").contains(contains);
    assertThat(run.took()).as("a refusal is quick").isLessThan(Duration.ofSeconds(20));
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
  void missingCrdsAreOneLineNamingThemAndExitCode4(@TempDir Path dir) throws Exception {
    Path kubeconfig = cp.writeKubeconfig(dir.resolve("kubeconfig"), NS, null);
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("mesosnodes.mesosoperator.io")
        .withTimeout(60, TimeUnit.SECONDS)
        .delete();
    try {
      Run run = runJar(kubeconfig, "--namespaces=" + NS);
      assertOneLine(
          run,
          StartupCheck.CRDS_MISSING,
          "mesosnodes.mesosoperator.io v1alpha1",
          "kubectl apply -f crds/");
      assertThat(run.lines().get(0)).doesNotContain("mesosclusters");
    } finally {
      cp.installCrds(ROOT, NS);
    }
  }

  @Test
  void aMissingVerbIsOneLineNamingItAndExitCode5(@TempDir Path dir) throws Exception {
    // Everything the operator needs but "watch mesosnodes" and "create events".
    admin
        .rbac()
        .clusterRoles()
        .resource(
            new ClusterRoleBuilder()
                .withNewMetadata()
                .withName(LIMITED)
                .endMetadata()
                .withRules(
                    new PolicyRuleBuilder()
                        .withApiGroups("mesosoperator.io")
                        .withResources("mesosclusters")
                        .withVerbs("get", "list", "watch", "create", "delete", "patch", "update")
                        .build(),
                    new PolicyRuleBuilder()
                        .withApiGroups("mesosoperator.io")
                        .withResources("mesosnodes")
                        .withVerbs("get", "list", "create", "delete", "patch", "update")
                        .build(),
                    new PolicyRuleBuilder()
                        .withApiGroups("mesosoperator.io")
                        .withResources(
                            "mesosclusters/status",
                            "mesosnodes/status",
                            "mesosclusters/finalizers",
                            "mesosnodes/finalizers")
                        .withVerbs("get", "patch", "update")
                        .build(),
                    new PolicyRuleBuilder()
                        .withApiGroups("")
                        .withResources("secrets")
                        .withVerbs("get", "create")
                        .build())
                .build())
        .forceConflicts()
        .serverSideApply();
    admin
        .rbac()
        .roleBindings()
        .inNamespace(NS)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(LIMITED)
                .withNamespace(NS)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", LIMITED)
                .addNewSubject()
                .withKind("User")
                .withApiGroup("rbac.authorization.k8s.io")
                .withName(LIMITED)
                .endSubject()
                .build())
        .forceConflicts()
        .serverSideApply();
    Path kubeconfig = cp.writeKubeconfig(dir.resolve("kubeconfig"), NS, LIMITED);
    // The user alone, without the admin group writeKubeconfig adds.
    Files.writeString(
        kubeconfig, Files.readString(kubeconfig).replaceAll("(?m)^\\s*as-groups:.*\\n", ""));
    Run run = runJar(kubeconfig, "--namespaces=" + NS);
    assertOneLine(
        run,
        StartupCheck.FORBIDDEN,
        "watch mesosnodes.mesosoperator.io (namespace " + NS + ")",
        "create events (namespace " + NS + ")");
    assertThat(run.lines().get(0)).doesNotContain("list mesosnodes", "get secrets");

    // Across all namespaces the namespaced grant is not enough: every verb is named.
    Run all = runJar(kubeconfig);
    assertOneLine(
        all, StartupCheck.FORBIDDEN, "list mesosclusters.mesosoperator.io (all namespaces)");
  }

  @Test
  void withEverythingInPlaceTheJarStartsAndIsReady(@TempDir Path dir) throws Exception {
    Path kubeconfig = cp.writeKubeconfig(dir.resolve("kubeconfig"), NS, null);
    int health;
    try (ServerSocket s = new ServerSocket(0)) {
      health = s.getLocalPort();
    }
    Path out = Files.createTempFile("startup-check", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toString(),
                "run",
                "--health-port=" + health,
                "--metrics-port=0",
                "--namespaces=" + NS)
            .redirectErrorStream(true);
    pb.redirectOutput(out.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    Process p = pb.start();
    try {
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      int code = -1;
      while (System.nanoTime() < deadline && p.isAlive()) {
        try {
          code =
              http.send(
                      java.net.http.HttpRequest.newBuilder(
                              java.net.URI.create("http://127.0.0.1:" + health + "/readyz"))
                          .timeout(Duration.ofSeconds(5))
                          .build(),
                      java.net.http.HttpResponse.BodyHandlers.discarding())
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
      assertThat(Files.readString(out))
          .contains("mesos-operator running against")
          .doesNotContain("not starting");
    } finally {
      p.destroy();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      Files.deleteIfExists(out);
    }
  }
}
