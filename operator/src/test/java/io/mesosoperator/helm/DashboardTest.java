package io.mesosoperator.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard queries only the metrics the operator exports (the names agreed in issue 7)
 * and Java Operator SDK's own {@code operator_sdk_*}, so a renamed metric shows up here.
 */
class DashboardTest {
  private static final Path DASHBOARD =
      Path.of(System.getProperty("project.root", ".."))
          .resolve("helm/mesos-operator/dashboards/mesos-operator.json");

  static final Set<String> OPERATOR_METRICS =
      Set.of(
          "mesos_operator_nodes",
          "mesos_operator_node_reachable",
          "mesos_operator_node_configured",
          "mesos_operator_node_services_up",
          "mesos_operator_clock_offset_seconds",
          "mesos_operator_zookeeper_mode",
          "mesos_operator_mesos_leader",
          "mesos_operator_drift_repairs_total",
          "mesos_operator_ssh_roundtrips_total",
          // A histogram: Prometheus exposes its series with these suffixes.
          "mesos_operator_reconcile_seconds_bucket",
          "mesos_operator_reconcile_seconds_sum",
          "mesos_operator_reconcile_seconds_count");

  private static final Set<String> PROMQL_WORDS =
      Set.of(
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "bool",
          "and",
          "or",
          "unless",
          "offset",
          "inf",
          "nan");

  @Test
  void parsesAndHasPanelsWithQueries() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(dashboard.get("uid").asText()).isEqualTo("mesos-operator");
    assertThat(exprs(dashboard)).hasSizeGreaterThanOrEqualTo(10);
  }

  @Test
  void everyQueryUsesOnlyKnownMetrics() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    Set<String> used = new LinkedHashSet<>();
    for (String expr : exprs(dashboard)) {
      Set<String> names = metricNames(expr);
      assertThat(names).as("metrics in %s", expr).isNotEmpty();
      assertThat(names)
          .as("unknown metric in %s", expr)
          .allMatch(n -> OPERATOR_METRICS.contains(n) || n.startsWith("operator_sdk_"));
      used.addAll(names);
    }
    // Every agreed metric is on the dashboard at least once.
    assertThat(used)
        .containsAll(
            OPERATOR_METRICS.stream()
                .filter(n -> !n.endsWith("_sum") && !n.endsWith("_count"))
                .toList());
  }

  @Test
  void extractorFindsMetricsAndSkipsFunctionsLabelsAndRanges() {
    assertThat(
            metricNames(
                "histogram_quantile(0.9, sum by (le, cluster) (rate(x_bucket{cluster=~\"$c\"}"
                    + "[$__rate_interval]))) or on(cluster) vector(0) > bool y_total"))
        .containsExactlyInAnyOrder("x_bucket", "y_total");
    assertThat(metricNames("label_values(mesos_operator_nodes, cluster)"))
        .containsExactly("mesos_operator_nodes");
  }

  /** Every PromQL query: panel targets and query variables. */
  private static List<String> exprs(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.get("expr").asText());
      }
    }
    for (JsonNode variable : dashboard.at("/templating/list")) {
      if ("query".equals(variable.path("type").asText())) {
        out.add(variable.at("/query/query").asText());
      }
    }
    return out;
  }

  private static final Pattern IDENT = Pattern.compile("[A-Za-z_:][A-Za-z0-9_:]*");

  /** Metric names in a query: identifiers that are not functions, keywords or label names. */
  static Set<String> metricNames(String expr) {
    String s =
        expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"") // string literals
            .replaceAll("\\{[^}]*}", "") // label matchers
            .replaceAll("\\[[^]]*]", "") // range selectors
            .replaceAll("\\$\\w+", "") // Grafana variables
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", "");
    // label_values(metric, label): the second argument is a label.
    s = s.replaceAll("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)\\s*,[^)]*\\)", "$1");
    Set<String> names = new LinkedHashSet<>();
    Matcher m = IDENT.matcher(s);
    while (m.find()) {
      String word = m.group();
      boolean call = s.substring(m.end()).stripLeading().startsWith("(");
      if (!call && !PROMQL_WORDS.contains(word.toLowerCase())) {
        names.add(word);
      }
    }
    return names;
  }
}
