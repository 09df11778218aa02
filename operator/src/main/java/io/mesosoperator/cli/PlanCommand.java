package io.mesosoperator.cli;

import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.plan.ChangePlan;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.validation.ManifestReader;
import io.mesosoperator.validation.NodeListValidator;
import io.mesosoperator.validation.ValidationError;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Prints what a spec change would do on each node, for reviewing a pull request offline. */
@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description =
        "Print what applying CLUSTER.yaml would change (machines, files per node, packages,"
            + " restarts), compared with --current or with a new cluster.")
public class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec commandSpec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "CLUSTER.yaml",
      description = "The MesosCluster manifest to apply.")
  Path clusterFile;

  @Option(
      names = "--current",
      paramLabel = "CURRENT.yaml",
      description = "The manifest as it is applied now (for example from the main branch).")
  Path currentFile;

  @Option(
      names = "--nodes",
      required = true,
      paramLabel = "NODES.yaml",
      description = "The nodes as they are: {name, role, privateAddress, publicAddress?, zkId?}.")
  Path nodesFile;

  @Option(
      names = "--init",
      defaultValue = "upstart",
      converter = RenderCommand.InitConverter.class,
      description = "Init system of the nodes (default: ${DEFAULT-VALUE}).")
  InitStyle init;

  @Override
  public Integer call() {
    PrintWriter err = commandSpec.commandLine().getErr();
    PrintWriter out = commandSpec.commandLine().getOut();
    List<String> problems = new ArrayList<>();
    MesosCluster next = read(clusterFile, problems);
    MesosCluster current = currentFile == null ? null : read(currentFile, problems);
    List<NodeInfo> nodes = RenderCommand.readNodes(nodesFile, problems);
    if (problems.isEmpty()) {
      for (ValidationError e : NodeListValidator.validate(next.getSpec(), nodes)) {
        problems.add(nodesFile + ": " + e);
      }
    }
    if (!problems.isEmpty()) {
      problems.forEach(err::println);
      err.flush();
      return 1;
    }
    NodeFacts facts =
        new NodeFacts(NodeFacts.TUTORIAL.distro(), NodeFacts.TUTORIAL.codename(), init);
    ChangePlan.plan(current == null ? null : current.getSpec(), next.getSpec(), nodes, facts)
        .forEach(out::println);
    out.flush();
    return 0;
  }

  private static MesosCluster read(Path file, List<String> problems) {
    ManifestReader.Result result = ManifestReader.read(file);
    result.errors().forEach(e -> problems.add(file + ": " + e));
    return result.cluster();
  }
}
