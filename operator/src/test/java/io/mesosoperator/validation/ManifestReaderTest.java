package io.mesosoperator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.api.SshSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestReaderTest {
  static final String VALID =
      """
      apiVersion: mesosoperator.io/v1alpha1
      kind: MesosCluster
      metadata:
        name: NAME
      spec:
        cloud:
          provider: local
        roles:
          - name: master
            type: master
            replicas: 3
          - name: agent
            type: agent
            replicas: 3
      """;

  static String valid(String name) {
    return VALID.replace("NAME", name);
  }

  @TempDir Path dir;

  @Test
  void readsAValidFile() throws IOException {
    Path f = Files.writeString(dir.resolve("c.yaml"), valid("demo"));
    ManifestReader.Result r = ManifestReader.read(f);
    assertThat(r.errors()).isEmpty();
    assertThat(r.valid()).isTrue();
    assertThat(r.cluster().getMetadata().getName()).isEqualTo("demo");
    assertThat(r.cluster().getSpec().getRoles())
        .extracting("name")
        .containsExactly("master", "agent");
  }

  @Test
  void aMissingFileCannotBeRead() {
    ManifestReader.Result r = ManifestReader.read(dir.resolve("nope.yaml"));
    assertThat(r.cluster()).isNull();
    assertThat(r.errors())
        .containsExactly(new ValidationError("<file>", "cannot read: no such file"));
  }

  @Test
  void enormousFilesAreRefusedBeforeParsing() throws IOException {
    Path f = dir.resolve("big.yaml");
    // Valid YAML that would take a while to bind: it must not get that far.
    StringBuilder sb = new StringBuilder(valid("big")).append("  marathon:\n    apps:\n");
    while (sb.length() <= ManifestReader.MAX_BYTES) {
      sb.append("      - {id: app").append(sb.length()).append(", cmd: sleep}\n");
    }
    Files.writeString(f, sb);
    ManifestReader.Result r =
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(2), () -> ManifestReader.read(f));
    assertThat(r.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.path()).isEqualTo("<file>");
              assertThat(e.message()).startsWith("too large");
            });
  }

  @Test
  void textThatIsNotUtf8IsRefused() throws IOException {
    byte[] bytes = valid("d\u00e9mo").getBytes(StandardCharsets.ISO_8859_1);
    Path f = Files.write(dir.resolve("latin1.yaml"), bytes);
    assertThat(ManifestReader.read(f).errors())
        .containsExactly(new ValidationError("<file>", "cannot read: not UTF-8 text"));
  }

  @Test
  void anEmptyFileHasNoCluster() {
    assertThat(ManifestReader.parse("").errors())
        .extracting(ValidationError::path)
        .containsExactly("<document>");
    assertThat(ManifestReader.parse("---\n---\n").valid()).isFalse();
  }

  @Test
  void aSingleDocumentWithSeparatorsKeepsPlainPaths() {
    ManifestReader.Result r = ManifestReader.parse("---\n" + valid("Demo") + "---\n");
    assertThat(r.errors()).extracting(ValidationError::path).containsExactly("metadata.name");
  }

  @Test
  void everyDocumentOfAMultiDocumentFileIsValidated() {
    String second =
        valid("two").replace("replicas: 3\n    - name: agent", "replicas: 4\n    - name: agent");
    ManifestReader.Result r =
        ManifestReader.parse(valid("one") + "---\n" + second + "---\n" + valid("three"));
    assertThat(r.cluster().getMetadata().getName()).isEqualTo("one");
    assertThat(r.errors())
        .extracting(ValidationError::toString)
        .containsExactly(
            "<document 2>.spec.roles[0].replicas: master replicas must be odd (the Mesos quorum"
                + " is a strict majority); got 4");
    assertThat(ManifestReader.parse(valid("one") + "---\n" + valid("two")).valid()).isTrue();
  }

  @Test
  void allUnknownFieldsAreReportedAtOnceWithListIndexes() {
    String yaml =
        valid("demo")
            .replace("spec:\n", "spec:\n  colud: {}\n")
            .replace("type: agent\n", "type: agent\n      replica: 2\n      machine: {cpu: 2}\n");
    assertThat(ManifestReader.parse(yaml).errors())
        .extracting(ValidationError::toString)
        .containsExactly(
            "spec.colud: unknown field (did you mean cloud?)",
            "spec.roles[1].replica: unknown field (did you mean replicas?)",
            "spec.roles[1].machine.cpu: unknown field (did you mean cpus?)");
  }

  @Test
  void wrongTypesNameTheFieldAndWhatWasFound() {
    String yaml = valid("demo").replace("name: agent", "name: [agent]");
    assertThat(ManifestReader.parse(yaml).errors())
        .containsExactly(new ValidationError("spec.roles[1].name", "must be a string; got a list"));
    String keyId = valid("demo") + "  packages:\n    keyId: 12345678\n";
    assertThat(ManifestReader.parse(keyId).errors())
        .containsExactly(
            new ValidationError(
                "spec.packages.keyId", "must be a string; got 12345678 (quote it)"));
  }

  @Test
  void nullMeansTheDefaultAsOnTheApiServer() {
    ManifestReader.Result r = ManifestReader.parse(valid("demo") + "  ssh: null\n  os:\n");
    assertThat(r.errors()).isEmpty();
    assertThat(r.cluster().getSpec().getSsh().getUser()).isEqualTo(SshSpec.DEFAULT_USER);
    assertThat(r.cluster().getSpec().getOs().isUpgrade()).isTrue();
  }

  @Test
  void aQuotedEmptyRepositoryStaysEmptyAndABareOneIsUnset() {
    ManifestReader.Result quoted =
        ManifestReader.parse(valid("demo") + "  packages:\n    repository: \"\"\n");
    assertThat(quoted.errors()).isEmpty();
    assertThat(quoted.cluster().getSpec().getPackages().getRepository()).isEmpty();
    ManifestReader.Result bare =
        ManifestReader.parse(valid("demo") + "  packages:\n    repository:\n");
    assertThat(bare.errors()).isEmpty();
    assertThat(bare.cluster().getSpec().getPackages().getRepository()).isNull();
  }

  @Test
  void hostileFieldNamesAreEscapedInPaths() {
    ManifestReader.Result r = ManifestReader.parse(valid("demo") + "  \"evil\\e[2J\": 1\n");
    assertThat(r.errors()).extracting(ValidationError::path).containsExactly("spec.evil\\u001b[2J");
  }

  @Test
  void aDocumentThatIsAListIsOneBadDocument() {
    assertThat(ManifestReader.parse("- a\n- b\n").errors())
        .singleElement()
        .satisfies(e -> assertThat(e.path()).isEqualTo("<document>"));
  }

  @Test
  void deepNestingIsRefusedNotAStackOverflow() {
    String deep = "spec: " + "[".repeat(200_000) + "]".repeat(200_000) + "\n";
    ManifestReader.Result r =
        Assertions.assertTimeoutPreemptively(
            Duration.ofSeconds(5), () -> ManifestReader.parse(deep));
    assertThat(r.errors())
        .singleElement()
        .satisfies(e -> assertThat(e.path()).isEqualTo("<document>"));
  }
}
