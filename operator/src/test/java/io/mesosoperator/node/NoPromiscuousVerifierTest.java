package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Host keys are pinned: no accept-anything verifier may appear in the operator's sources. */
class NoPromiscuousVerifierTest {

  @Test
  void mainSourcesNeverUseAnAcceptAnyHostKeyVerifier() throws Exception {
    Path main = Path.of("src/main");
    assertThat(main).isDirectory();
    List<Path> offenders;
    try (Stream<Path> files = Files.walk(main)) {
      offenders =
          files
              .filter(Files::isRegularFile)
              .filter(
                  f -> {
                    try {
                      String text = Files.readString(f);
                      return text.contains("PromiscuousVerifier")
                          || text.contains("StrictHostKeyChecking=no");
                    } catch (Exception e) {
                      return false; // binary resource
                    }
                  })
              .toList();
    }
    assertThat(offenders).isEmpty();
  }
}
