package io.mesosoperator.reliability;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The suite's own figures: each reliability test records one row (by area) into {@code
 * operator/target/reliability/figures.json}, which {@link ReliabilityReport} turns into the table
 * of docs/reliability.md. Rows are replaced, not added up, so a rerun gives the same figures.
 */
final class Figures {
  static final Path FILE =
      Path.of(System.getProperty("project.root", ".."))
          .resolve("operator/target/reliability/figures.json");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Figures() {}

  /**
   * One area's figures.
   *
   * @param faultsInjected faults the test caused (errors, kills, conflicts, hostile values)
   * @param survived faults after which the system ended correct
   * @param dataLost writes or resources lost (must be 0)
   * @param inputsTried bad inputs offered
   * @param rejected bad inputs refused (with a path, a condition, or by the schema)
   * @param note what was done, in words
   */
  record Row(
      long faultsInjected,
      long survived,
      long dataLost,
      long inputsTried,
      long rejected,
      String note) {}

  static synchronized void record(String area, Row row) {
    try {
      Files.createDirectories(FILE.getParent());
      Map<String, Row> all = read(FILE);
      all.put(area, row);
      ObjectNode root = JSON.createObjectNode();
      all.forEach((k, v) -> root.set(k, JSON.valueToTree(v)));
      Path tmp = FILE.resolveSibling("figures.json.tmp");
      Files.writeString(tmp, JSON.writeValueAsString(root));
      Files.move(tmp, FILE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Map<String, Row> read(Path file) throws IOException {
    Map<String, Row> all = new TreeMap<>();
    if (!Files.exists(file)) {
      return all;
    }
    var root = JSON.readTree(file.toFile());
    var names = root.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      all.put(name, JSON.treeToValue(root.get(name), Row.class));
    }
    return all;
  }
}
