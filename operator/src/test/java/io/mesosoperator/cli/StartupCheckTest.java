package io.mesosoperator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the start-up check asks for is exactly what the Helm chart grants. */
class StartupCheckTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final ObjectMapper YAML = new YAMLMapper();

  @Test
  void theVerbsCheckedAreTheChartsRules() throws IOException {
    // Chart defaults: cluster-wide ClusterRole, leader election on (its Lease Role).
    String rendered =
        new Helm(ROOT.resolve("helm/mesos-operator"))
            .template()
            .withName("mesos-operator")
            .withNamespace("mesos-system")
            .withKubeVersion("1.30.0")
            .call();
    Set<StartupCheck.Permission> granted = new HashSet<>();
    try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(rendered)) {
      for (JsonNode doc : docs.readAll()) {
        if (doc == null || !doc.path("kind").asText().matches("Role|ClusterRole")) {
          continue;
        }
        for (JsonNode rule : doc.path("rules")) {
          for (JsonNode group : rule.path("apiGroups")) {
            for (JsonNode resource : rule.path("resources")) {
              String[] r = resource.asText().split("/", 2);
              for (JsonNode verb : rule.path("verbs")) {
                granted.add(
                    new StartupCheck.Permission(
                        verb.asText(), group.asText(), r[0], r.length == 2 ? r[1] : null));
              }
            }
          }
        }
      }
    }
    List<StartupCheck.Permission> needed = StartupCheck.needed(true);
    assertThat(needed).doesNotHaveDuplicates();
    assertThat(granted).containsExactlyInAnyOrderElementsOf(needed);
  }

  @Test
  void theLeaseVerbsOnlyWithLeaderElection() {
    assertThat(StartupCheck.needed(false)).noneMatch(p -> p.resource().equals("leases"));
    assertThat(StartupCheck.needed(true))
        .filteredOn(p -> p.resource().equals("leases"))
        .map(StartupCheck.Permission::verb)
        .containsExactlyInAnyOrder("get", "create", "update", "patch");
  }
}
