package io.mesosoperator.e2e;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;

/** The real-node tests' bounded wait: a check polled every 300 ms until it holds or time is up. */
public final class Waits {
  private Waits() {}

  /** A check that may throw while the thing it looks at is not there yet. */
  public interface Check {
    boolean ok() throws Exception;
  }

  /** Polls {@code check} until it is true; fails with {@code what} after {@code limit}. */
  public static void await(String what, Duration limit, Check check) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (true) {
      try {
        if (check.ok()) {
          return;
        }
      } catch (IOException | RuntimeException notYet) {
        // try again until the deadline
      }
      if (System.nanoTime() > deadline) {
        fail(what + ": not within " + limit);
      }
      Thread.sleep(300);
    }
  }
}
