package io.mesosoperator.node;

import java.io.IOException;
import java.nio.file.Path;

/** Key material for tests, made fresh by ssh-keygen (never checked in). */
final class TestKeys {
  private TestKeys() {}

  static void sshKeygen(String type, Path file) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "ssh-keygen", "-q", "-t", type, "-N", "", "-C", "test", "-f", file.toString())
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      throw new IOException("ssh-keygen failed for " + type);
    }
  }
}
