package io.mesosoperator.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The benchmark's figures: a table on stdout and a JSON file. */
final class BenchResults {

  /** Every key the benchmark reports, in table order. */
  static final List<String> KEYS =
      List.of(
          "scale_nodes",
          "scale_converge_s",
          "scale_steady_pass_s",
          "scale_steady_pass_replay_s",
          "scale_heap_peak_mib",
          "noop_ssh_roundtrips_per_node",
          "noop_node_writes",
          "noop_service_restarts",
          "noop_kube_writes",
          "noop_cloud_mutations",
          "operator_start_s",
          "operator_idle_rss_mib",
          "converge_s_3+1",
          "converge_s_3+3",
          "converge_s_3+9",
          "converge_3+9_slowest_over_median",
          "parallel_ratio",
          "sequential_ratio",
          "noop_pass_s",
          "floor_s",
          "repair_converge_s",
          "ansible_converge_s",
          "ansible_noop_s",
          "repair_vs_ansible_ratio",
          "repair_vs_by_hand_ratio",
          "noop_vs_ansible_noop_ratio",
          "noop_vs_floor_ratio");

  /** How a figure is judged against its goal. */
  enum Goal {
    NONE,
    AT_MOST,
    EXACTLY
  }

  /**
   * One figure.
   *
   * @param value the measured value, or null when not measured
   * @param goal how the goal reads
   * @param target the goal's number
   * @param pending true when the scenario is not wired yet
   * @param note what the figure means or why it is missing
   */
  record Entry(Double value, Goal goal, Double target, boolean pending, String note) {
    /** True, false, or null when there is no goal or no value. */
    Boolean met() {
      if (value == null || goal == Goal.NONE) {
        return null;
      }
      return goal == Goal.AT_MOST ? value <= target : Math.abs(value - target) < 1e-9;
    }

    String goalText() {
      return switch (goal) {
        case NONE -> "-";
        case AT_MOST -> "<= " + number(target);
        case EXACTLY -> "= " + number(target);
      };
    }
  }

  private final String variant;
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  private final Map<String, Object> diagnostics = new LinkedHashMap<>();

  BenchResults(String variant) {
    this.variant = variant;
  }

  void put(String key, Double value, Goal goal, Double target, String note) {
    entries.put(key, new Entry(value, goal, target, false, note));
  }

  void measured(String key, double value, String note) {
    put(key, value, Goal.NONE, null, note);
  }

  void atMost(String key, double value, double goal, String note) {
    put(key, value, Goal.AT_MOST, goal, note);
  }

  void exactly(String key, double value, double goal, String note) {
    put(key, value, Goal.EXACTLY, goal, note);
  }

  void missing(String key, Goal goal, Double target, String why) {
    entries.put(key, new Entry(null, goal, target, false, why));
  }

  void pending(String key, String why) {
    entries.put(key, new Entry(null, Goal.NONE, null, true, why));
  }

  void diagnostic(String key, Object value) {
    diagnostics.put(key, value);
  }

  Map<String, Entry> entries() {
    return entries;
  }

  Map<String, Object> diagnostics() {
    return diagnostics;
  }

  void print(PrintStream out) {
    String fmt = "%-34s %12s %10s %6s  %s%n";
    out.printf("%nmesos-operator benchmark (%s)%n", variant);
    out.printf(fmt, "key", "value", "goal", "met", "note");
    out.println("-".repeat(100));
    for (String key : KEYS) {
      Entry e = entries.get(key);
      if (e == null) {
        out.printf(fmt, key, "MISSING", "", "", "scenario did not report it");
        continue;
      }
      String value = e.pending() ? "pending" : e.value() == null ? "n/a" : number(e.value());
      Boolean met = e.met();
      out.printf(
          fmt,
          key,
          value,
          e.goalText(),
          met == null ? "-" : met ? "yes" : "NO",
          e.note() == null ? "" : e.note());
    }
    if (!diagnostics.isEmpty()) {
      out.println();
      out.println("diagnostics:");
      diagnostics.forEach((k, v) -> out.printf("  %-40s %s%n", k, v));
    }
    out.println();
  }

  void write(Path file, Map<String, Object> machine) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("variant", variant);
    root.put("generated", Instant.now().toString());
    root.set("machine", json.valueToTree(machine));
    ObjectNode results = root.putObject("results");
    for (String key : KEYS) {
      Entry e = entries.get(key);
      ObjectNode o = results.putObject(key);
      if (e == null) {
        o.putNull("value");
        o.put("note", "scenario did not report it");
        continue;
      }
      if (e.value() == null) {
        o.putNull("value");
      } else {
        o.put("value", e.value());
      }
      if (e.goal() == Goal.NONE) {
        o.putNull("goal");
      } else {
        o.put("goal", e.goalText());
      }
      Boolean met = e.met();
      if (met == null) {
        o.putNull("met");
      } else {
        o.put("met", met);
      }
      if (e.pending()) {
        o.put("pending", true);
      }
      if (e.note() != null) {
        o.put("note", e.note());
      }
    }
    root.set("diagnostics", json.valueToTree(diagnostics));
    Files.createDirectories(file.getParent());
    json.writeValue(file.toFile(), root);
  }

  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e12) {
      return String.valueOf((long) v);
    }
    if (Math.abs(v) < 1) {
      // Ratios carry three places (0.038 is not 0.04).
      return java.math.BigDecimal.valueOf(v)
          .setScale(3, java.math.RoundingMode.HALF_UP)
          .stripTrailingZeros()
          .toPlainString();
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
