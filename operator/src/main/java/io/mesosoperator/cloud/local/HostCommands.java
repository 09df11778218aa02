package io.mesosoperator.cloud.local;

import io.mesosoperator.cloud.CloudException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs host tools with argument arrays (never a shell string) and a time limit. */
final class HostCommands {

  /** Exit code and combined output of one command. */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  private final Duration timeout;

  HostCommands(Duration timeout) {
    this.timeout = timeout;
  }

  /** Runs argv; returns its result whatever the exit code. Throws only on start failure or time. */
  Result run(List<String> argv) throws CloudException {
    Process p;
    try {
      p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new CloudException("cannot run " + argv.get(0) + ": " + e.getMessage(), false, e);
    }
    closeQuietly(p);
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new CloudException(
            "timed out after " + timeout.toSeconds() + " s: " + String.join(" ", argv), true);
      }
      String output = out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return new Result(p.exitValue(), output);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new CloudException("interrupted: " + String.join(" ", argv), true, e);
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      throw new CloudException("no output from " + String.join(" ", argv), true, e);
    }
  }

  /** Runs argv and fails unless it exits 0. */
  String check(List<String> argv) throws CloudException {
    Result r = run(argv);
    if (!r.ok()) {
      throw new CloudException(
          String.join(" ", argv) + " failed (exit " + r.exitCode() + "): " + r.output().trim(),
          false);
    }
    return r.output();
  }

  private static void closeQuietly(Process p) {
    try {
      p.getOutputStream().close();
    } catch (IOException e) {
      // stdin of a child we never write to: nothing to do.
    }
  }

  private static String readAll(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
