package io.mesosoperator;

import io.mesosoperator.cli.PlanCommand;
import io.mesosoperator.cli.RenderCommand;
import io.mesosoperator.cli.RunCommand;
import io.mesosoperator.cli.ValidateCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one executable: the operator by default, plus the offline commands. */
@Command(
    name = "mesos-operator",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Runs Apache Mesos clusters described by MesosCluster resources.",
    subcommands = {RunCommand.class, ValidateCommand.class, RenderCommand.class, PlanCommand.class})
public final class Main implements Callable<Integer> {

  @Override
  public Integer call() throws Exception {
    return new RunCommand().call();
  }

  /** Runs the command line and returns the exit code (for tests). */
  public static int run(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"mesos-operator " + (v == null ? "dev" : v)};
    }
  }
}
