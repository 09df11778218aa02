package io.mesosoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.mesosoperator.Main;
import io.mesosoperator.render.Golden;
import io.mesosoperator.render.TestInputs;
import io.mesosoperator.validation.ManifestReader;
import io.mesosoperator.validation.ValidationError;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RenderCommandTest {
  @TempDir Path tmp;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Reads manifests with plain Jackson YAML, standing in for ManifestReader's parsing. */
  private static final Function<Path, ManifestReader.Result> JACKSON =
      p -> new ManifestReader.Result(TestInputs.cluster(p), List.of());

  private int run(Function<Path, ManifestReader.Result> reader, String... args) {
    RenderCommand command = new RenderCommand();
    command.clusterReader = reader;
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(tmp.resolve(name), text);
  }

  @Test
  void tutorialOutputIsTheHandWrittenGoldenTree() {
    Path dir = tmp.resolve("out");
    int code =
        run(
            JACKSON,
            "-f",
            Golden.input("tutorial-3x3.yaml").toString(),
            "--nodes",
            Golden.input("tutorial-nodes.yaml").toString(),
            "-o",
            dir.toString());
    assertThat(code).as(err.toString()).isZero();
    assertThat(err.toString()).isEmpty();
    assertThat(out.toString()).contains("master1: 15 files", "slave3: 10 files");
    assertThat(Golden.readDir(dir)).isEqualTo(Golden.readDir(Golden.root().resolve("tutorial")));
  }

  @Test
  void plumberyWithSystemdMatchesItsGoldenTree() {
    Path dir = tmp.resolve("out");
    int code =
        run(
            JACKSON,
            "-f",
            Golden.input("plumbery.yaml").toString(),
            "--nodes",
            Golden.input("plumbery-nodes.yaml").toString(),
            "-o",
            dir.toString(),
            "--init",
            "SystemD",
            "--distro",
            "ubuntu",
            "--codename",
            "xenial");
    assertThat(code).as(err.toString()).isZero();
    assertThat(Golden.readDir(dir)).isEqualTo(Golden.readDir(Golden.root().resolve("plumbery")));
  }

  @Test
  void invalidNodesArePrintedOnePerLineAndNothingIsWritten() throws Exception {
    Path nodes =
        write(
            "nodes.yaml",
            """
            - {name: master1, role: master, privateAddress: 192.0.2.1, zkId: 1}
            - {name: master1, role: master, privateAddress: 192.0.2.2, zkId: 1}
            - {name: master3, role: master, privateAddress: 192.0.2.3}
            - {name: master4, role: master, privateAddress: 192.0.2.4, zkId: 256}
            - {name: worker1, role: worker, privateAddress: 192.0.2.51}
            """);
    Path dir = tmp.resolve("out");
    int code =
        run(
            JACKSON,
            "-f",
            Golden.input("tutorial-3x3.yaml").toString(),
            "--nodes",
            nodes.toString(),
            "-o",
            dir.toString());
    assertThat(code).isEqualTo(1);
    assertThat(err.toString().lines())
        .containsExactly(
            nodes + ": [1].name: duplicate node name \"master1\", first at [0]",
            nodes + ": [1].zkId: duplicate ZooKeeper id 1, first at [0]",
            nodes + ": [2].zkId: is required on master nodes",
            nodes + ": [3].zkId: must be between 1 and 255, got 256",
            nodes + ": [4].role: role \"worker\" is not in spec.roles");
    assertThat(dir).doesNotExist();
  }

  @Test
  void manifestErrorsArePrefixedWithTheFileAndNothingIsWritten() throws Exception {
    Path cluster = write("cluster.yaml", "kind: MesosCluster\n");
    Function<Path, ManifestReader.Result> failing =
        p ->
            new ManifestReader.Result(
                null,
                List.of(
                    new ValidationError("spec.roles", "is required"),
                    new ValidationError("spec.cloud.provider", "is required")));
    Path dir = tmp.resolve("out");
    int code =
        run(
            failing,
            "-f",
            cluster.toString(),
            "--nodes",
            Golden.input("tutorial-nodes.yaml").toString(),
            "-o",
            dir.toString());
    assertThat(code).isEqualTo(1);
    assertThat(err.toString().lines())
        .containsExactly(
            cluster + ": spec.roles: is required", cluster + ": spec.cloud.provider: is required");
    assertThat(dir).doesNotExist();
  }

  @Test
  void malformedNodeFilesAreReportedWithAPath() throws Exception {
    Path unknownField =
        write("a.yaml", "- {name: m1, role: master, privateAddress: 10.0.0.1, zkid: 1}\n");
    Path badType =
        write("b.yaml", "- {name: m1, role: master, privateAddress: 10.0.0.1, zkId: one}\n");
    Path notAList = write("c.yaml", "name: m1\n");
    Path empty = write("d.yaml", "");
    for (Path p : List.of(unknownField, badType, notAList, empty, tmp.resolve("missing.yaml"))) {
      err.getBuffer().setLength(0);
      int code =
          run(
              JACKSON,
              "-f",
              Golden.input("tutorial-3x3.yaml").toString(),
              "--nodes",
              p.toString(),
              "-o",
              tmp.resolve("out").toString());
      assertThat(code).as(p.toString()).isEqualTo(1);
      assertThat(err.toString().lines())
          .as(p.toString())
          .singleElement()
          .asString()
          .startsWith(p + ": ");
    }
    assertThat(err.toString()).isEqualTo(tmp.resolve("missing.yaml") + ": nodes: no such file\n");
    assertThat(errorFor(unknownField))
        .isEqualTo(
            unknownField
                + ": [0].zkid: unknown field; known fields: [ipv6Address, name, privateAddress,"
                + " publicAddress, role, zkId]");
    assertThat(errorFor(badType)).isEqualTo(badType + ": [0].zkId: must be a number, got one");
    assertThat(errorFor(notAList)).startsWith(notAList + ": nodes: must be a YAML list of");
    assertThat(errorFor(empty)).isEqualTo(empty + ": nodes: the node list is empty");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  private String errorFor(Path nodes) {
    List<String> problems = new java.util.ArrayList<>();
    assertThat(RenderCommand.readNodes(nodes, problems)).isNull();
    return String.join("\n", problems);
  }

  @Test
  void badInitValueIsAUsageError() {
    int code =
        run(
            JACKSON,
            "-f",
            Golden.input("tutorial-3x3.yaml").toString(),
            "--nodes",
            Golden.input("tutorial-nodes.yaml").toString(),
            "-o",
            tmp.resolve("out").toString(),
            "--init",
            "runit");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("expected upstart, systemd or sysvinit");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void aDistroThatCouldBreakTheAptLineIsAUsageError() {
    int code =
        run(
            JACKSON,
            "-f",
            Golden.input("tutorial-3x3.yaml").toString(),
            "--nodes",
            Golden.input("tutorial-nodes.yaml").toString(),
            "-o",
            tmp.resolve("out").toString(),
            "--codename",
            "trusty main\ndeb http://evil");
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("--codename must be lower-case letters");
    assertThat(tmp.resolve("out")).doesNotExist();
  }

  @Test
  void theExampleNodeListIsTheTutorialsTable() throws Exception {
    Path example =
        Path.of(System.getProperty("project.root", ".."), "examples/tutorial/nodes.yaml");
    assertThat(Files.readString(example))
        .isEqualTo(Files.readString(Golden.input("tutorial-nodes.yaml")));
  }

  /**
   * The real command line with the real ManifestReader. Skipped only while ManifestReader is the
   * "not yet" stub; it runs by itself once the reader lands.
   */
  @Test
  void mainRendersTheTutorialWithTheRealManifestReader() {
    Path cluster = Golden.input("tutorial-3x3.yaml");
    boolean stub;
    try {
      ManifestReader.read(cluster);
      stub = false;
    } catch (UnsupportedOperationException e) {
      stub = true;
    }
    assumeThat(stub).as("needs ManifestReader").isFalse();
    Path dir = tmp.resolve("out");
    int code =
        Main.run(
            "render",
            "-f",
            cluster.toString(),
            "--nodes",
            Golden.input("tutorial-nodes.yaml").toString(),
            "-o",
            dir.toString());
    assertThat(code).isZero();
    assertThat(Golden.readDir(dir)).isEqualTo(Golden.readDir(Golden.root().resolve("tutorial")));
  }
}
