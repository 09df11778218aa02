package io.mesosoperator.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Validates MesosCluster files. */
@Command(name = "validate", description = "Validate MesosCluster manifests.")
public class ValidateCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 2;
  }
}
