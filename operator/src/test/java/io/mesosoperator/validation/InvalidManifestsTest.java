package io.mesosoperator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One file per rule under src/test/resources/invalid; each starts with {@code # expect: PATH:
 * MESSAGE} and breaks exactly that one rule, so the reader must give exactly one error, at that
 * path, whose message contains that text.
 */
class InvalidManifestsTest {

  static Stream<Path> invalidManifests() throws IOException, URISyntaxException {
    Path dir = Path.of(InvalidManifestsTest.class.getResource("/invalid").toURI());
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void everyRuleHasACase() throws Exception {
    assertThat(invalidManifests().count()).isGreaterThanOrEqualTo(25);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidManifests")
  void rejectedWithTheRecordedError(Path file) throws IOException {
    String first = Files.readAllLines(file).get(0);
    assertThat(first).as("first line of %s", file).startsWith("# expect: ");
    String expect = first.substring("# expect: ".length());
    int sep = expect.indexOf(": ");
    String path = expect.substring(0, sep);
    String message = expect.substring(sep + 2);

    ManifestReader.Result result = ManifestReader.read(file);

    assertThat(result.valid()).isFalse();
    List<ValidationError> errors = result.errors();
    assertThat(errors).as("errors of %s", file.getFileName()).hasSize(1);
    assertThat(errors.get(0).path()).isEqualTo(path);
    assertThat(errors.get(0).message()).contains(message);
  }
}
