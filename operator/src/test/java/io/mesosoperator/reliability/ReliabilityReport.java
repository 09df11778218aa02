package io.mesosoperator.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Renders the figures table of docs/reliability.md from the suite's figures.json, between the
 * {@code <!-- figures:begin -->} and {@code <!-- figures:end -->} markers. A small tool, run by the
 * {@code reliability-report} Maven profile after the reliability tests (docs/reliability.md).
 */
public final class ReliabilityReport {
  static final String BEGIN = "<!-- figures:begin -->";
  static final String END = "<!-- figures:end -->";

  private ReliabilityReport() {}

  /** The Markdown table: one row per area, then the totals. Pure. */
  static String table(Map<String, Figures.Row> rows) {
    StringBuilder b = new StringBuilder();
    b.append(
        "| area | faults injected | survived | data lost | inputs tried | rejected | what |\n");
    b.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
    long f = 0;
    long s = 0;
    long d = 0;
    long i = 0;
    long r = 0;
    for (Map.Entry<String, Figures.Row> e : rows.entrySet()) {
      Figures.Row row = e.getValue();
      b.append("| ")
          .append(e.getKey())
          .append(" | ")
          .append(row.faultsInjected())
          .append(" | ")
          .append(row.survived())
          .append(" | ")
          .append(row.dataLost())
          .append(" | ")
          .append(row.inputsTried())
          .append(" | ")
          .append(row.rejected())
          .append(" | ")
          .append(row.note().replace("|", "\\|").replace("\n", " "))
          .append(" |\n");
      f += row.faultsInjected();
      s += row.survived();
      d += row.dataLost();
      i += row.inputsTried();
      r += row.rejected();
    }
    b.append("| **total** | **")
        .append(f)
        .append("** | **")
        .append(s)
        .append("** | **")
        .append(d)
        .append("** | **")
        .append(i)
        .append("** | **")
        .append(r)
        .append("** | |\n");
    return b.toString();
  }

  /** The document with the text between the markers replaced by the table. */
  static String replaceTable(String doc, String table) {
    return replaceBetween(doc, BEGIN, END, table);
  }

  /** The document with the text between the two markers replaced. */
  static String replaceBetween(String doc, String beginMarker, String endMarker, String text) {
    int begin = doc.indexOf(beginMarker);
    int end = doc.indexOf(endMarker);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(
          "the document has no " + beginMarker + " ... " + endMarker + " block");
    }
    return doc.substring(0, begin + beginMarker.length()) + "\n" + text + doc.substring(end);
  }

  /**
   * Rewrites the table. Arguments: the figures file and the document, defaulting to {@link
   * Figures#FILE} and {@code docs/reliability.md} under {@code project.root}.
   */
  public static void main(String[] args) throws IOException {
    Path figures = args.length > 0 ? Path.of(args[0]) : Figures.FILE;
    Path doc =
        args.length > 1
            ? Path.of(args[1])
            : Path.of(System.getProperty("project.root", "..")).resolve("docs/reliability.md");
    write(figures, doc);
    System.out.println("reliability report: " + doc + " rewritten from " + figures);
  }

  static void write(Path figures, Path doc) throws IOException {
    Map<String, Figures.Row> rows = Figures.read(figures);
    if (rows.isEmpty()) {
      throw new IOException(figures + " has no figures: run the reliability tests first");
    }
    Files.writeString(doc, replaceTable(Files.readString(doc), table(rows)));
  }
}
