package io.mesosoperator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Compares text with a file under src/test/resources/golden; -Dgolden.update=true rewrites it. */
public final class Golden {
  private Golden() {}

  public static void assertMatches(String relative, String actual) throws IOException {
    Path file = Path.of("src/test/resources/golden").resolve(relative);
    if (Boolean.getBoolean("golden.update")) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual, StandardCharsets.UTF_8);
    }
    assertThat(file).as("golden file %s (run with -Dgolden.update=true to create)", file).exists();
    assertThat(actual).isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }
}
