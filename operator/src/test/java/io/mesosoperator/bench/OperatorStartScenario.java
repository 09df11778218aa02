package io.mesosoperator.bench;

import io.mesosoperator.metrics.OperatorMetrics;
import io.mesosoperator.node.NoopNodeConfigurer;
import io.mesosoperator.reconcile.OperatorRuntime;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** How fast the operator starts, and how much memory an idle operator process holds. */
final class OperatorStartScenario {
  private OperatorStartScenario() {}

  /** Seconds from {@code start()} to {@code ready()} against an empty mock API server. */
  static double startSeconds() throws Exception {
    try (MockApi api = new MockApi()) {
      OperatorRuntime operator =
          new OperatorRuntime(
              api.client,
              c -> {
                throw new IllegalStateException("no cluster expected");
              },
              new NoopNodeConfigurer(),
              (spec, nodes, node, settings, facts) -> null,
              null,
              OperatorMetrics.inMemory(),
              Clock.systemUTC(),
              OperatorRuntime.Settings.defaults());
      try {
        long t0 = System.nanoTime();
        operator.start();
        long deadline = t0 + Duration.ofSeconds(60).toNanos();
        while (!operator.ready()) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("operator not ready after 60 s");
          }
          Thread.sleep(5);
        }
        return (System.nanoTime() - t0) / 1e9;
      } finally {
        operator.close();
      }
    }
  }

  /** The result of the child-process measurement. */
  record Idle(Double rssMib, double startedSeconds, String note) {}

  /**
   * Starts the shaded jar's {@code run} command as a child process against a kubeconfig for a mock
   * API server, waits until it says it is running, lets it idle, reads VmRSS from /proc and stops
   * it by its PID.
   */
  static Idle idleRss(Path jar, Path workDir, Duration idle) throws Exception {
    if (!Files.isRegularFile(jar)) {
      return new Idle(null, 0, "jar not built: " + jar + " (run through `mvn verify`)");
    }
    try (MockApi api = new MockApi()) {
      Path kubeconfig = workDir.resolve("kubeconfig");
      Files.writeString(
          kubeconfig,
          """
          apiVersion: v1
          kind: Config
          clusters:
            - name: mock
              cluster:
                server: %s
          contexts:
            - name: mock
              context:
                cluster: mock
                user: mock
                namespace: %s
          current-context: mock
          users:
            - name: mock
              user:
                token: bench
          """
              .formatted(api.url(), MockApi.NS));
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb =
          new ProcessBuilder(
                  java,
                  "-jar",
                  jar.toString(),
                  "run",
                  "--health-port=0",
                  "--metrics-port=0",
                  "--local-state-dir=" + workDir.resolve("local"))
              .redirectErrorStream(true);
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      pb.environment().remove("JAVA_TOOL_OPTIONS");
      long t0 = System.nanoTime();
      Process p = pb.start();
      try {
        CountDownLatch running = new CountDownLatch(1);
        StringBuilder output = new StringBuilder();
        Thread reader =
            new Thread(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      synchronized (output) {
                        if (output.length() < 20_000) {
                          output.append(line).append('\n');
                        }
                      }
                      if (line.contains("running")) {
                        running.countDown();
                      }
                    }
                  } catch (IOException ignored) {
                    // the process ended
                  }
                },
                "operator-output");
        reader.setDaemon(true);
        reader.start();
        if (!running.await(60, TimeUnit.SECONDS)) {
          synchronized (output) {
            return new Idle(null, 0, "operator did not say running in 60 s: " + tail(output));
          }
        }
        double started = (System.nanoTime() - t0) / 1e9;
        Thread.sleep(idle.toMillis());
        if (!p.isAlive()) {
          return new Idle(null, started, "operator exited: " + tail(output));
        }
        Double rss = vmRssMib(p.pid());
        return new Idle(
            rss,
            started,
            "shaded jar, JVM defaults (no -Xmx), idle " + idle.toSeconds() + " s, no clusters");
      } finally {
        p.destroy(); // SIGTERM to this PID only
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  private static String tail(StringBuilder output) {
    String s = output.toString();
    return s.length() > 400 ? s.substring(s.length() - 400) : s;
  }

  static Double vmRssMib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.trim().split("\\s+");
        return Long.parseLong(parts[1]) / 1024.0; // kB
      }
    }
    return null;
  }

  static Set<String> keys() {
    return Set.of("operator_start_s", "operator_idle_rss_mib");
  }
}
