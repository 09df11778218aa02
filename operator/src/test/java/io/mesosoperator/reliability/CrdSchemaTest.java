package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Field paths in the apiserver's two notations read as the project writes them. */
class CrdSchemaTest {
  private static CrdSchema schema;

  @BeforeAll
  static void load() throws IOException {
    schema = CrdSchema.load(Harness.ROOT.resolve("crds/mesosclusters.mesosoperator.io.yaml"));
  }

  @Test
  void aMapKeyAfterADotIsAKey() {
    // kube-openapi's schema validation: additionalProperties errors at path + "." + key
    assertThat(schema.canonicalPath("spec.roles[1].attributes.rack"))
        .isEqualTo("spec.roles[1].attributes[rack]");
    // a map of scalars: the rest is the key, dots included
    assertThat(schema.canonicalPath("spec.roles[1].attributes.topology.kubernetes.io/zone"))
        .isEqualTo("spec.roles[1].attributes[topology.kubernetes.io/zone]");
  }

  @Test
  void theBracketNotationIsKeptAsItIs() {
    // CEL rules and field.Path.Key: the project's own notation
    for (String p :
        new String[] {
          "spec.roles[1].attributes[rack]",
          "spec.roles[1].attributes[a; touch /tmp/pwned]",
          "spec.roles[0].replicas",
          "spec.marathon.apps[0].id",
          "spec.cloud.network.allowedSources[1]",
          "spec.roles",
          "kind"
        }) {
      assertThat(schema.canonicalPath(p)).as(p).isEqualTo(p);
    }
  }

  @Test
  void aPropertyIsNeverTakenForAKeyNorAnIndexForAKey() {
    assertThat(schema.canonicalPath("spec.roles[1].attributes"))
        .isEqualTo("spec.roles[1].attributes");
    assertThat(schema.canonicalPath("spec.roles[1].machine.cpus"))
        .isEqualTo("spec.roles[1].machine.cpus");
    // paths the schema does not describe stay as written
    assertThat(schema.canonicalPath("metadata.lables")).isEqualTo("metadata.lables");
    assertThat(schema.canonicalPath("spec.roles[1].replica")).isEqualTo("spec.roles[1].replica");
    assertThat(schema.canonicalPath("spec.x")).isEqualTo("spec.x");
  }

  @Test
  void theDottedAndTheBracketedKeyAreTheSamePathButNotAnother() {
    assertThat(schema.canonicalPath("spec.roles[1].attributes.rack"))
        .isEqualTo(schema.canonicalPath("spec.roles[1].attributes[rack]"))
        .isNotEqualTo(schema.canonicalPath("spec.roles[0].attributes[rack]"))
        .isNotEqualTo(schema.canonicalPath("spec.roles[1].attributes[zone]"));
  }

  @Test
  void pathsAreReadOutOfTheApiServersMessages() {
    assertThat(
            schema.pathsIn(
                "The MesosCluster \"demo\" is invalid: spec.roles[1].attributes.rack: Invalid"
                    + " value: \"r1;r2\": spec.roles[1].attributes.rack in body should match"
                    + " '^[A-Za-z0-9_./-]{0,127}$'"))
        .containsExactly("spec.roles[1].attributes[rack]");
    assertThat(
            schema.pathsIn(
                "The MesosCluster \"demo\" is invalid: \n* spec.roles[0].replicas: Invalid value:"
                    + " 4: spec.roles[0].replicas in body should be less than or equal to 7\n"
                    + "* spec.roles: Invalid value: \"array\": exactly one master role"))
        .containsExactly("spec.roles[0].replicas", "spec.roles");
    assertThat(
            schema.pathsIn(
                "Error from server (BadRequest): error when creating \"/tmp/invalid/wrong-kind.yaml\": MesosCluster in"
                    + " version \"v1alpha1\" cannot be handled as a MesosCluster: strict decoding"
                    + " error: unknown field \"spec.roles[1].replica\""))
        .containsExactly("spec.roles[1].replica");
  }
}
