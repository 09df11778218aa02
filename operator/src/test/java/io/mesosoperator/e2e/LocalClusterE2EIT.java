package io.mesosoperator.e2e;

import static io.mesosoperator.e2e.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.AppStatus;
import io.mesosoperator.api.EnsembleMember;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.cloud.CountingMachineProvider;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.testing.ControlPlane;
import io.mesosoperator.testing.Prerequisites;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 5's end-to-end test: the operator in-process with its production wiring, against the real
 * control plane ({@link ControlPlane}: etcd, kube-apiserver, kube-controller-manager), builds the
 * tutorial's 3 masters + 3 agents as a {@code local} cluster (network namespaces with their own
 * sshd and /etc, a real ZooKeeper ensemble, and the TEST STAND-INS for Mesos and Marathon,
 * installed into each machine as it appears), and everything is checked on the nodes themselves.
 * Then: a second reconcile changes nothing, an app change reaches Marathon exactly once, a killed
 * ZooKeeper comes back, and deleting the cluster leaves nothing on the host. A 3 + 9 variant
 * (plumbery) follows unless {@code -De2e.plumbery=false}.
 *
 * <p>Needs root and {@code .ci/install-packages.sh}; skips outside CI when missing, fails in CI.
 * Traffic goes only to loopback and to the test's own bridge ranges {@value #CIDR} and {@value
 * #PLUMBERY_CIDR}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class LocalClusterE2EIT {
  private static final String NS = "e2e-local";
  private static final String OPERATOR_USER = "mesos-operator";
  private static final String CIDR = "10.213.220.0/24";
  private static final String PLUMBERY_CIDR = "10.213.221.0/24";
  private static final Duration RESYNC = Duration.ofSeconds(5);
  private static final Duration READY_DEADLINE = Duration.ofMinutes(5);
  private static final String ZK_MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern MODE = Pattern.compile("(?m)^Mode: (\\S+)");

  private final HttpClient http =
      HttpClient.newBuilder()
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final Map<String, Long> timings = new LinkedHashMap<>();
  private final Map<String, String> uids = new LinkedHashMap<>();
  private ControlPlane cp;
  private KubernetesClient client;
  private KubernetesClient operatorClient;
  private Path stateDir;
  private LocalCluster operator;
  private String uid;

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRealNodes("e2e IT");
    cp = ControlPlane.shared();
    client = cp.client();
    cp.installCrds(ROOT, NS);
    // The operator acts as its own user, so the audit log tells its writes from the test's.
    operatorClient = cp.clientAs(OPERATOR_USER, "system:masters");
    stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-e2e-");
    operator = new LocalCluster(operatorClient, stateDir, RESYNC, Set.of(NS));
  }

  @AfterAll
  void tearDown() throws Exception {
    List<String> leftovers = new ArrayList<>();
    if (operator != null) {
      operator.close();
      for (Map.Entry<String, String> e : uids.entrySet()) {
        leftovers.addAll(LocalCluster.destroyLeftovers(stateDir, e.getValue(), e.getKey()));
      }
    }
    if (operatorClient != null) {
      operatorClient.close();
    }
    if (stateDir != null) {
      LocalCluster.host(List.of("rm", "-rf", "--one-file-system", stateDir.toString()));
    }
    System.out.println("e2e IT timings (ms): " + timings);
    if (!leftovers.isEmpty()) {
      System.out.println("e2e IT: teardown destroyed leftover machines " + leftovers);
    }
  }

  // ---- 1. apply, Ready ----

  @Test
  @Order(1)
  void theTutorialClusterBecomesReady() throws Exception {
    long t0 = System.nanoTime();
    MesosCluster created =
        client.resource(load(clusterYaml("tutorial", CIDR, 3, 3, true))).create();
    uid = created.getMetadata().getUid();
    uids.put(uid, CIDR);
    awaitReady("tutorial");
    timings.put("apply to Ready (3+3)", ms(t0));
    // Every machine got the stand-ins from the test, none was left out.
    Set<String> ids = machines().stream().map(Machine::id).collect(Collectors.toSet());
    assertThat(ids).hasSize(6);
    assertThat(operator.standInsInstalled()).containsAll(ids);
  }

  // ---- 2. the nodes themselves ----

  @Test
  @Order(2)
  void everyManagedFileIsAsRendered() throws Exception {
    MesosCluster cluster = cluster("tutorial");
    List<MesosNode> nodes = nodes("tutorial");
    List<NodeInfo> infos = nodes.stream().map(LocalClusterE2EIT::info).toList();
    int checked = 0;
    for (MesosNode n : nodes) {
      NodeInfo self = info(n);
      NodeConfig expected =
          ClusterRenderer.render(cluster.getSpec(), infos, self, LocalCluster.BOOKWORM);
      String machine = n.getStatus().getMachineId();
      for (ManagedFile f : expected.files()) {
        String onNode = operator.cat(uid, machine, f.path());
        String block = ManagedFile.BLOCK_BEGIN + "\n" + blockBody(f) + ManagedFile.BLOCK_FINISH;
        switch (f.kind()) {
          case WHOLE ->
              assertThat(onNode).as(n.getMetadata().getName() + f.path()).isEqualTo(f.content());
          case BLOCK_START -> assertThat(onNode).as(f.path()).startsWith(block + "\n");
          case BLOCK_END -> assertThat(onNode).as(f.path()).endsWith(block + "\n");
        }
        checked++;
      }
      if (n.getSpec().getRoleType() == RoleType.MASTER) {
        assertThat(operator.cat(uid, machine, ClusterRenderer.MASTER_QUORUM)).isEqualTo("2\n");
        assertThat(operator.cat(uid, machine, ClusterRenderer.ZK_MYID))
            .isEqualTo(n.getSpec().getZkId() + "\n");
      }
    }
    // 3 masters x 11 files + 3 agents x 5 files at least.
    assertThat(checked).isGreaterThanOrEqualTo(3 * 10 + 3 * 4);
  }

  @Test
  @Order(3)
  void zooKeeperHasOneLeaderAndTwoFollowers() {
    List<String> modes = new ArrayList<>();
    for (String a : masterAddresses("tutorial")) {
      modes.add(mode(srvr(a)));
    }
    assertThat(modes).containsExactlyInAnyOrder("leader", "follower", "follower");
  }

  @Test
  @Order(4)
  void mesosHasAnElectedLeaderWithThreeAgents() throws Exception {
    Set<String> redirects = new LinkedHashSet<>();
    for (String a : masterAddresses("tutorial")) {
      HttpResponse<String> r = get("http://" + a + ":5050/master/redirect");
      assertThat(r.statusCode()).isEqualTo(307);
      redirects.add(r.headers().firstValue("Location").orElse("").replace("//", ""));
    }
    assertThat(redirects).hasSize(1);
    String leader = redirects.iterator().next();
    for (String a : masterAddresses("tutorial")) {
      JsonNode m = json(get("http://" + a + ":5050/metrics/snapshot"));
      assertThat(m.path("master/elected").asDouble())
          .as(a)
          .isEqualTo(leader.equals(a + ":5050") ? 1.0 : 0.0);
    }
    JsonNode metrics = json(get("http://" + leader + "/metrics/snapshot"));
    assertThat(metrics.path("master/slaves_active").asDouble()).isEqualTo(3.0);
    assertThat(cluster("tutorial").getStatus().getMesosLeader()).isEqualTo(leader);
  }

  @Test
  @Order(5)
  void helloIsInMarathonOnceAndTheStatusSaysSo() throws Exception {
    String marathon = marathonLeader("tutorial");
    JsonNode app = json(get("http://" + marathon + "/v2/apps/hello")).path("app");
    assertThat(app.path("id").asText()).isEqualTo("/hello");
    assertThat(app.path("cmd").asText()).isEqualTo("echo hello; sleep 10");
    assertThat(marathonWrites("tutorial")).isEqualTo(1);

    MesosCluster c = cluster("tutorial");
    assertThat(c.getStatus().getMarathonLeader()).isEqualTo(marathon);
    assertThat(c.getStatus().getMesosLeader()).isNotBlank();
    assertThat(c.getStatus().getEnsemble())
        .extracting(EnsembleMember::getId)
        .containsExactly(1, 2, 3);
    assertThat(c.getStatus().getEnsemble()).allMatch(m -> m.getAddress() != null);
    AppStatus hello = app(c, "hello");
    assertThat(hello.getDeployment()).isEqualTo("Deployed");
  }

  // ---- 3. a converged cluster: nothing changes ----

  @Test
  @Order(6)
  void aSecondReconcileChangesNothing() throws Exception {
    // Each node's last pass made no change (the pass after convergence reports 0).
    await(
        "every MesosNode reports changesLastPass 0",
        Duration.ofSeconds(60),
        () ->
            nodes("tutorial").stream()
                .allMatch(
                    n ->
                        n.getStatus() != null
                            && Integer.valueOf(0).equals(n.getStatus().getChangesLastPass())));
    // Let status writes of that pass settle before the window opens.
    pause(RESYNC.plusSeconds(1));
    CountingMachineProvider cloud = operator.provider(uid);
    cp.takeWrites(OPERATOR_USER);
    cloud.reset();
    long t0 = System.nanoTime();
    pause(RESYNC.multipliedBy(2).plusSeconds(3));
    List<String> writes = cp.takeWrites(OPERATOR_USER);
    timings.put("quiet window", ms(t0));
    assertThat(writes).as("the operator's writes the apiserver saw in 2+ resyncs").isEmpty();
    assertThat(cloud.mutations()).as("cloud mutations").isZero();
    assertThat(cloud.lists())
        .as("resyncs did run and looked at the cloud")
        .isGreaterThanOrEqualTo(6);
    assertThat(nodes("tutorial"))
        .allMatch(n -> Integer.valueOf(0).equals(n.getStatus().getChangesLastPass()));
    assertThat(marathonWrites("tutorial")).isEqualTo(1);
  }

  // ---- 4. app change ----

  @Test
  @Order(7)
  void changingTheAppWritesToMarathonOnceAndReapplyingDoesNot() throws Exception {
    MesosCluster c = cluster("tutorial");
    String oldDigest = app(c, "hello").getDigest();
    client
        .resources(MesosCluster.class)
        .inNamespace(NS)
        .withName("tutorial")
        .edit(
            x -> {
              x.getSpec().getMarathon().getApps().get(0).put("cmd", "echo hello again; sleep 10");
              return x;
            });
    long t0 = System.nanoTime();
    await(
        "the new hello is deployed",
        Duration.ofSeconds(90),
        () -> {
          AppStatus a = app(cluster("tutorial"), "hello");
          return a != null
              && !a.getDigest().equals(oldDigest)
              && "Deployed".equals(a.getDeployment());
        });
    timings.put("app change to Deployed", ms(t0));
    String marathon = marathonLeader("tutorial");
    assertThat(json(get("http://" + marathon + "/v2/apps/hello")).path("app").path("cmd").asText())
        .isEqualTo("echo hello again; sleep 10");
    assertThat(marathonWrites("tutorial")).isEqualTo(2);

    // The same spec again (a client-side re-apply): no write to Marathon.
    MesosCluster same = cluster("tutorial");
    client
        .resources(MesosCluster.class)
        .inNamespace(NS)
        .withName("tutorial")
        .edit(
            x -> {
              x.setSpec(same.getSpec());
              return x;
            });
    pause(RESYNC.multipliedBy(2).plusSeconds(2));
    assertThat(marathonWrites("tutorial")).isEqualTo(2);
    assertThat(app(cluster("tutorial"), "hello").getDeployment()).isEqualTo("Deployed");
  }

  // ---- 5. crash ----

  @Test
  @Order(8)
  void aKilledZooKeeperComesBack() throws Exception {
    MesosNode victim =
        nodes("tutorial").stream()
            .filter(n -> Integer.valueOf(2).equals(n.getSpec().getZkId()))
            .findFirst()
            .orElseThrow();
    String machine = victim.getStatus().getMachineId();
    String address = victim.getStatus().getPrivateAddress();
    List<Long> before = zooKeeperPids(machine);
    assertThat(before).hasSize(1);
    long t0 = System.nanoTime();
    LocalCluster.host(List.of("kill", "-9", Long.toString(before.get(0))));
    await(
        "ZooKeeper process gone", Duration.ofSeconds(10), () -> !LocalCluster.alive(before.get(0)));
    await(
        "ZooKeeper on " + victim.getMetadata().getName() + " back in the ensemble",
        Duration.ofSeconds(90),
        () -> {
          String m = mode(srvr(address));
          return ("leader".equals(m) || "follower".equals(m))
              && zooKeeperPids(machine).stream().noneMatch(before::contains);
        });
    timings.put("ZooKeeper kill -9 to back in the ensemble", ms(t0));
    List<String> modes = new ArrayList<>();
    for (String a : masterAddresses("tutorial")) {
      modes.add(mode(srvr(a)));
    }
    assertThat(modes).containsExactlyInAnyOrder("leader", "follower", "follower");
  }

  // ---- 6. delete ----

  @Test
  @Order(9)
  void deletingTheClusterLeavesNothingOnTheHost() throws Exception {
    LocalMachineProvider local = operator.local(uid);
    String bridge = local.bridge();
    List<Machine> machines = machines();
    assertThat(machines).hasSize(6);
    List<Long> pids = new ArrayList<>();
    for (Machine m : machines) {
      pids.addAll(LocalCluster.netnsPids(m.id()));
    }
    assertThat(pids).isNotEmpty();
    long t0 = System.nanoTime();
    client.resources(MesosCluster.class).inNamespace(NS).withName("tutorial").delete();
    await(
        "cluster and nodes gone",
        Duration.ofMinutes(2),
        () -> cluster("tutorial") == null && nodes("tutorial").isEmpty());
    timings.put("delete to gone", ms(t0));
    assertThat(local.list(uid)).isEmpty();
    String netns = LocalCluster.host(List.of("ip", "netns", "list"));
    String links = LocalCluster.host(List.of("ip", "-o", "link", "show"));
    String mounts = Files.readString(Path.of("/proc/self/mounts"));
    for (Machine m : machines) {
      assertThat(netns).doesNotContain(m.id());
      assertThat(links).as("veth of " + m.id()).doesNotContain(m.id().substring(3));
      assertThat(Files.exists(stateDir.resolve(m.id()))).isFalse();
    }
    assertThat(links).as("bridge").doesNotContain(bridge);
    assertThat(mounts).doesNotContain(stateDir.toString());
    assertThat(pids).noneMatch(LocalCluster::alive);
    try (var dirs = Files.list(stateDir)) {
      assertThat(dirs.filter(Files::isDirectory).toList()).isEmpty();
    }
    uids.remove(uid);
  }

  // ---- 7. the plumbery variant ----

  @Test
  @Order(10)
  void plumberyThreeMastersNineAgents() throws Exception {
    // About 55 s more; -De2e.plumbery=false leaves it out.
    Assumptions.assumeTrue(
        !"false".equals(System.getProperty("e2e.plumbery")),
        "3+9 variant off (-De2e.plumbery=false)");
    long t0 = System.nanoTime();
    MesosCluster created =
        client.resource(load(clusterYaml("plumbery", PLUMBERY_CIDR, 3, 9, false))).create();
    String puid = created.getMetadata().getUid();
    uids.put(puid, PLUMBERY_CIDR);
    awaitReady("plumbery");
    timings.put("apply to Ready (3+9)", ms(t0));
    List<String> modes = new ArrayList<>();
    for (String a : masterAddresses("plumbery")) {
      modes.add(mode(srvr(a)));
    }
    assertThat(modes).containsExactlyInAnyOrder("leader", "follower", "follower");
    String leader = cluster("plumbery").getStatus().getMesosLeader();
    assertThat(
            json(get("http://" + leader + "/metrics/snapshot"))
                .path("master/slaves_active")
                .asDouble())
        .isEqualTo(9.0);
    String marathon = marathonLeader("plumbery");
    assertThat(
            json(get("http://" + marathon + "/v2/apps/sample/hello"))
                .path("app")
                .path("instances")
                .asInt())
        .isEqualTo(9);
    long t1 = System.nanoTime();
    client.resources(MesosCluster.class).inNamespace(NS).withName("plumbery").delete();
    await(
        "plumbery gone",
        Duration.ofMinutes(2),
        () -> cluster("plumbery") == null && nodes("plumbery").isEmpty());
    timings.put("delete 3+9", ms(t1));
    assertThat(LocalCluster.host(List.of("ip", "netns", "list")))
        .doesNotContain(puid.substring(0, 8));
    uids.remove(puid);
  }

  // ---- helpers ----

  static String clusterYaml(
      String name, String cidr, int masters, int agents, boolean tutorialApp) {
    return clusterYaml(NS, name, cidr, masters, agents, tutorialApp);
  }

  /** A local cluster of {@code masters} + {@code agents} in namespace {@code ns}. */
  static String clusterYaml(
      String ns, String name, String cidr, int masters, int agents, boolean tutorialApp) {
    String apps =
        tutorialApp
            ? "      - id: hello\n"
                + "        cmd: \"echo hello; sleep 10\"\n"
                + "        mem: 16\n"
                + "        cpus: 0.1\n"
                + "        instances: 1\n"
                + "        disk: 0.0\n"
                + "        ports: [0]\n"
            : "      - id: /sample/hello\n"
                + "        cmd: \"while true; do echo hello from $HOSTNAME; sleep 60; done\"\n"
                + "        cpus: 0.1\n"
                + "        mem: 32\n"
                + "        instances: "
                + agents
                + "\n";
    return "apiVersion: mesosoperator.io/v1alpha1\n"
        + "kind: MesosCluster\n"
        + "metadata:\n"
        + "  name: "
        + name
        + "\n"
        + "  namespace: "
        + ns
        + "\n"
        + "spec:\n"
        + "  cloud:\n"
        + "    provider: local\n"
        + "    network:\n"
        + "      cidr: "
        + cidr
        + "\n"
        + "  ssh:\n"
        + "    user: mesosadmin\n"
        + "    harden: true\n"
        + "  packages:\n"
        + "    repository: \"\"\n"
        + "    master: [zookeeper, zookeeperd]\n"
        + "    agent: []\n"
        + "  os:\n"
        + "    upgrade: false\n"
        + "    clockSync: false\n"
        + "  roles:\n"
        + "    - name: master\n"
        + "      type: master\n"
        + "      replicas: "
        + masters
        + "\n"
        + "    - name: agent\n"
        + "      type: agent\n"
        + "      replicas: "
        + agents
        + "\n"
        + "  marathon:\n"
        + "    apps:\n"
        + apps;
  }

  private MesosCluster load(String yaml) {
    return client
        .resources(MesosCluster.class)
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .item();
  }

  private void awaitReady(String name) {
    long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      MesosCluster c = cluster(name);
      List<Condition> conditions =
          c == null || c.getStatus() == null ? List.of() : c.getStatus().getConditions();
      String now =
          conditions.stream()
              .map(x -> x.getType() + "=" + x.getStatus() + "(" + x.getReason() + ")")
              .collect(Collectors.joining(" "));
      if (!now.equals(last)) {
        System.out.println("e2e IT: " + name + ": " + now);
        last = now;
      }
      if (conditions.stream()
          .anyMatch(x -> "Ready".equals(x.getType()) && "True".equals(x.getStatus()))) {
        return;
      }
      pause(Duration.ofMillis(500));
    }
    StringBuilder why =
        new StringBuilder("MesosCluster " + name + " not Ready within " + READY_DEADLINE);
    MesosCluster c = cluster(name);
    if (c != null && c.getStatus() != null) {
      c.getStatus()
          .getConditions()
          .forEach(
              x ->
                  why.append("\n  ")
                      .append(x.getType())
                      .append('=')
                      .append(x.getStatus())
                      .append(' ')
                      .append(x.getReason())
                      .append(": ")
                      .append(x.getMessage()));
    }
    for (MesosNode n : nodes(name)) {
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

  private MesosCluster cluster(String name) {
    return client.resources(MesosCluster.class).inNamespace(NS).withName(name).get();
  }

  private List<MesosNode> nodes(String cluster) {
    return client.resources(MesosNode.class).inNamespace(NS).list().getItems().stream()
        .filter(n -> cluster.equals(n.getSpec().getCluster()))
        .sorted(Comparator.comparing(n -> n.getMetadata().getName()))
        .toList();
  }

  private List<Machine> machines() throws Exception {
    return operator.local(uid).list(uid);
  }

  private List<String> masterAddresses(String cluster) {
    return nodes(cluster).stream()
        .filter(n -> n.getSpec().getRoleType() == RoleType.MASTER)
        .map(n -> n.getStatus().getPrivateAddress())
        .toList();
  }

  private static NodeInfo info(MesosNode n) {
    return new NodeInfo(
        n.getMetadata().getName(),
        n.getSpec().getRole(),
        n.getStatus().getPrivateAddress(),
        n.getStatus().getPublicAddress(),
        n.getStatus().getIpv6Address(),
        n.getSpec().getZkId());
  }

  private static String blockBody(ManagedFile f) {
    return f.content().endsWith("\n") ? f.content() : f.content() + "\n";
  }

  private static AppStatus app(MesosCluster c, String id) {
    return c.getStatus().getApps().stream()
        .filter(a -> a.getId().equals(id) || a.getId().equals("/" + id))
        .findFirst()
        .orElse(null);
  }

  private String marathonLeader(String cluster) throws Exception {
    String first = masterAddresses(cluster).get(0);
    return json(get("http://" + first + ":8080/v2/leader")).path("leader").asText();
  }

  /** Writes to /hello that reached the Marathon leader (the stand-in counts them). */
  private int marathonWrites(String cluster) throws Exception {
    JsonNode stats = json(get("http://" + marathonLeader(cluster) + "/standin/stats"));
    JsonNode w = stats.path("writes");
    return w.path("/hello").asInt(w.path("hello").asInt(0));
  }

  private List<Long> zooKeeperPids(String machine) throws IOException {
    List<Long> out = new ArrayList<>();
    for (long pid : LocalCluster.netnsPids(machine)) {
      if (LocalCluster.cmdline(pid).contains(ZK_MAIN) && LocalCluster.alive(pid)) {
        out.add(pid);
      }
    }
    return out;
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  static String srvr(String address) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, 2181), 1000);
      s.setSoTimeout(2000);
      OutputStream o = s.getOutputStream();
      o.write("srvr".getBytes(StandardCharsets.US_ASCII));
      o.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  static String mode(String srvr) {
    Matcher m = MODE.matcher(srvr);
    return m.find() ? m.group(1) : null;
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
