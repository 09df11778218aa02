package io.mesosoperator.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** Renders every node's files to a directory. */
@Command(name = "render", description = "Render each node's files to a directory.")
public class RenderCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 2;
  }
}
