package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The figures table of docs/reliability.md and the document as committed. */
class ReliabilityReportTest {
  private static final Path DOC =
      Path.of(System.getProperty("project.root", "..")).resolve("docs/reliability.md");

  @Test
  void tableHasOneRowPerAreaAndTotals() {
    Map<String, Figures.Row> rows = new TreeMap<>();
    rows.put("b", new Figures.Row(3, 3, 0, 0, 0, "kills | restarts"));
    rows.put("a", new Figures.Row(0, 0, 0, 10, 9, "corpus"));
    String table = ReliabilityReport.table(rows);
    assertThat(table.lines())
        .containsSubsequence(
            "| a | 0 | 0 | 0 | 10 | 9 | corpus |",
            "| b | 3 | 3 | 0 | 0 | 0 | kills \\| restarts |",
            "| **total** | **3** | **3** | **0** | **10** | **9** | |");
    assertThat(
            ReliabilityReport.replaceTable(
                "x\n<!-- figures:begin -->\nold\n<!-- figures:end -->\ny", table))
        .startsWith("x\n<!-- figures:begin -->\n| area")
        .endsWith("|\n<!-- figures:end -->\ny")
        .doesNotContain("old");
    assertThatThrownBy(() -> ReliabilityReport.replaceTable("no markers", table))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theDocumentCarriesAFiguresTableWithNoDataLost() throws Exception {
    String doc = Files.readString(DOC);
    int begin = doc.indexOf(ReliabilityReport.BEGIN);
    int end = doc.indexOf(ReliabilityReport.END);
    assertThat(begin).isNotNegative();
    assertThat(end).isGreaterThan(begin);
    String table = doc.substring(begin, end);
    assertThat(table).contains("| **total** |");
    // The data-lost column is 0 in every row.
    table
        .lines()
        .filter(l -> l.startsWith("| ") && !l.startsWith("| area") && !l.startsWith("| ---"))
        .forEach(l -> assertThat(l.split("\\|")[4].replace("*", "").trim()).as(l).isEqualTo("0"));
  }
}
