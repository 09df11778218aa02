package io.mesosoperator.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The committed form of a generated CRD. The fabric8 generator sorts printer columns by JSON path;
 * kubectl shows them in CRD order, so they are put back in the order they are declared on the
 * resource class (Ready first, Age last).
 */
public final class CrdFiles {
  private static final ObjectMapper YAML =
      new ObjectMapper(
          new YAMLFactory()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private CrdFiles() {}

  /** The committed file name for a resource class, for example mesosclusters.mesosoperator.io. */
  public static String fileName(Class<?> resource) {
    return resource.getSimpleName().toLowerCase(java.util.Locale.ROOT)
        + "s."
        + MesosCluster.GROUP
        + ".yaml";
  }

  /** Generator output with printer columns in declaration order, as committed under crds/. */
  public static String committedForm(String generatedYaml, Class<?> resource) throws IOException {
    JsonNode crd = YAML.readTree(generatedYaml);
    List<String> order =
        Arrays.stream(resource.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    for (JsonNode version : crd.path("spec").path("versions")) {
      JsonNode columns = version.get("additionalPrinterColumns");
      if (columns instanceof ArrayNode array) {
        List<JsonNode> sorted = new ArrayList<>();
        array.forEach(sorted::add);
        sorted.sort(
            (a, b) ->
                Integer.compare(
                    order.indexOf(a.path("name").asText()),
                    order.indexOf(b.path("name").asText())));
        ((ObjectNode) version).set("additionalPrinterColumns", YAML.createArrayNode());
        ArrayNode target = (ArrayNode) version.get("additionalPrinterColumns");
        sorted.forEach(target::add);
      }
    }
    return "# Generated from the Java types in operator/src/main/java/io/mesosoperator/api.\n"
        + "# Do not edit: change the types and run the build with -Dcrds.update=true.\n"
        + YAML.writeValueAsString(crd);
  }
}
