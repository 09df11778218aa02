package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Private keys load from strings in OpenSSH (ed25519, ECDSA, RSA) and PEM form. */
class KeyFormatsTest {
  @TempDir Path dir;

  @Test
  void logsInWithEachKeyFormatAndRejectsGarbageWithoutQuotingIt() throws Exception {
    SshjSessions sessions =
        new SshjSessions(
            new SshjSessions.Timeouts(
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)));
    try (FakeNode node = new FakeNode(dir.resolve("node"))) {
      String[][] formats = {{"ed25519"}, {"ecdsa"}, {"rsa"}, {"rsa", "-m", "PEM"}};
      for (String[] f : formats) {
        Path key = dir.resolve("k" + String.join("", f).replace("-", ""));
        Process p =
            new ProcessBuilder(
                    concat(
                        new String[] {
                          "ssh-keygen", "-q", "-N", "", "-C", "t", "-f", key.toString()
                        },
                        concat(new String[] {"-t", f[0]}, tail(f))))
                .redirectErrorStream(true)
                .start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        String priv = Files.readString(key);
        String pub = Files.readString(Path.of(key + ".pub")).trim();
        node.authorize("admin", pub);
        try (SshSession s =
            sessions.open(
                "127.0.0.1", node.port(), SshSessions.Login.key("admin", priv, pub), null)) {
          assertThat(s.run("echo logged-in").stdout())
              .as(String.join(" ", f))
              .isEqualTo("logged-in\n");
        }
      }
      String garbage =
          "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n";
      assertThatThrownBy(
              () ->
                  sessions.open(
                      "127.0.0.1",
                      node.port(),
                      SshSessions.Login.key("admin", garbage, null),
                      null))
          .isInstanceOf(SshSessions.AuthenticationException.class)
          .hasMessageNotContaining("bm90IGEga2V5");
    }
  }

  private static String[] tail(String[] a) {
    return java.util.Arrays.copyOfRange(a, 1, a.length);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, r, a.length, b.length);
    return r;
  }
}
