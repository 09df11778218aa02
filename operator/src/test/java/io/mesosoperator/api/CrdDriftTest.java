package io.mesosoperator.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The CRDs committed under crds/ and in the Helm chart must be exactly what the Java types
 * generate. Run with {@code -Dcrds.update=true} to rewrite them after changing the types.
 */
class CrdDriftTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final Path GENERATED = Path.of("target/classes/META-INF/fabric8");

  @ParameterizedTest
  @ValueSource(classes = {MesosCluster.class, MesosNode.class})
  void committedCrdsMatchTheGeneratedOnes(Class<?> resource) throws IOException {
    String base = CrdFiles.fileName(resource).replace(".yaml", "");
    String generated = Files.readString(GENERATED.resolve(base + "-v1.yml"));
    String expected = CrdFiles.committedForm(generated, resource);
    List<Path> copies =
        List.of(
            ROOT.resolve("crds").resolve(base + ".yaml"),
            ROOT.resolve("helm/mesos-operator/crds").resolve(base + ".yaml"));
    for (Path copy : copies) {
      if (Boolean.getBoolean("crds.update")) {
        Files.createDirectories(copy.getParent());
        Files.writeString(copy, expected);
      }
      assertThat(copy)
          .as("%s is out of date: run `mvn -B verify -Dcrds.update=true` and commit it", copy)
          .exists();
      assertThat(Files.readString(copy))
          .as("%s is out of date: run `mvn -B verify -Dcrds.update=true` and commit it", copy)
          .isEqualTo(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(classes = {MesosCluster.class})
  void printerColumnsKeepDeclarationOrder(Class<?> resource) throws IOException {
    String committed = Files.readString(ROOT.resolve("crds").resolve(CrdFiles.fileName(resource)));
    assertThat(committed.indexOf("name: Ready"))
        .isLessThan(committed.indexOf("name: Masters"))
        .isLessThan(committed.indexOf("name: Age"));
  }
}
