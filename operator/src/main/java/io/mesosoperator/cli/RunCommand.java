package io.mesosoperator.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Runs the operator against the current kubeconfig or in-cluster config. */
@Command(name = "run", description = "Run the operator (the default).")
public class RunCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    System.err.println("mesos-operator: the operator is not built yet; see the README's status.");
    return 2;
  }
}
