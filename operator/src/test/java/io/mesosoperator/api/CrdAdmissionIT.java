package io.mesosoperator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.mesosoperator.testing.ControlPlane;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The generated CRDs meet a real kube-apiserver: it admits them (structural schema, CEL rules
 * compiled within their cost budget), serves them, and accepts every manifest under {@code
 * examples/} as it is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrdAdmissionIT {
  private static final Path ROOT =
      Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();
  private static final String NS = "crd-admission";
  private static final ResourceDefinitionContext CLUSTERS =
      new ResourceDefinitionContext.Builder()
          .withGroup(ControlPlane.GROUP)
          .withVersion(ControlPlane.VERSION)
          .withPlural("mesosclusters")
          .withKind("MesosCluster")
          .withNamespaced(true)
          .build();

  private KubernetesClient client;

  @BeforeAll
  void start() throws IOException {
    ControlPlane cp = ControlPlane.shared();
    cp.installCrds(ROOT, NS);
    client = cp.client();
  }

  @Test
  void theApiServerAdmitsAndServesBothCrds() throws IOException {
    for (String f :
        List.of("mesosclusters.mesosoperator.io.yaml", "mesosnodes.mesosoperator.io.yaml")) {
      CustomResourceDefinition committed;
      try (InputStream in = Files.newInputStream(ROOT.resolve("crds").resolve(f))) {
        committed = client.apiextensions().v1().customResourceDefinitions().load(in).item();
      }
      CustomResourceDefinition served =
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(committed.getMetadata().getName())
              .get();
      assertThat(served.getStatus().getConditions())
          .as(f)
          .anySatisfy(
              c -> {
                assertThat(c.getType()).isEqualTo("Established");
                assertThat(c.getStatus()).isEqualTo("True");
              })
          .noneSatisfy(c -> assertThat(c.getType()).isEqualTo("NonStructuralSchema"));
      assertThat(served.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema())
          .as("%s: the apiserver keeps the schema as generated", f)
          .isEqualTo(committed.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema());
    }
  }

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(ROOT.resolve("examples"))) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void everyExampleIsAcceptedAsItIs(Path file) throws IOException {
    GenericKubernetesResource r;
    try (InputStream in = Files.newInputStream(file)) {
      r = client.genericKubernetesResources(CLUSTERS).load(in).item();
    }
    r.getMetadata().setNamespace(NS);
    // A server-side dry run: admission (schema, CEL) runs in full, nothing is stored.
    GenericKubernetesResource admitted =
        client.genericKubernetesResources(CLUSTERS).inNamespace(NS).resource(r).dryRun().create();
    assertThat(admitted.getMetadata().getName()).isEqualTo(r.getMetadata().getName());
  }
}
