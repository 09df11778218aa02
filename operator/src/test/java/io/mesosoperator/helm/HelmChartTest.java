package io.mesosoperator.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chart, linted and rendered by the real Helm engine (helm-java), then read back as Kubernetes
 * objects: RBAC is exactly what the operator uses, the pod is locked down, and unsafe settings do
 * not render.
 */
class HelmChartTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final Path CHART = ROOT.resolve("helm/mesos-operator");
  private static final String NS = "mesos-system";
  // Helm's built-in default (1.20) is older than the chart's kubeVersion floor.
  private static final String KUBE_VERSION = "1.30.0";
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The operator's rules in every namespace it watches, in the chart's order. */
  private static final String OPERATOR_RULES =
      """
      [
        {"apiGroups": ["mesosoperator.io"], "resources": ["mesosclusters"],
         "verbs": ["get", "list", "watch", "patch"]},
        {"apiGroups": ["mesosoperator.io"], "resources": ["mesosnodes"],
         "verbs": ["get", "list", "watch", "create", "delete", "patch"]},
        {"apiGroups": ["mesosoperator.io"],
         "resources": ["mesosclusters/status", "mesosnodes/status"],
         "verbs": ["patch"]},
        {"apiGroups": ["mesosoperator.io"],
         "resources": ["mesosclusters/finalizers", "mesosnodes/finalizers"],
         "verbs": ["update"]},
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "create", "update"]},
        {"apiGroups": [""], "resources": ["events"], "verbs": ["create"]}
      ]
      """;

  private static final String LEASE_RULES =
      """
      [{"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
        "verbs": ["get", "create", "update", "patch"]}]
      """;

  @Test
  void lintsCleanInStrictMode() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint: %s", result.getMessages()).isFalse();
    assertThat(String.join("\n", result.getMessages())).doesNotContain("[ERROR]", "[WARNING]");
  }

  @Test
  void watchingAllNamespacesUsesOneClusterRoleWithExactlyTheOperatorsRules() throws IOException {
    List<JsonNode> docs = render(Map.of());

    JsonNode clusterRole = only(docs, "ClusterRole");
    assertThat(clusterRole.get("rules")).isEqualTo(JSON.readTree(OPERATOR_RULES));
    JsonNode binding = only(docs, "ClusterRoleBinding");
    assertThat(binding.at("/roleRef/name").asText())
        .isEqualTo(clusterRole.at("/metadata/name").asText());
    assertThat(binding.at("/subjects/0/name").asText())
        .isEqualTo(only(docs, "ServiceAccount").at("/metadata/name").asText());
    assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo(NS);
    // The only namespaced Role is the Lease one.
    assertThat(ofKind(docs, "Role"))
        .singleElement()
        .satisfies(r -> assertThat(r.get("rules")).isEqualTo(JSON.readTree(LEASE_RULES)));
    assertThat(startingWith(args(docs), "--namespaces")).isEmpty();
  }

  @Test
  void watchNamespacesGivesARolePerNamespaceAndNothingClusterWide() throws IOException {
    List<JsonNode> docs = render(watching("team-a", "team-b"));

    assertThat(ofKind(docs, "ClusterRole")).isEmpty();
    assertThat(ofKind(docs, "ClusterRoleBinding")).isEmpty();
    List<JsonNode> operatorRoles =
        ofKind(docs, "Role").stream()
            .filter(r -> !r.at("/metadata/name").asText().endsWith("-leader-election"))
            .toList();
    assertThat(operatorRoles)
        .extracting(r -> r.at("/metadata/namespace").asText())
        .containsExactly("team-a", "team-b");
    for (JsonNode role : operatorRoles) {
      assertThat(role.get("rules")).isEqualTo(JSON.readTree(OPERATOR_RULES));
    }
    assertThat(ofKind(docs, "RoleBinding"))
        .extracting(r -> r.at("/metadata/namespace").asText())
        .containsExactlyInAnyOrder("team-a", "team-b", NS);
    for (JsonNode binding : ofKind(docs, "RoleBinding")) {
      assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo(NS);
    }
    assertThat(args(docs)).contains("--namespaces=team-a,team-b");
  }

  @Test
  void leaseRulesAndFlagsOnlyWithLeaderElection() {
    List<JsonNode> on = render(Map.of());
    assertThat(leaseRules(on)).hasSize(1);
    assertThat(only(on, "Role").at("/metadata/namespace").asText()).isEqualTo(NS);
    assertThat(args(on)).contains("--leader-election", "--lease-name=mesos-operator-leader");
    assertThat(only(on, "Deployment").at("/spec/strategy").isMissingNode()).isTrue();

    List<JsonNode> off = render(Map.of("leaderElection.enabled", "false"));
    assertThat(leaseRules(off)).isEmpty();
    assertThat(ofKind(off, "Role")).isEmpty();
    assertThat(args(off)).doesNotContain("--leader-election");
    assertThat(startingWith(args(off), "--lease-name")).isEmpty();
    // Two operators must never overlap, not even during a rollout.
    assertThat(only(off, "Deployment").at("/spec/strategy/type").asText()).isEqualTo("Recreate");
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3})
  void noWildcardsAnywhere(int namespaces) {
    List<JsonNode> docs =
        render(
            watching(
                IntStream.range(0, namespaces).mapToObj(i -> "team-" + i).toArray(String[]::new)));
    List<JsonNode> rules = new ArrayList<>();
    for (JsonNode doc : docs) {
      if (doc.at("/kind").asText().matches("Role|ClusterRole")) {
        doc.get("rules").forEach(rules::add);
      }
    }
    assertThat(rules).isNotEmpty();
    for (JsonNode rule : rules) {
      for (String field : List.of("apiGroups", "resources", "verbs")) {
        assertThat(texts(rule.get(field))).as("%s of %s", field, rule).doesNotContain("*");
      }
      assertThat(rule.has("nonResourceURLs")).isFalse();
    }
    assertThat(rules.stream().flatMap(r -> texts(r.get("verbs")).stream()))
        .doesNotContain("escalate", "bind", "impersonate", "deletecollection")
        .contains("get");
    // Secrets are never listed or watched: only the operator's own resources are.
    assertThat(rules)
        .filteredOn(
            r -> texts(r.get("verbs")).contains("list") || texts(r.get("verbs")).contains("watch"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(texts(r.get("apiGroups"))).containsExactly("mesosoperator.io"));
  }

  @Test
  void containerRunsTheJarWithItsPortsAndProbes() {
    List<JsonNode> docs = render(Map.of("metrics.port", "9100"));
    JsonNode container = container(docs);

    assertThat(texts(container.get("command")))
        .containsExactly("java", "-jar", "/app/mesos-operator.jar");
    assertThat(args(docs)).startsWith("run").contains("--health-port=8090", "--metrics-port=9100");
    assertThat(container.at("/ports"))
        .extracting(p -> p.get("name").asText() + "=" + p.get("containerPort").asInt())
        .containsExactlyInAnyOrder("health=8090", "metrics=9100");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("health");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("health");
    assertThat(container.at("/image").asText()).isEqualTo("mesos-operator:0.1.0");
    assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("512Mi");
  }

  @Test
  void podMeetsTheRestrictedPodSecurityStandard() {
    List<JsonNode> docs = render(Map.of());
    JsonNode pod = only(docs, "Deployment").at("/spec/template/spec");
    JsonNode sc = container(docs).get("securityContext");

    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(65532);
    assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
    assertThat(sc.at("/runAsNonRoot").asBoolean()).isTrue();
    assertThat(sc.at("/runAsUser").asInt()).isEqualTo(65532);
    assertThat(sc.at("/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(sc.at("/allowPrivilegeEscalation").asBoolean()).isFalse();
    assertThat(texts(sc.at("/capabilities/drop"))).containsExactly("ALL");
    assertThat(sc.at("/capabilities/add").isMissingNode()).isTrue();
    assertThat(sc.at("/privileged").asBoolean(false)).isFalse();
    assertThat(sc.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
    assertThat(pod.at("/hostNetwork").asBoolean(false)).isFalse();
    assertThat(pod.at("/hostPID").asBoolean(false)).isFalse();
    // A writable /tmp on an emptyDir, since the root file system is read-only.
    assertThat(container(docs).get("volumeMounts"))
        .anySatisfy(m -> assertThat(m.get("mountPath").asText()).isEqualTo("/tmp"));
    assertThat(pod.get("volumes"))
        .anySatisfy(
            v -> {
              assertThat(v.get("name").asText()).isEqualTo("tmp");
              assertThat(v.has("emptyDir")).isTrue();
            });
    assertThat(pod.at("/volumes")).allSatisfy(v -> assertThat(v.has("hostPath")).isFalse());
  }

  /**
   * helm-java 0.0.21's template has no --include-crds (it prints only templates), so the CRDs are
   * read the way Helm itself loads them for install and --include-crds: {@code helm show crds}. It
   * prints the files back to back without separators, hence text containment, not YAML parsing.
   */
  @Test
  void includesBothCrdsVerbatim() throws IOException {
    assertThat(ofKind(render(Map.of()), "CustomResourceDefinition"))
        .as("CRDs belong in crds/, not templates/, so upgrades never delete them")
        .isEmpty();
    String shown = new Helm(CHART).show().crds().call();
    assertThat(shown.split("\nkind: CustomResourceDefinition\n", -1)).hasSize(3);
    for (String name : List.of("mesosclusters.mesosoperator.io", "mesosnodes.mesosoperator.io")) {
      String top = Files.readString(ROOT.resolve("crds").resolve(name + ".yaml"));
      assertThat(YAML.readTree(top).at("/metadata/name").asText()).isEqualTo(name);
      assertThat(shown).contains(top.strip());
    }
  }

  @Test
  void moreThanOneReplicaWithoutLeaderElectionDoesNotRender() {
    assertThatThrownBy(() -> render(Map.of("replicaCount", "2", "leaderElection.enabled", "false")))
        .hasMessageContaining("replicaCount is 2")
        .hasMessageContaining("leaderElection.enabled");

    JsonNode deployment = only(render(Map.of("replicaCount", "2")), "Deployment");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(2);
  }

  @Test
  void metricsServiceAlwaysAndServiceMonitorOnRequest() throws IOException {
    List<JsonNode> plain = render(Map.of());
    JsonNode service = only(plain, "Service");
    assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("metrics");
    assertThat(service.at("/spec/selector"))
        .isEqualTo(only(plain, "Deployment").at("/spec/selector/matchLabels"));
    assertThat(ofKind(plain, "ServiceMonitor")).isEmpty();
    assertThat(ofKind(plain, "ConfigMap")).isEmpty();

    List<JsonNode> monitored =
        render(
            Map.of(
                "metrics.serviceMonitor.enabled", "true",
                "metrics.serviceMonitor.labels.release", "prom",
                "grafanaDashboard.enabled", "true"));
    JsonNode monitor = only(monitored, "ServiceMonitor");
    assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("metrics");
    assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
    assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("prom");
    assertThat(monitor.at("/spec/selector/matchLabels")).isEqualTo(service.at("/spec/selector"));
    JsonNode dashboard = only(monitored, "ConfigMap").at("/data/mesos-operator.json");
    assertThat(JSON.readTree(dashboard.asText()))
        .isEqualTo(JSON.readTree(CHART.resolve("dashboards/mesos-operator.json").toFile()));
  }

  // --- helpers ---

  private static List<JsonNode> render(Map<String, ?> values) {
    TemplateCommand template =
        new Helm(CHART)
            .template()
            .withName("mesos-operator")
            .withNamespace(NS)
            .withKubeVersion(KUBE_VERSION);
    values.forEach(template::set);
    return parse(template.call());
  }

  private static List<JsonNode> parse(String out) {
    try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(out)) {
      return docs.readAll().stream().filter(d -> d != null && d.has("kind")).toList();
    } catch (IOException e) {
      throw new AssertionError("helm printed invalid YAML:\n" + out, e);
    }
  }

  /** Values for watchNamespaces (indexed keys: helm-java joins --set pairs with commas). */
  private static Map<String, Object> watching(String... namespaces) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 0; i < namespaces.length; i++) {
      values.put("watchNamespaces[" + i + "]", namespaces[i]);
    }
    return values;
  }

  private static List<JsonNode> ofKind(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind").asText())).toList();
  }

  private static JsonNode only(List<JsonNode> docs, String kind) {
    List<JsonNode> found = ofKind(docs, kind);
    assertThat(found).as("objects of kind %s", kind).hasSize(1);
    return found.get(0);
  }

  private static JsonNode container(List<JsonNode> docs) {
    JsonNode containers = only(docs, "Deployment").at("/spec/template/spec/containers");
    assertThat(containers.size()).isEqualTo(1);
    return containers.get(0);
  }

  private static List<String> args(List<JsonNode> docs) {
    return texts(container(docs).get("args"));
  }

  private static List<String> startingWith(List<String> items, String prefix) {
    return items.stream().filter(a -> a.startsWith(prefix)).toList();
  }

  private static List<JsonNode> leaseRules(List<JsonNode> docs) {
    List<JsonNode> found = new ArrayList<>();
    for (JsonNode doc : docs) {
      if (doc.get("kind").asText().matches("Role|ClusterRole")) {
        for (JsonNode rule : doc.get("rules")) {
          if (texts(rule.get("resources")).contains("leases")) {
            found.add(rule);
          }
        }
      }
    }
    return found;
  }

  private static List<String> texts(JsonNode array) {
    if (array == null || array.isMissingNode()) {
      return List.of();
    }
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
