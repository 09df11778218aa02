package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellTest {

  @TempDir Path dir;

  @Test
  void hostileValuesStayLiteralInARealShell() throws Exception {
    Path marker = dir.resolve("pwned");
    String m = marker.toString();
    String[] hostile = {
      "a; touch " + m,
      "$(touch " + m + ")",
      "`touch " + m + "`",
      "x'; touch " + m + "; echo '",
      "line1\ntouch " + m,
      "\"$(touch " + m + ")\"",
      "${IFS}touch${IFS}" + m,
      "-n",
      "'",
      "",
      "back\\slash && touch " + m + " | cat > " + m,
    };
    for (String value : hostile) {
      Process p =
          new ProcessBuilder("/bin/sh", "-c", "printf '%s' " + Shell.quote(value))
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).isZero();
      assertThat(out).as("round trip of %s", value).isEqualTo(value);
    }
    assertThat(Files.exists(marker)).as("no hostile value ran a command").isFalse();
  }

  @Test
  void quotesSingleQuotesAndRefusesNul() {
    assertThat(Shell.quote("it's")).isEqualTo("'it'\\''s'");
    assertThat(Shell.words("a b", 1)).isEqualTo("'a b' '1'");
    assertThatThrownBy(() -> Shell.quote("a\0b")).isInstanceOf(IllegalArgumentException.class);
  }
}
