package io.mesosoperator.e2e;

import static io.mesosoperator.e2e.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.reconcile.Labels;
import io.mesosoperator.testing.ControlPlane;
import io.mesosoperator.testing.Prerequisites;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 19's RBAC test: the Helm chart rendered with its defaults (and once with {@code
 * watchNamespaces}) is applied to the real kube-apiserver, and the operator runs in-process as the
 * chart's ServiceAccount (impersonated), with leader election on as the chart starts it, against
 * real local nodes. A 3+3 converge, an agent scale, a pause and a delete all succeed with only the
 * chart's rights; every request the operator sent is recorded with the API server's answer, none
 * was refused, and the verbs it used are compared with the chart's; what lies outside the chart's
 * rules is Forbidden.
 *
 * <p>Needs root and {@code .ci/install-packages.sh}; skips outside CI when missing, fails in CI.
 * Traffic goes only to loopback and to the test's bridge ranges {@value #CIDR_ALL} and {@value
 * #CIDR_NS}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ChartRbacIT {
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final Path CHART = ROOT.resolve("helm/mesos-operator");
  private static final String RELEASE = "mesos-operator";
  private static final String NAME = "rbac";
  private static final String CIDR_ALL = "10.213.237.0/24";
  private static final String CIDR_NS = "10.213.238.0/24";
  private static final Duration RESYNC = Duration.ofSeconds(5);
  private static final Duration READY_DEADLINE = Duration.ofMinutes(4);

  /**
   * What the chart grants and a converge, scale, pause and delete do not use, each needed on a path
   * of its own: JOSDK refuses to start leader election unless the Lease's get, create and update
   * are granted (fabric8's elector renews and takes over with a patch); the finalizers subresource
   * is checked by OwnerReferencesPermissionEnforcement (off in a default kube-apiserver, on in
   * OpenShift) because MesosNodes and Secrets carry owner references with blockOwnerDeletion; a
   * first-login Secret left from an earlier machine is updated instead of created.
   */
  private static final Set<String> GRANTED_FOR_OTHER_PATHS =
      Set.of(
          "update leases.coordination.k8s.io",
          "update mesosclusters/finalizers.mesosoperator.io",
          "update mesosnodes/finalizers.mesosoperator.io",
          "update secrets");

  private final Map<String, String> uids = new LinkedHashMap<>();
  private final Map<String, Long> timings = new LinkedHashMap<>();
  private ControlPlane cp;
  private KubernetesClient admin;
  private Path stateDir;
  private LocalCluster operator;

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRealNodes("chart RBAC IT");
    cp = ControlPlane.shared();
    cp.installCrds(ROOT);
    admin = cp.client();
    stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-rbac-");
  }

  @AfterAll
  void tearDown() throws Exception {
    List<String> leftovers = new ArrayList<>();
    if (operator != null) {
      operator.close();
    }
    for (Map.Entry<String, String> e : uids.entrySet()) {
      leftovers.addAll(LocalCluster.destroyLeftovers(stateDir, e.getValue(), e.getKey()));
    }
    if (stateDir != null) {
      LocalCluster.host(List.of("rm", "-rf", "--one-file-system", stateDir.toString()));
    }
    System.out.println("chart RBAC IT timings (ms): " + timings);
    if (!leftovers.isEmpty()) {
      System.out.println("chart RBAC IT: teardown destroyed leftover machines " + leftovers);
    }
  }

  @Test
  @Order(1)
  void clusterWide() throws Exception {
    String release = "rbac-all-system";
    String team = "rbac-all-team";
    List<HasMetadata> chart = applyChart(release, Map.of());
    assertThat(chart)
        .extracting(HasMetadata::getKind)
        .contains("ClusterRole", "ClusterRoleBinding");
    String sa = serviceAccount(release);
    lifecycle("cluster-wide", sa, release, team, Set.of(), CIDR_ALL, granted(chart));
    try (KubernetesClient asOperator = cp.clientAs(sa)) {
      // Outside the rules: listing or deleting Secrets, reading Pods, making a namespace, Leases
      // outside the release namespace.
      forbidden(() -> asOperator.secrets().inNamespace(team).list());
      forbidden(() -> asOperator.secrets().inNamespace(team).withName("anything").delete());
      forbidden(() -> asOperator.pods().inNamespace(team).list());
      forbidden(
          () ->
              asOperator
                  .namespaces()
                  .resource(
                      new NamespaceBuilder()
                          .withNewMetadata()
                          .withName("rbac-new")
                          .endMetadata()
                          .build())
                  .create());
      forbidden(() -> asOperator.leases().inNamespace(team).list());
      forbidden(() -> asOperator.leases().inNamespace(team).withName("x").get());
    }
  }

  @Test
  @Order(2)
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
    List<HasMetadata> chart = applyChart(release, values);
    assertThat(chart).extracting(HasMetadata::getKind).doesNotContain("ClusterRole");
    String sa = serviceAccount(release);
    lifecycle("watchNamespaces", sa, release, team, Set.of(team, other), CIDR_NS, granted(chart));
    try (KubernetesClient asOperator = cp.clientAs(sa)) {
      // Nothing cluster-wide, nothing in a namespace not listed.
      forbidden(() -> asOperator.resources(MesosCluster.class).inAnyNamespace().list());
      forbidden(() -> asOperator.resources(MesosCluster.class).inNamespace(outside).list());
      forbidden(() -> asOperator.resources(MesosNode.class).inNamespace(outside).list());
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
      forbidden(() -> asOperator.secrets().inNamespace(outside).withName("x").get());
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

  /**
   * Converge 3+3, scale the agents 3 to 4, pause (a scale down is held) and resume, delete: the
   * operator as {@code user}, with leader election on the chart's Lease in {@code releaseNs}.
   */
  private void lifecycle(
      String variant,
      String user,
      String releaseNs,
      String ns,
      Set<String> watched,
      String cidr,
      Set<String> granted)
      throws Exception {
    cp.ensureNamespace(ns);
    RequestLog log = new RequestLog();
    String uid;
    try (KubernetesClient asOperator = RequestLog.clientAs(cp, user, log)) {
      operator = new LocalCluster(asOperator, stateDir, RESYNC, watched, leaseName(), releaseNs);
      try {
        long t0 = System.nanoTime();
        MesosCluster created =
            admin
                .resource(load(LocalClusterE2EIT.clusterYaml(ns, NAME, cidr, 3, 3, true)))
                .create();
        uid = created.getMetadata().getUid();
        uids.put(uid, cidr);
        awaitReady(ns, 6);
        timings.put(variant + ": apply to Ready (3+3)", ms(t0));
        assertThat(operator.local(uid).list(uid)).hasSize(6);
        Lease lease = admin.leases().inNamespace(releaseNs).withName(leaseName()).get();
        assertThat(lease).as("the chart's Lease in the release namespace").isNotNull();
        assertThat(lease.getSpec().getHolderIdentity()).isNotBlank();

        // Agent scale 3 -> 4.
        t0 = System.nanoTime();
        edit(ns, c -> c.getSpec().getRoles().get(1).setReplicas(4));
        awaitReady(ns, 7);
        timings.put(variant + ": agents 3 -> 4 to Ready", ms(t0));
        assertThat(operator.local(uid).list(uid)).hasSize(7);

        // Pause: a scale down is held while the annotation is set; resuming applies it.
        edit(
            ns,
            c -> {
              if (c.getMetadata().getAnnotations() == null) {
                c.getMetadata().setAnnotations(new HashMap<>());
              }
              c.getMetadata().getAnnotations().put(Labels.PAUSED, "true");
              c.getSpec().getRoles().get(1).setReplicas(3);
            });
        await(
            "ReconciliationPaused=True for the current generation",
            Duration.ofSeconds(60),
            () -> {
              MesosCluster c = cluster(ns);
              return c.getStatus() != null
                  && c.getMetadata().getGeneration().equals(c.getStatus().getObservedGeneration())
                  && isTrue(c, "ReconciliationPaused");
            });
        pause(RESYNC.multipliedBy(2));
        assertThat(nodes(ns)).as("paused: no node deleted").hasSize(7);
        assertThat(operator.local(uid).list(uid)).as("paused: no machine destroyed").hasSize(7);
        t0 = System.nanoTime();
        edit(ns, c -> c.getMetadata().getAnnotations().remove(Labels.PAUSED));
        awaitReady(ns, 6);
        timings.put(variant + ": resume (agents 4 -> 3) to Ready", ms(t0));
        assertThat(operator.local(uid).list(uid)).hasSize(6);

        // Delete: the finalizer lets the machines go first; nothing is left.
        t0 = System.nanoTime();
        admin.resources(MesosCluster.class).inNamespace(ns).withName(NAME).delete();
        await(
            "cluster and nodes gone",
            Duration.ofMinutes(2),
            () -> cluster(ns) == null && nodes(ns).isEmpty());
        timings.put(variant + ": delete to gone", ms(t0));
        assertThat(operator.local(uid).list(uid)).as("machines after delete").isEmpty();
        uids.remove(uid);
      } finally {
        // With leader election on: stopping a leader must not end the JVM.
        operator.close();
      }
      assertThat(operator.leadershipLost()).as("leadership lost while running").isZero();
      operator = null;
    }
    assertThat(admin.v1().events().inNamespace(ns).list().getItems())
        .as("events the operator recorded")
        .isNotEmpty();
    assertThat(log.forbidden())
        .as(
            "requests of %s the API server refused:\n%s",
            user, RequestLog.describe(log.forbidden()))
        .isEmpty();
    Set<String> used = log.rules();
    Set<String> unused = new TreeSet<>(granted);
    unused.removeAll(used);
    System.out.println("chart RBAC IT (" + variant + "): " + user + " used " + used);
    System.out.println("chart RBAC IT (" + variant + "): granted, not used " + unused);
    Set<String> beyond =
        used.stream()
            .filter(r -> !granted.contains(r))
            // Allowed to every authenticated user (system:basic-user, system:discovery).
            .filter(r -> !r.equals("create selfsubjectrulesreviews.authorization.k8s.io"))
            .filter(r -> !r.equals("create selfsubjectaccessreviews.authorization.k8s.io"))
            .filter(r -> !r.startsWith("get /"))
            .collect(Collectors.toCollection(TreeSet::new));
    assertThat(beyond).as("rules used that the chart does not name").isEmpty();
    assertThat(used)
        .contains(
            "list mesosclusters.mesosoperator.io",
            "watch mesosclusters.mesosoperator.io",
            "create mesosnodes.mesosoperator.io",
            "delete mesosnodes.mesosoperator.io",
            "patch mesosclusters/status.mesosoperator.io",
            "patch mesosnodes/status.mesosoperator.io",
            "create secrets",
            "get secrets",
            "create events",
            "create leases.coordination.k8s.io");
    assertThat(unused).as("granted but unused").isEqualTo(GRANTED_FOR_OTHER_PATHS);
  }

  /** Renders the chart (its CRDs are installed already) and applies every object as an admin. */
  private List<HasMetadata> applyChart(String releaseNs, Map<String, Object> values)
      throws Exception {
    cp.ensureNamespace(releaseNs);
    TemplateCommand template =
        new Helm(CHART)
            .template()
            .withName(RELEASE)
            .withNamespace(releaseNs)
            .withKubeVersion(cp.kubernetesVersion());
    values.forEach(template::set);
    String rendered = template.call();
    List<HasMetadata> objects =
        admin.load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8))).items();
    assertThat(objects).extracting(HasMetadata::getKind).contains("ServiceAccount", "Deployment");
    for (HasMetadata o : objects) {
      boolean namespaced = !o.getKind().startsWith("Cluster");
      if (namespaced && o.getMetadata().getNamespace() == null) {
        o.getMetadata().setNamespace(releaseNs);
      }
      admin.resource(o).fieldManager("helm").forceConflicts().serverSideApply();
    }
    return objects;
  }

  /** Every rule of the chart's Roles and ClusterRoles, as {@code "verb resource[.group]"}. */
  private static Set<String> granted(List<HasMetadata> chart) {
    Set<String> granted = new TreeSet<>();
    for (HasMetadata o : chart) {
      List<PolicyRule> rules =
          o instanceof ClusterRole cr ? cr.getRules() : o instanceof Role r ? r.getRules() : null;
      if (rules == null) {
        continue;
      }
      for (PolicyRule rule : rules) {
        for (String group : rule.getApiGroups()) {
          for (String resource : rule.getResources()) {
            for (String verb : rule.getVerbs()) {
              granted.add(verb + " " + (group.isEmpty() ? resource : resource + "." + group));
            }
          }
        }
      }
    }
    return granted;
  }

  private static String serviceAccount(String releaseNs) {
    return "system:serviceaccount:" + releaseNs + ":" + RELEASE;
  }

  /** The chart's default Lease name (values.yaml). */
  private static String leaseName() {
    return "mesos-operator-leader";
  }

  private static void forbidden(Runnable request) {
    assertThatThrownBy(request::run)
        .isInstanceOf(KubernetesClientException.class)
        .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
  }

  private MesosCluster load(String yaml) {
    return admin
        .resources(MesosCluster.class)
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .item();
  }

  private MesosCluster cluster(String ns) {
    return admin.resources(MesosCluster.class).inNamespace(ns).withName(NAME).get();
  }

  private List<MesosNode> nodes(String ns) {
    return admin.resources(MesosNode.class).inNamespace(ns).list().getItems();
  }

  private static boolean isTrue(MesosCluster c, String type) {
    return c != null
        && c.getStatus() != null
        && c.getStatus().getConditions().stream()
            .anyMatch(x -> type.equals(x.getType()) && "True".equals(x.getStatus()));
  }

  /** Edits the cluster as a user would: on a 409 conflict, read again and retry. */
  private void edit(String ns, Consumer<MesosCluster> change) throws Exception {
    await(
        "edit of " + ns + "/" + NAME,
        Duration.ofSeconds(20),
        () -> {
          admin
              .resources(MesosCluster.class)
              .inNamespace(ns)
              .withName(NAME)
              .edit(
                  c -> {
                    change.accept(c);
                    return c;
                  });
          return true;
        });
  }

  /** Ready=True for the current generation with {@code nodes} MesosNodes; says why not if not. */
  private void awaitReady(String ns, int nodes) {
    long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      MesosCluster c = cluster(ns);
      List<Condition> conditions =
          c == null || c.getStatus() == null ? List.of() : c.getStatus().getConditions();
      String now =
          conditions.stream()
              .map(x -> x.getType() + "=" + x.getStatus() + "(" + x.getReason() + ")")
              .collect(Collectors.joining(" "));
      if (!now.equals(last)) {
        System.out.println("chart RBAC IT: " + ns + "/" + NAME + ": " + now);
        last = now;
      }
      if (c != null
          && c.getStatus() != null
          && c.getMetadata().getGeneration().equals(c.getStatus().getObservedGeneration())
          && isTrue(c, "Ready")
          && nodes(ns).size() == nodes) {
        return;
      }
      pause(Duration.ofMillis(500));
    }
    StringBuilder why =
        new StringBuilder(ns + "/" + NAME + " not Ready with " + nodes + " nodes within ")
            .append(READY_DEADLINE)
            .append(": ")
            .append(last);
    for (MesosNode n : nodes(ns)) {
      why.append("\n  node ").append(n.getMetadata().getName());
      if (n.getStatus() != null) {
        n.getStatus()
            .getConditions()
            .forEach(
                x ->
                    why.append("\n    ")
                        .append(x.getType())
                        .append('=')
                        .append(x.getStatus())
                        .append(' ')
                        .append(x.getReason())
                        .append(": ")
                        .append(x.getMessage()));
      }
    }
    fail(why.toString());
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
