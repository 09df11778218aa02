package io.mesosoperator.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The demo's in-process API with its discovery documents, driven by the real {@code kubectl}: get
 * (by plural and short name), apply, label, patch and delete work against it. No operator, no root.
 * Skips when kubectl is absent, fails then in CI.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoIT {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));

  private ApiServer api;
  private Path dir;
  private Path kubeconfig;
  private String kubectl;

  @BeforeAll
  void start() throws Exception {
    kubectl =
        List.of("/usr/bin/kubectl", "/usr/local/bin/kubectl").stream()
            .filter(p -> Files.isExecutable(Path.of(p)))
            .findFirst()
            .orElse(null);
    // kubectl comes from no registry this project can install from (not Debian, Maven Central
    // or npm), so a machine without it skips this test, in CI too, and says so.
    Assumptions.assumeTrue(
        kubectl != null,
        "DemoIT skipped: kubectl is not installed (/usr/bin or /usr/local/bin); the in-process"
            + " API's kubectl compatibility is then untested on this machine");
    api = ApiServer.start(0);
    api.installCrds(ROOT, "default");
    dir = Files.createTempDirectory("mo-demo-it-");
    kubeconfig = api.writeKubeconfig(dir.resolve("kubeconfig"), "default");
  }

  @AfterAll
  void stop() throws IOException {
    if (api != null) {
      api.close();
    }
    if (dir != null) {
      Files.deleteIfExists(kubeconfig);
      Files.deleteIfExists(dir.resolve("cache").resolve("none"));
      LocalCluster.host(List.of("rm", "-rf", dir.toString()));
    }
  }

  @Test
  void realKubectlGetsAppliesPatchesAndDeletesMesosClusters() throws Exception {
    // Nothing yet: kubectl resolves the resource through discovery and finds no objects.
    assertThat(kubectl("get", "mesosclusters")).contains("No resources found");

    String applied =
        kubectl("apply", "--validate=false", "-f", ROOT.resolve("examples/local.yaml").toString());
    assertThat(applied).contains("mesoscluster.mesosoperator.io/local created");
    assertThat(
            api.client()
                .resources(MesosCluster.class)
                .inNamespace("default")
                .withName("local")
                .get())
        .isNotNull();

    assertThat(kubectl("get", "mesosclusters")).contains("NAME").contains("local");
    assertThat(kubectl("get", "mc", "-o", "name"))
        .isEqualTo("mesoscluster.mesosoperator.io/local\n");
    assertThat(kubectl("get", "mesosclusters,mesosnodes")).contains("local");
    assertThat(kubectl("get", "mn")).contains("No resources found");
    assertThat(kubectl("get", "mc", "local", "-o", "jsonpath={.spec.roles[1].replicas}"))
        .isEqualTo("3");

    assertThat(kubectl("label", "mc", "local", "demo=yes")).contains("labeled");
    assertThat(
            kubectl(
                "patch",
                "mc",
                "local",
                "--type=merge",
                "-p",
                "{\"spec\":{\"marathon\":{\"pruneApps\":true}}}"))
        .contains("patched");
    MesosCluster patched =
        api.client().resources(MesosCluster.class).inNamespace("default").withName("local").get();
    assertThat(patched.getMetadata().getLabels()).containsEntry("demo", "yes");
    assertThat(patched.getSpec().getMarathon().isPruneApps()).isTrue();

    assertThat(kubectl("delete", "mc", "local")).contains("deleted");
    assertThat(api.client().resources(MesosCluster.class).inNamespace("default").list().getItems())
        .isEmpty();
    assertThat(api.client().resources(MesosNode.class).inAnyNamespace().list().getItems())
        .isEmpty();
  }

  private String kubectl(String... args) throws Exception {
    List<String> argv =
        new ArrayList<>(
            List.of(
                kubectl,
                "--kubeconfig",
                kubeconfig.toString(),
                "--cache-dir",
                dir.resolve("cache").toString(),
                "--request-timeout=10s"));
    argv.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "kubectl-", ".out");
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(out.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("kubectl " + String.join(" ", args) + " did not finish in 60 s");
    }
    String text = Files.readString(out);
    assertThat(p.exitValue()).as("kubectl " + String.join(" ", args) + ": " + text).isZero();
    return text;
  }
}
