package io.mesosoperator.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * What the real-node tests need (root, network namespaces, sshd, ZooKeeper; all installed by {@code
 * .ci/install-packages.sh}), and the one rule for when it is missing: skip with a message locally,
 * fail in CI ({@code CI=true}) so a real-node test never skips silently there.
 */
public final class Prerequisites {
  private static final List<String> TOOLS =
      List.of(
          "/usr/sbin/ip",
          "/usr/bin/unshare",
          "/usr/bin/nsenter",
          "/usr/bin/setsid",
          "/usr/sbin/sshd",
          "/usr/bin/ssh-keygen",
          "/usr/bin/sudo",
          "/usr/bin/nc",
          "/etc/init.d/zookeeper",
          "/etc/init.d/ssh");

  private Prerequisites() {}

  /** What is missing on this host for local machines; empty when everything is there. */
  public static List<String> missing() {
    List<String> missing = new ArrayList<>();
    try {
      String status = Files.readString(Path.of("/proc/self/status"));
      if (!status.matches("(?s).*\nUid:\\s+\\d+\\s+0\\s.*")) {
        missing.add("root");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String tool : TOOLS) {
      if (!Files.isExecutable(Path.of(tool))) {
        missing.add(tool);
      }
    }
    return missing;
  }

  /** Skips the calling test (locally) or fails it (CI) when a prerequisite is missing. */
  public static void requireRealNodes(String what) {
    List<String> missing = missing();
    if (missing.isEmpty()) {
      return;
    }
    String message = what + " needs " + missing + " (run as root after .ci/install-packages.sh)";
    if ("true".equals(System.getenv("CI"))) {
      fail(message + "; CI=true, so this is a failure, not a skip");
    }
    Assumptions.assumeTrue(false, message);
  }
}
