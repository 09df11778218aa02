package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.cloud.CountingMachineProvider;
import io.mesosoperator.reconcile.Conditions;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.testing.ControlPlane;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every document of the invalid corpus sent to a real kube-apiserver with the built kubectl, as a
 * user would ({@code kubectl create -f FILE}). Each is either refused (by kubectl's decoder or at
 * admission by the CRD's schema and CEL rules) with the field path of its {@code # expect:} line in
 * the message, or accepted and then reported by the operator as {@code Stalled=True}, reason {@code
 * InvalidSpec}, naming that path, with nothing changed: no machine, no MesosNode, no Secret. The
 * table of the outcomes is written into docs/reliability.md.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InvalidCorpusApiServerIT {
  private static final String NS = "corpus";
  private static final Path DOC = Harness.ROOT.resolve("docs/reliability.md");
  static final String BEGIN = "<!-- apiserver-corpus:begin -->";
  static final String END = "<!-- apiserver-corpus:end -->";

  /**
   * Documents whose rule is the CLI's alone; the apiserver admits them as what they are (checked
   * here with a server-side dry run, so nothing is stored).
   */
  static final Map<String, String> CLI_ONLY =
      Map.of(
          "second-document-not-a-cluster.yaml",
          "a MesosCluster file holds only MesosClusters; the apiserver stores a Secret as a Secret",
          "duplicate-key.yaml",
          "kubectl sends the last value of a duplicated key without a word (here provider: stub):"
              + " the apiserver never sees the duplicate; only validate refuses it");

  /**
   * Documents whose rule is on a list and whose expected path is an element of it: a CEL rule's
   * field path cannot name an element, so the apiserver names the list (this path exactly).
   */
  static final Map<String, String> ON_THE_LIST = Map.of("duplicate-role-names.yaml", "spec.roles");

  /**
   * Documents the project's YAML reader refuses ({@code <document>}) but kubectl reads and sends:
   * the apiserver refuses them at this path exactly. SnakeYAML stops at 64 levels of nesting, Go's
   * YAML decoder does not; the nesting starts at the unknown field spec.x.
   */
  static final Map<String, String> READ_BY_KUBECTL = Map.of("deep-nesting.yaml", "spec.x");

  private ControlPlane cp;
  private CrdSchema schema;
  private KubernetesClient client;
  private MapCloud cloud;
  private CountingMachineProvider counting;
  private OperatorRuntime operator;
  private Path kubeconfig;

  @BeforeAll
  void start() throws IOException {
    cp = ControlPlane.shared();
    cp.installCrds(Harness.ROOT, NS);
    schema = CrdSchema.load(Harness.ROOT.resolve("crds/mesosclusters.mesosoperator.io.yaml"));
    client = cp.client();
    kubeconfig = cp.writeKubeconfig(Files.createTempFile("corpus-", ".kubeconfig"), NS, null);
    cloud = new MapCloud();
    counting = new CountingMachineProvider(cloud);
    // Only this test's namespace: the one document naming another (missing-name.yaml, namespace
    // default) has no name, so nothing of it is ever stored.
    operator =
        Harness.start(
            client,
            c -> counting,
            null,
            new OperatorRuntime.Settings(Set.of(NS), null, null, 4, Duration.ofSeconds(2)));
  }

  @AfterAll
  void stop() throws IOException {
    if (operator != null) {
      operator.close();
    }
    if (kubeconfig != null) {
      Files.deleteIfExists(kubeconfig);
    }
  }

  record Outcome(String file, String stage, String message) {}

  record Run(int exit, String output) {}

  @Test
  void everyDocumentIsRefusedWithItsPathOrStalledWithNothingChanged() throws Exception {
    List<Path> corpus = CorpusOverRunningClusterTest.corpus();
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);
    List<Outcome> outcomes = new ArrayList<>();
    int mutations = counting.mutations();
    List<String> failures = new ArrayList<>();
    for (Path file : corpus) {
      String name = file.getFileName().toString();
      long started = System.nanoTime();
      Outcome outcome;
      try {
        outcome = send(file, mutations);
      } catch (AssertionError | ConditionTimeoutException e) {
        // Every document is sent, so one run lists every difference; nothing is left behind.
        failures.add(name + ": " + e.getMessage().replace("\n", " "));
        kubectl(
            "delete", "--ignore-not-found", "--wait=true", "--timeout=60s", "-f", file.toString());
        mutations = counting.mutations();
        continue;
      }
      mutations = counting.mutations();
      outcomes.add(outcome);
      System.out.printf(
          "apiserver corpus %-45s %-20s %5d ms%n",
          name, outcome.stage(), (System.nanoTime() - started) / 1_000_000);
    }
    assertThat(failures).as("documents not refused with their path nor reported").isEmpty();
    long admission =
        count(outcomes, "refused at admission") + count(outcomes, "refused by kubectl");
    long reported = count(outcomes, "operator-reported");
    assertThat(admission + reported + count(outcomes, "CLI only")).isEqualTo(corpus.size());
    assertThat(admission).as("refused at admission").isPositive();
    assertThat(reported).as("reported by the operator").isPositive();
    Files.writeString(
        DOC,
        ReliabilityReport.replaceBetween(
            Files.readString(DOC), BEGIN, END, table(outcomes, cp.kubernetesVersion())));
  }

  /** Sends one document and checks what became of it. */
  private Outcome send(Path file, int mutations) throws Exception {
    String name = file.getFileName().toString();
    CorpusOverRunningClusterTest.Expect expect = CorpusOverRunningClusterTest.expect(file);
    Outcome outcome;
    if (CLI_ONLY.containsKey(name)) {
      Run dry = kubectl("create", "--dry-run=server", "-f", file.toString());
      assertThat(dry.exit()).as("%s: %s", name, dry.output()).isZero();
      if (name.equals("duplicate-key.yaml")) {
        Run sent =
            kubectl(
                "create",
                "--dry-run=server",
                "-o",
                "jsonpath={.spec.cloud.provider}",
                "-f",
                file.toString());
        assertThat(sent.output()).as("%s: the value the apiserver got", name).isEqualTo("stub");
      }
      outcome = new Outcome(name, "CLI only", CLI_ONLY.get(name));
    } else {
      Run created = kubectl("create", "-f", file.toString());
      if (created.exit() != 0) {
        // (the corpus directory as the repository names it, not where this checkout is)
        String message =
            lastLine(created.output())
                .replace(file.getParent() + "/", "operator/src/test/resources/invalid/");
        // kubectl's own refusals start with "error:"; the apiserver's with "Error from server"
        // or "The MesosCluster ... is invalid".
        boolean decoder = message.startsWith("error:");
        if (decoder) {
          // Not a document kubectl can send: refused before any request, so there may be no
          // field path; it names the YAML problem or the path.
          assertThat(message)
              .as(name)
              .containsAnyOf("yaml", "YAML", "json", pathAsApiServerWrites(expect.path()));
        } else {
          // The apiserver writes a map key after a dot (schema validation) or in brackets (CEL):
          // both are read as the project writes paths, and the expected one must be among them.
          String path = schema.canonicalPath(pathAsApiServerWrites(expect.path()));
          if (READ_BY_KUBECTL.containsKey(name)) {
            assertThat(path).isEqualTo("<document>");
            path = READ_BY_KUBECTL.get(name);
          }
          if (ON_THE_LIST.containsKey(name)) {
            assertThat(path).startsWith(ON_THE_LIST.get(name) + "[");
            path = ON_THE_LIST.get(name);
          }
          assertThat(schema.pathsIn(message))
              .as("%s: refused with the path %s: %s", name, path, message)
              .contains(path);
        }
        outcome =
            new Outcome(name, decoder ? "refused by kubectl" : "refused at admission", message);
      } else {
        outcome = new Outcome(name, "operator-reported", stalled(name, expect));
        assertThat(counting.mutations()).as("%s: cloud mutations", name).isEqualTo(mutations);
        Run deleted = kubectl("delete", "--wait=true", "--timeout=60s", "-f", file.toString());
        assertThat(deleted.exit()).as("%s: %s", name, deleted.output()).isZero();
      }
    }
    // (Deleting an accepted cluster releases its network: a mutation, but not one its spec made.)
    assertThat(cloud.machines).as("%s: machines", name).isEmpty();
    return outcome;
  }

  /**
   * The project's path without its {@code <document 1>} prefix, which the apiserver never sees (it
   * gets one object per request). Map keys are the schema's business: {@link
   * CrdSchema#canonicalPath}.
   */
  private static String pathAsApiServerWrites(String path) {
    return path.replaceFirst("^<document \\d+>\\.", "");
  }

  /** Waits for Stalled=True / InvalidSpec naming the path; nothing was created for it. */
  private String stalled(String file, CorpusOverRunningClusterTest.Expect expect) {
    String[] message = new String[1];
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> {
              List<MesosCluster> clusters = clusters();
              assertThat(clusters).as(file).hasSize(1);
              MesosCluster c = clusters.get(0);
              assertThat(c.getStatus()).as(file).isNotNull();
              var stalled = Conditions.get(c.getStatus().getConditions(), Conditions.STALLED);
              assertThat(stalled).as("%s: Stalled", file).isPresent();
              assertThat(stalled.get().getStatus()).as(file).isEqualTo("True");
              assertThat(stalled.get().getReason()).as(file).isEqualTo("InvalidSpec");
              assertThat(stalled.get().getObservedGeneration())
                  .as(file)
                  .isEqualTo(c.getMetadata().getGeneration());
              assertThat(stalled.get().getMessage()).as(file).contains(expect.path() + ": ");
              message[0] = stalled.get().getMessage();
            });
    assertThat(client.resources(MesosNode.class).inNamespace(NS).list().getItems())
        .as("%s: MesosNodes", file)
        .isEmpty();
    assertThat(client.secrets().inNamespace(NS).list().getItems())
        .as("%s: Secrets", file)
        .isEmpty();
    return message[0];
  }

  private List<MesosCluster> clusters() {
    return client.resources(MesosCluster.class).inNamespace(NS).list().getItems();
  }

  private static long count(List<Outcome> outcomes, String stage) {
    return outcomes.stream().filter(o -> o.stage().equals(stage)).count();
  }

  static String table(List<Outcome> outcomes, String kubernetesVersion) {
    long kubectl = count(outcomes, "refused by kubectl");
    long admission = count(outcomes, "refused at admission");
    long reported = count(outcomes, "operator-reported");
    long cliOnly = count(outcomes, "CLI only");
    StringBuilder b = new StringBuilder();
    b.append(
        String.format(
            "%d documents sent with `kubectl create -f` to kube-apiserver v%s: **%d refused at"
                + " admission** (%d of them by kubectl's decoder before the request), **%d"
                + " accepted and reported by the operator** as `Stalled=True` / `InvalidSpec`"
                + " with no machine, MesosNode or Secret made, %d CLI-only.%n%n",
            outcomes.size(), kubernetesVersion, admission + kubectl, kubectl, reported, cliOnly));
    b.append("| file | outcome | message |\n| --- | --- | --- |\n");
    for (Outcome o : outcomes) {
      b.append("| ")
          .append(o.file())
          .append(" | ")
          .append(o.stage())
          .append(" | ")
          .append(cell(o.message()))
          .append(" |\n");
    }
    return b.toString();
  }

  private static String cell(String s) {
    String one = s.replace("\n", " ").replace("|", "\\|").replace("`", "'");
    return one.length() > 300 ? one.substring(0, 297) + "..." : one;
  }

  private static String lastLine(String output) {
    List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
    return lines.isEmpty() ? "" : String.join(" ", lines);
  }

  private Run kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(cp.kubectl().toString());
    command.add("--kubeconfig=" + kubeconfig);
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not end");
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
