package io.mesosoperator.gitops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.MathLib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;

/**
 * Runs the Argo CD health check ({@code examples/gitops/argocd/health.lua}) on every case of its
 * {@code health_test.yaml}, the way Argo CD's own resource customization tests do: the object is
 * the global {@code obj}, the script returns {@code {status, message}}.
 */
class ArgoCdHealthCheckTest {
  private static final Path DIR =
      Path.of(System.getProperty("project.root", "..")).resolve("examples/gitops/argocd");
  private static final ObjectMapper YAML = new YAMLMapper();

  record Expected(String status, String message) {}

  static Stream<Arguments> cases() throws IOException {
    JsonNode tests = YAML.readTree(DIR.resolve("health_test.yaml").toFile()).get("tests");
    List<Arguments> out = new ArrayList<>();
    for (JsonNode test : tests) {
      out.add(
          Arguments.of(
              test.get("inputPath").asText(),
              new Expected(
                  test.at("/healthStatus/status").asText(),
                  test.at("/healthStatus/message").asText())));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void reportsTheExpectedHealth(String inputPath, Expected expected) throws IOException {
    JsonNode obj = YAML.readTree(DIR.resolve(inputPath).toFile());
    assertThat(run(obj)).isEqualTo(expected);
  }

  @Test
  void everyTestdataFileIsACaseAndEveryStatusIsCovered() throws IOException {
    List<String> inputs = cases().map(a -> (String) a.get()[0]).toList();
    try (Stream<Path> files = Files.list(DIR.resolve("testdata"))) {
      assertThat(files.map(f -> "testdata/" + f.getFileName()))
          .containsExactlyInAnyOrderElementsOf(inputs);
    }
    assertThat(cases().map(a -> ((Expected) a.get()[1]).status()))
        .containsAll(Set.of("Healthy", "Progressing", "Degraded"));
  }

  @Test
  void aNewerObservedGenerationThanTheSpecStillCountsAsCurrent() throws IOException {
    JsonNode obj = YAML.readTree(DIR.resolve("testdata/healthy.yaml").toFile());
    ((ObjectNode) obj.get("metadata")).put("generation", 3);
    assertThat(run(obj).status()).isEqualTo("Healthy");
  }

  @Test
  void installedUnderTheKeyArgoCdLooksFor() throws IOException {
    JsonNode patch = YAML.readTree(DIR.resolve("argocd-cm-patch.yaml").toFile());
    assertThat(patch.at("/metadata/name").asText()).isEqualTo("argocd-cm");
    String script =
        patch
            .get("data")
            .path("resource.customizations.health.mesosoperator.io_MesosCluster")
            .asText();
    assertThat(script.strip()).isEqualTo(Files.readString(DIR.resolve("health.lua")).strip());
  }

  /** Argo CD's Lua sandbox has no io or os; neither does this one. */
  private static Expected run(JsonNode obj) throws IOException {
    Globals globals = new Globals();
    globals.load(new BaseLib());
    globals.load(new PackageLib());
    globals.load(new TableLib());
    globals.load(new StringLib());
    globals.load(new MathLib());
    LoadState.install(globals);
    LuaC.install(globals);
    globals.set("obj", toLua(obj));
    LuaValue result =
        globals.load(Files.readString(DIR.resolve("health.lua")), "health.lua").call();
    assertThat(result.istable()).as("health.lua returns a table").isTrue();
    return new Expected(result.get("status").tojstring(), result.get("message").optjstring(""));
  }

  private static LuaValue toLua(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        table.set(field.getKey(), toLua(field.getValue()));
      }
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      for (int i = 0; i < node.size(); i++) {
        table.set(i + 1, toLua(node.get(i)));
      }
      return table;
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.asBoolean());
    }
    if (node.canConvertToInt() && node.isIntegralNumber()) {
      return LuaValue.valueOf(node.asInt());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.asDouble());
    }
    return LuaValue.valueOf(node.asText());
  }
}
