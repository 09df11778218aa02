package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.cloud.CountingMachineProvider;
import io.mesosoperator.reconcile.Conditions;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.testing.MockApiServer;
import io.mesosoperator.validation.ManifestReader;
import io.mesosoperator.validation.SpecValidator;
import io.mesosoperator.validation.ValidationError;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every document of the invalid corpus against a running 3+3 cluster. A document that binds as a
 * MesosCluster and that SpecValidator refuses is applied over the running cluster (its spec
 * replacing the valid one, which is restored afterwards): the cluster must get a condition naming
 * the path of its {@code # expect:} line, with zero cloud mutations and the node count unchanged.
 * The others never reach the operator: they are not YAML the client can read, or the CRD schema
 * refuses them at the expected path (checked here against the generated CRD), or they are one of
 * the few rules only the CLI states (listed, with why).
 */
@MockApiServer
class CorpusOverRunningClusterTest {
  /** Rules only the CLI (ManifestReader) states, and why they never reach the operator. */
  static final Map<String, String> CLI_ONLY =
      Map.of(
          "duplicate-key.yaml",
          "kubectl (1.37, InvalidCorpusApiServerIT) and fabric8 both keep the last value",
          "second-document-not-a-cluster.yaml",
          "the second document is another kind of resource: a MesosCluster file holds only"
              + " MesosClusters, but the API server would store it as what it is");

  KubernetesClient client;
  MapCloud cloud;
  CountingMachineProvider counting;
  OperatorRuntime operator;
  MesosClusterSpec valid;

  @BeforeEach
  void setUp() throws Exception {
    Harness.installCrds(client);
    cloud = new MapCloud();
    counting = new CountingMachineProvider(cloud);
    operator = Harness.start(client, c -> counting, null);
    MesosCluster created = client.resource(Harness.tutorial(client)).create();
    valid = created.getSpec();
    Harness.awaitMachinesReady(client, Duration.ofSeconds(30));
  }

  @AfterEach
  void tearDown() {
    operator.close();
  }

  record Expect(String path, String message) {}

  static Expect expect(Path file) throws Exception {
    String first;
    try (var lines = Files.lines(file)) {
      first = lines.findFirst().orElseThrow();
    }
    String e = first.substring("# expect: ".length());
    int sep = e.indexOf(": ");
    return new Expect(e.substring(0, sep), e.substring(sep + 2));
  }

  static List<Path> corpus() throws Exception {
    Path dir = Path.of(CorpusOverRunningClusterTest.class.getResource("/invalid").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void everyDocumentIsRefusedAndTheRunningClusterIsUntouched() throws Exception {
    CrdSchema schema =
        CrdSchema.load(Harness.ROOT.resolve("crds/mesosclusters.mesosoperator.io.yaml"));
    ObjectMapper lenient = new ObjectMapper(new YAMLFactory());
    Map<String, List<String>> byStage = new TreeMap<>();
    List<Path> corpus = corpus();
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);
    for (Path file : corpus) {
      String name = file.getFileName().toString();
      Expect expect = expect(file);
      String text = Files.readString(file);
      ManifestReader.Result read = ManifestReader.read(file);
      MesosCluster bound = read.cluster();
      List<ValidationError> operatorErrors =
          bound == null || bound.getSpec() == null ? List.of() : SpecValidator.validate(bound);
      boolean single = text.indexOf("\n---") < 0;
      boolean operatorSees =
          single && operatorErrors.stream().anyMatch(e -> e.path().equals(expect.path()));
      // Over the running cluster the spec is judged with the running cluster's name.
      boolean overRunning =
          operatorSees
              && SpecValidator.validate(renamed(bound)).stream()
                  .anyMatch(e -> e.path().equals(expect.path()));
      String stage;
      long started = System.nanoTime();
      if (overRunning) {
        stage = overRunning(name, bound, expect);
      } else if (operatorSees) {
        stage = newCluster(name, bound, expect);
      } else if (CLI_ONLY.containsKey(name)) {
        stage = "cli";
      } else if (expect.path().startsWith("<document")) {
        // Not YAML a client can read into a MesosCluster.
        assertThatThrownBy(
                () ->
                    client
                        .resources(MesosCluster.class)
                        .load(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))
                        .item())
            .as(name)
            .isNotNull();
        stage = "client";
      } else {
        JsonNode raw = lenient.readTree(text);
        List<CrdSchema.Refusal> refusals = schema.check(raw);
        assertThat(refusals)
            .as("%s: the CRD schema refuses it at %s", name, expect.path())
            .anyMatch(r -> r.path().equals(expect.path()));
        stage = "schema";
      }
      byStage.computeIfAbsent(stage, k -> new ArrayList<>()).add(name);
      System.out.printf(
          "corpus %-45s %-12s %5d ms%n", name, stage, (System.nanoTime() - started) / 1_000_000);
    }
    assertThat(byStage.getOrDefault("cli", List.of()))
        .containsExactlyInAnyOrderElementsOf(CLI_ONLY.keySet());
    assertThat(byStage.getOrDefault("operator", List.of())).hasSizeGreaterThanOrEqualTo(40);
    int refused = byStage.values().stream().mapToInt(List::size).sum();
    assertThat(refused).isEqualTo(corpus.size());
    assertThat(cloud.machines).hasSize(6);
    Figures.record(
        "bad input corpus",
        new Figures.Row(
            0,
            0,
            0,
            corpus.size(),
            refused,
            String.format(
                "%d applied over a running 3+3 cluster (condition with the path, 0 cloud"
                    + " mutations, 6 nodes kept), %d as new clusters, %d refused by the CRD"
                    + " schema, %d unreadable by the client, %d CLI-only",
                byStage.getOrDefault("operator", List.of()).size(),
                byStage.getOrDefault("operator-new", List.of()).size()
                    + byStage.getOrDefault("api", List.of()).size(),
                byStage.getOrDefault("schema", List.of()).size(),
                byStage.getOrDefault("client", List.of()).size(),
                byStage.getOrDefault("cli", List.of()).size())));
    System.out.println("corpus stages: " + byStage);
  }

  private static MesosCluster renamed(MesosCluster bound) {
    MesosCluster c = new MesosCluster();
    c.getMetadata().setName(Harness.NAME);
    c.getMetadata().setNamespace(Harness.NS);
    c.setSpec(bound.getSpec());
    return c;
  }

  /** Puts the document's spec over the running cluster, checks, and restores the valid spec. */
  private String overRunning(String name, MesosCluster bound, Expect expect) {
    int before = counting.mutations();
    Harness.edit(client, Harness.NAME, c -> c.setSpec(bound.getSpec()));
    long generation = Harness.get(client).getMetadata().getGeneration();
    awaitInvalid(Harness.NAME, name, expect, generation);
    Harness.quiet(Duration.ofMillis(100));
    assertThat(counting.mutations() - before).as("%s: cloud mutations", name).isZero();
    assertThat(cloud.machines).as(name).hasSize(6);
    assertThat(Harness.nodes(client)).as(name).hasSize(6);
    Harness.edit(client, Harness.NAME, c -> c.setSpec(valid));
    Harness.awaitMachinesReady(client, Duration.ofSeconds(20));
    return "operator";
  }

  /** A document whose problem is its name: created beside the running cluster. */
  private String newCluster(String name, MesosCluster bound, Expect expect) {
    bound.getMetadata().setNamespace(Harness.NS);
    int before = counting.mutations();
    try {
      client.resource(bound).create();
    } catch (RuntimeException e) {
      return "api"; // the API (or the client before it) refuses the name
    }
    String clusterName = bound.getMetadata().getName();
    awaitInvalid(clusterName, name, expect, 1L);
    Harness.quiet(Duration.ofMillis(100));
    assertThat(counting.mutations() - before).as("%s: cloud mutations", name).isZero();
    assertThat(cloud.machines).as(name).hasSize(6);
    assertThat(Harness.nodes(client)).as(name).hasSize(6);
    client.resources(MesosCluster.class).inNamespace(Harness.NS).withName(clusterName).delete();
    await().atMost(Duration.ofSeconds(20)).until(() -> Harness.get(client, clusterName) == null);
    return "operator-new";
  }

  private void awaitInvalid(String cluster, String file, Expect expect, long generation) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              MesosCluster c = Harness.get(client, cluster);
              assertThat(c.getStatus()).as(file).isNotNull();
              var ready = Conditions.get(c.getStatus().getConditions(), Conditions.READY);
              assertThat(ready).as(file).isPresent();
              assertThat(ready.get().getObservedGeneration()).as(file).isEqualTo(generation);
              assertThat(ready.get().getReason()).as(file).isEqualTo("InvalidSpec");
              assertThat(ready.get().getMessage()).as(file).contains(expect.path() + ": ");
            });
  }
}
