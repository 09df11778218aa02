package io.mesosoperator.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GitOps examples are well-formed and point at each other and at this repository. */
class GitOpsExamplesTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final Path DIR = ROOT.resolve("examples/gitops");
  private static final YAMLMapper YAML = new YAMLMapper();

  private static List<JsonNode> read(String file) throws IOException {
    try (var docs =
        YAML.readerFor(JsonNode.class).<JsonNode>readValues(DIR.resolve(file).toFile())) {
      return docs.readAll().stream().filter(d -> d != null && d.has("kind")).toList();
    }
  }

  @Test
  void fluxKustomizationWaitsOnItsOwnGitRepository() throws IOException {
    JsonNode repo = read("flux/gitrepository.yaml").get(0);
    JsonNode kustomization = read("flux/kustomization.yaml").get(0);
    assertThat(repo.get("kind").asText()).isEqualTo("GitRepository");
    assertThat(kustomization.get("kind").asText()).isEqualTo("Kustomization");
    assertThat(kustomization.at("/spec/wait").asBoolean()).isTrue();
    assertThat(kustomization.at("/spec/sourceRef/kind").asText()).isEqualTo("GitRepository");
    assertThat(kustomization.at("/spec/sourceRef/name").asText())
        .isEqualTo(repo.at("/metadata/name").asText());
    assertThat(kustomization.at("/metadata/namespace").asText())
        .isEqualTo(repo.at("/metadata/namespace").asText());
  }

  @Test
  void argoCdApplicationsInstallTheChartBeforeTheClusters() throws IOException {
    List<JsonNode> apps = read("argocd/application.yaml");
    assertThat(apps).extracting(a -> a.get("kind").asText()).containsOnly("Application");
    JsonNode operator = apps.get(0);
    assertThat(
            Files.exists(ROOT.resolve(operator.at("/spec/source/path").asText() + "/Chart.yaml")))
        .isTrue();
    assertThat(operator.at("/metadata/annotations/argocd.argoproj.io~1sync-wave").asInt())
        .isLessThan(apps.get(1).at("/metadata/annotations/argocd.argoproj.io~1sync-wave").asInt(0));
    // Several replicas are only valid with leader election (the chart refuses otherwise).
    JsonNode values = operator.at("/spec/source/helm/valuesObject");
    assertThat(
            values.get("replicaCount").asInt() == 1
                || values.at("/leaderElection/enabled").asBoolean())
        .isTrue();
    assertThat(apps.get(1).has("ignoreDifferences")).isFalse();
  }
}
