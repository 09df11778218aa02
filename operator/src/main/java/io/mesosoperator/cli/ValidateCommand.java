package io.mesosoperator.cli;

import io.mesosoperator.validation.ManifestReader;
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

/**
 * Validates MesosCluster files offline, with the same rules the operator applies. Exit 0 when every
 * file is valid; 1 and one {@code FILE: field.path: message} line per error on stderr when not
 * (picocli itself answers 2 to a bad command line).
 */
@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = "Validate MesosCluster manifests.")
public class ValidateCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      arity = "1..*",
      paramLabel = "FILE",
      description = "A MesosCluster YAML file; repeat -f or list several after it.")
  List<Path> files = new ArrayList<>();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    int invalid = 0;
    for (Path file : files) {
      ManifestReader.Result result = ManifestReader.read(file);
      if (result.valid()) {
        out.println(file + ": OK");
      } else {
        invalid++;
        for (ValidationError e : result.errors()) {
          err.println(file + ": " + e.path() + ": " + e.message());
        }
      }
    }
    if (files.size() > 1) {
      out.println((files.size() - invalid) + " of " + files.size() + " files valid");
    }
    out.flush();
    err.flush();
    return invalid == 0 ? 0 : 1;
  }
}
