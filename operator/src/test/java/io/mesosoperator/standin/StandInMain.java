package io.mesosoperator.standin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/** What every stand-in's {@code main} does: start, or say why not and exit non-zero. */
final class StandInMain {

  /** Set by the init scripts: touched once the configuration is accepted and the port bound. */
  static final String READY_FILE_ENV = "STANDIN_READY_FILE";

  interface Starter {
    AutoCloseable start() throws Exception;
  }

  private StandInMain() {}

  static void run(String name, Starter starter) {
    AutoCloseable running;
    try {
      running = starter.start();
    } catch (StandInConfigException e) {
      System.err.println(name + " (test stand-in): refusing to start: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      System.err.println(name + " (test stand-in): cannot start: " + e);
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    running.close();
                  } catch (Exception ignored) {
                    // exiting anyway
                  }
                  stopped.countDown();
                }));
    System.out.println(name + " (test stand-in) started");
    String ready = System.getenv(READY_FILE_ENV);
    if (ready != null && !ready.isEmpty()) {
      try {
        Files.writeString(Path.of(ready), "");
      } catch (Exception e) {
        System.err.println(name + ": cannot write " + ready + ": " + e);
      }
    }
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
