package io.mesosoperator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every example manifest is documented in examples/README.md. */
class ExamplesReadmeTest {
  @Test
  void everyExampleIsDocumented() throws Exception {
    Path examples = Path.of(System.getProperty("project.root", "..")).resolve("examples");
    String readme = Files.readString(examples.resolve("README.md"));
    try (Stream<Path> files = Files.list(examples)) {
      assertThat(files.filter(f -> f.toString().endsWith(".yaml")))
          .isNotEmpty()
          .allSatisfy(f -> assertThat(readme).contains("`" + f.getFileName() + "`"));
    }
  }
}
