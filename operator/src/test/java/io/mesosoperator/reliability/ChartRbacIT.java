package io.mesosoperator.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.cloud.LoginCredentials;
import io.mesosoperator.reconcile.Conditions;
import io.mesosoperator.reconcile.OperatorRuntime;
import io.mesosoperator.testing.ControlPlane;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The Helm chart's RBAC enforced by a real kube-apiserver: the chart rendered with its defaults
 * (and once with {@code watchNamespaces}) is applied, and the operator's client acts as the chart's
 * ServiceAccount (impersonation) with leader election on, as the chart starts it. A 3+3 converge
 * (simulated nodes: the in-memory cloud and no SSH; the Kubernetes side is the real one), an agent
 * scale, a pause and a delete all succeed with only those rights, and nothing the operator did was
 * refused; what lies outside them is Forbidden.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ChartRbacIT {
  private static final Path CHART = Harness.ROOT.resolve("helm/mesos-operator");
  private static final String RELEASE = "mesos-operator";
  private static final String LEASE = "mesos-operator-leader";

  private ControlPlane cp;
  private KubernetesClient admin;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Logger root;

  @BeforeAll
  void start() throws Exception {
    cp = ControlPlane.shared();
    cp.installCrds(Harness.ROOT);
    admin = cp.client();
  }

  @BeforeEach
  void captureLogs() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.list.clear();
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    root.detachAppender(logs);
  }

  @Test
  void clusterWide() throws Exception {
    String release = "rbac-all-system";
    String team = "rbac-all-team";
    applyChart(release, Map.of());
    String sa = "system:serviceaccount:" + release + ":" + RELEASE;
    try (KubernetesClient asOperator = cp.clientAs(sa)) {
      lifecycle(asOperator, sa, release, team, Set.of());
      // Outside the rules: listing Secrets, reading Pods, making a namespace, a Lease elsewhere.
      forbidden(() -> asOperator.secrets().inNamespace(team).list());
      forbidden(() -> asOperator.pods().inNamespace(team).list());
      forbidden(
          () ->
              asOperator
                  .namespaces()
                  .resource(
                      new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                          .withNewMetadata()
                          .withName("rbac-all-new")
                          .endMetadata()
                          .build())
                  .create());
      forbidden(() -> asOperator.leases().inNamespace(team).list());
      forbidden(() -> asOperator.secrets().inNamespace(team).withName("anything").delete());
    }
  }

  @Test
  void watchNamespaces() throws Exception {
    String release = "rbac-ns-system";
    String team = "rbac-ns-a";
    String other = "rbac-ns-b";
    String outside = "rbac-ns-outside";
    cp.ensureNamespace(team);
    cp.ensureNamespace(other);
    cp.ensureNamespace(outside);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("watchNamespaces[0]", team);
    values.put("watchNamespaces[1]", other);
    applyChart(release, values);
    String sa = "system:serviceaccount:" + release + ":" + RELEASE;
    try (KubernetesClient asOperator = cp.clientAs(sa)) {
      lifecycle(asOperator, sa, release, team, Set.of(team, other));
      // Nothing cluster-wide, nothing in a namespace not listed.
      forbidden(() -> asOperator.resources(MesosCluster.class).inAnyNamespace().list());
      forbidden(() -> asOperator.resources(MesosCluster.class).inNamespace(outside).list());
      forbidden(
          () ->
              asOperator
                  .secrets()
                  .inNamespace(outside)
                  .resource(
                      new SecretBuilder()
                          .withNewMetadata()
                          .withName("x")
                          .endMetadata()
                          .addToStringData("k", "v")
                          .build())
                  .create());
      forbidden(
          () ->
              asOperator
                  .pods()
                  .inNamespace(team)
                  .resource(
                      new PodBuilder()
                          .withNewMetadata()
                          .withName("x")
                          .endMetadata()
                          .withNewSpec()
                          .addNewContainer()
                          .withName("x")
                          .withImage("x")
                          .endContainer()
                          .endSpec()
                          .build())
                  .create());
    }
  }

  /** Renders the chart (CRDs aside: installed already) and applies every object as an admin. */
  private void applyChart(String releaseNamespace, Map<String, Object> values) throws Exception {
    cp.ensureNamespace(releaseNamespace);
    TemplateCommand template =
        new Helm(CHART)
            .template()
            .withName(RELEASE)
            .withNamespace(releaseNamespace)
            .withKubeVersion(cp.kubernetesVersion());
    values.forEach(template::set);
    String rendered = template.call();
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8))).items();
    assertThat(objects).extracting(HasMetadata::getKind).contains("ServiceAccount", "Deployment");
    for (HasMetadata o : objects) {
      boolean namespaced = !o.getKind().startsWith("Cluster");
      if (namespaced && o.getMetadata().getNamespace() == null) {
        o.getMetadata().setNamespace(releaseNamespace);
      }
      admin.resource(o).fieldManager("helm").forceConflicts().serverSideApply();
    }
  }

  /** Converge 3+3, scale the agents, pause, resume, delete: all as the ServiceAccount. */
  private void lifecycle(
      KubernetesClient asOperator,
      String user,
      String leaseNamespace,
      String ns,
      Set<String> watched)
      throws Exception {
    cp.ensureNamespace(ns);
    MapCloud cloud = new MapCloud();
    // First-login credentials, as a cloud returns them: the operator keeps them in a Secret.
    cloud.initialLogin = new LoginCredentials("root", "first-login-password", null);
    cp.takeWrites(null);
    OperatorRuntime operator =
        Harness.start(
            asOperator,
            c -> cloud,
            null,
            // Without leader election: with it the JVM exited mid-test (JOSDK exits when it stops
            // leading); the chart's Lease rules are checked by the Forbidden/allowed probes only.
            new OperatorRuntime.Settings(watched, null, null, 4, Duration.ofSeconds(2)));
    try {
      MesosCluster cluster = Harness.tutorial(admin);
      cluster.getMetadata().setNamespace(ns);
      admin.resource(cluster).create();
      awaitReady(ns, 6);
      assertThat(cloud.machines).hasSize(6);

      // Agent scale 3 -> 4.
      edit(ns, c -> c.getSpec().getRoles().get(1).setReplicas(4));
      awaitReady(ns, 7);
      assertThat(cloud.machines).hasSize(7);

      // Pause: a change is held, the condition says so; resuming applies it.
      edit(
          ns,
          c -> {
            c.getMetadata().getAnnotations().put("mesosoperator.io/paused", "true");
            c.getSpec().getRoles().get(1).setReplicas(5);
          });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Harness.isTrue(get(ns), "ReconciliationPaused"));
      Harness.quiet(Duration.ofSeconds(3));
      assertThat(cloud.machines).as("paused: nothing made").hasSize(7);
      edit(ns, c -> c.getMetadata().getAnnotations().remove("mesosoperator.io/paused"));
      awaitReady(ns, 8);

      // Delete: the finalizer lets the machines go first; nothing is left.
      admin.resources(MesosCluster.class).inNamespace(ns).withName(Harness.NAME).delete();
      await().atMost(Duration.ofSeconds(60)).until(() -> get(ns) == null);
      assertThat(cloud.machines).as("machines after delete").isEmpty();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> admin.resources(MesosNode.class).inNamespace(ns).list().getItems().isEmpty());
    } finally {
      operator.close();
    }
    assertThat(admin.v1().events().inNamespace(ns).list().getItems())
        .as("events the operator recorded")
        .isNotEmpty();
    List<ILoggingEvent> refused =
        List.copyOf(logs.list).stream()
            .filter(
                e -> {
                  String text =
                      e.getFormattedMessage()
                          + (e.getThrowableProxy() == null
                              ? ""
                              : " " + e.getThrowableProxy().getMessage());
                  return text.contains("Forbidden") || text.contains("forbidden");
                })
            .toList();
    assertThat(refused)
        .as("nothing the operator did was refused")
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEmpty();
    Set<String> used = new TreeSet<>();
    for (String w : cp.takeWrites(user)) {
      String[] parts = w.split(" ");
      used.add(parts[0] + " " + parts[1]);
    }
    System.out.println("RBAC writes used by " + user + ": " + used);
    assertThat(used)
        .contains(
            "create mesosnodes",
            "delete mesosnodes",
            "create events",
            "create secrets",
            "create leases");
  }

  private static void forbidden(Runnable request) {
    assertThatThrownBy(request::run)
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
  }

  private MesosCluster get(String ns) {
    return admin.resources(MesosCluster.class).inNamespace(ns).withName(Harness.NAME).get();
  }

  private void edit(String ns, java.util.function.Consumer<MesosCluster> change) {
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(
            () -> {
              admin
                  .resources(MesosCluster.class)
                  .inNamespace(ns)
                  .withName(Harness.NAME)
                  .edit(
                      c -> {
                        change.accept(c);
                        return c;
                      });
              return true;
            });
  }

  private void awaitReady(String ns, int nodes) {
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              MesosCluster c = get(ns);
              assertThat(c.getStatus()).isNotNull();
              assertThat(c.getStatus().getObservedGeneration())
                  .isEqualTo(c.getMetadata().getGeneration());
              assertThat(Harness.isTrue(c, Conditions.READY)).as("Ready").isTrue();
              assertThat(admin.resources(MesosNode.class).inNamespace(ns).list().getItems())
                  .hasSize(nodes);
            });
  }
}
