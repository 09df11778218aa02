package io.mesosoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The offline plan: what a pull request would change on each node. */
class PlanCommandTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final Path CLUSTER = ROOT.resolve("examples/tutorial-3x3.yaml");
  private static final Path NODES = ROOT.resolve("examples/tutorial/nodes.yaml");

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    int exit = cli.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void theSameSpecPlansNoChanges() {
    Run r =
        run(
            "plan",
            "-f",
            CLUSTER.toString(),
            "--current",
            CLUSTER.toString(),
            "--nodes",
            NODES.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out().strip()).isEqualTo("no changes");
  }

  @Test
  void moreAgentsWithAttributesPlanMachinesFilesAndOnlyTheAgentRestarts(@TempDir Path dir)
      throws Exception {
    String changed =
        Files.readString(CLUSTER)
            .replace(
                "name: slave\n      type: agent\n      replicas: 3",
                "name: slave\n      type: agent\n      replicas: 5\n      attributes: {rack: r1}");
    assertThat(changed).contains("replicas: 5");
    Path next = Files.writeString(dir.resolve("next.yaml"), changed);
    Run r =
        run(
            "plan",
            "-f",
            next.toString(),
            "--current",
            CLUSTER.toString(),
            "--nodes",
            NODES.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out().lines())
        .contains(
            "role slave: replicas 3 -> 5 (+2 machines)",
            "slave1: write /etc/mesos-slave/attributes",
            "slave1: restart mesos-slave")
        .noneMatch(l -> l.startsWith("master"));
  }

  @Test
  void aNewClusterWritesEverythingAndRestartsInOrder() {
    Run r = run("plan", "-f", CLUSTER.toString(), "--nodes", NODES.toString());
    assertThat(r.exit()).isZero();
    assertThat(r.out().lines())
        .contains("master1: write /etc/mesos/zk", "master1: write /etc/zookeeper/conf/myid")
        .containsSubsequence(
            "master1: restart zookeeper",
            "master1: restart mesos-master",
            "master1: restart marathon");
  }

  @Test
  void invalidInputIsRefusedWithTheFieldPath(@TempDir Path dir) throws Exception {
    Path bad =
        Files.writeString(
            dir.resolve("bad.yaml"),
            Files.readString(CLUSTER).replaceFirst("replicas: 3", "replicas: 4"));
    Run r = run("plan", "-f", bad.toString(), "--nodes", NODES.toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("spec.roles[0].replicas");
  }
}
