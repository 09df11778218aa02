package io.mesosoperator.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.zookeeper.server.ServerCnxnFactory;
import org.apache.zookeeper.server.ZooKeeperServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stand-ins in this JVM against a real (embedded) ZooKeeper on loopback, with their flag files
 * under temporary roots.
 */
class StandInsTest {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private static ServerCnxnFactory zkFactory;
  private static ZooKeeperServer zkServer;
  private static Path zkDir;
  private static String zkConnect;

  @TempDir Path tmp;
  private final List<AutoCloseable> started = new ArrayList<>();
  private final String chroot = "/t" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeAll
  static void startZooKeeper() throws Exception {
    zkDir = Files.createTempDirectory("standin-zk-");
    zkServer = new ZooKeeperServer(zkDir.toFile(), zkDir.toFile(), 500);
    zkFactory = ServerCnxnFactory.createFactory(new InetSocketAddress("127.0.0.1", 0), 100);
    zkFactory.startup(zkServer);
    zkConnect = "127.0.0.1:" + zkFactory.getLocalPort();
  }

  @AfterAll
  static void stopZooKeeper() throws Exception {
    if (zkFactory != null) {
      zkFactory.shutdown();
    }
    if (zkServer != null) {
      zkServer.shutdown();
    }
    try (var s = Files.walk(zkDir)) {
      s.sorted((a, b) -> b.compareTo(a)).forEach(p -> p.toFile().delete());
    }
  }

  @AfterEach
  void stopStandIns() throws Exception {
    for (AutoCloseable c : started) {
      c.close();
    }
  }

  // ---- refusing to start ----

  @Test
  void masterRefusesWhenARequiredFileIsMissingOrMalformed() throws Exception {
    for (String missing :
        List.of("/etc/mesos/zk", "/etc/mesos-master/quorum", "/etc/mesos-master/ip")) {
      Path root = masterRoot("m-" + missing.hashCode(), 1, freePort());
      Files.delete(file(root, missing));
      assertThatThrownBy(() -> MesosMasterStandIn.start(root))
          .isInstanceOf(StandInConfigException.class)
          .hasMessageContaining("required file " + missing + " is missing");
    }
    Path bad = masterRoot("bad", 1, freePort());
    write(bad, "/etc/mesos/zk", "10.0.0.1:2181/mesos");
    assertThatThrownBy(() -> MesosMasterStandIn.start(bad))
        .hasMessageContaining("/etc/mesos/zk must hold zk://");
    write(bad, "/etc/mesos/zk", "zk://" + zkConnect + "/mesos");
    write(bad, "/etc/mesos-master/quorum", "two");
    assertThatThrownBy(() -> MesosMasterStandIn.start(bad))
        .hasMessageContaining("/etc/mesos-master/quorum must hold a positive integer");
  }

  @Test
  void agentAndMarathonRefuseWhenARequiredFileIsMissing() throws Exception {
    for (String missing :
        List.of("/etc/mesos/zk", "/etc/mesos-slave/ip", "/etc/mesos-slave/hostname")) {
      Path root = agentRoot("a-" + missing.hashCode(), freePort());
      Files.delete(file(root, missing));
      assertThatThrownBy(() -> MesosAgentStandIn.start(root))
          .isInstanceOf(StandInConfigException.class)
          .hasMessageContaining(missing);
    }
    Path attrs = agentRoot("attrs", freePort());
    write(attrs, "/etc/mesos-slave/attributes", "rack");
    assertThatThrownBy(() -> MesosAgentStandIn.start(attrs)).hasMessageContaining("name:value");
    for (String missing :
        List.of(
            "/etc/marathon/conf/hostname", "/etc/marathon/conf/master", "/etc/marathon/conf/zk")) {
      Path root = marathonRoot("mt-" + missing.hashCode(), freePort());
      Files.delete(file(root, missing));
      assertThatThrownBy(() -> MarathonStandIn.start(root))
          .isInstanceOf(StandInConfigException.class)
          .hasMessageContaining(missing);
    }
  }

  @Test
  void mainExitsNonZeroWithAMessageOnStderr() throws Exception {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    for (String cls : List.of("MesosMasterStandIn", "MesosAgentStandIn", "MarathonStandIn")) {
      ProcessBuilder pb =
          new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xshare:auto",
              "-XX:TieredStopAtLevel=1",
              "-cp",
              System.getProperty("java.class.path"),
              "io.mesosoperator.standin." + cls);
      pb.environment().put(FlagFiles.ROOT_ENV, empty.toString());
      Process p = pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(cls).isEqualTo(2);
      assertThat(err).contains("test stand-in").contains("refusing to start").contains("missing");
    }
  }

  @Test
  void rootComesFromTheEnvironmentElseTheSystemProperty() {
    Assumptions.assumeTrue(System.getenv(FlagFiles.ROOT_ENV) == null, "root set by environment");
    String before = System.getProperty(FlagFiles.ROOT_PROPERTY);
    try {
      System.clearProperty(FlagFiles.ROOT_PROPERTY);
      assertThat(FlagFiles.defaultRoot()).isEqualTo(Path.of("/"));
      System.setProperty(FlagFiles.ROOT_PROPERTY, tmp.toString());
      assertThat(new FlagFiles(FlagFiles.defaultRoot()).file("/etc/mesos/zk"))
          .isEqualTo(tmp.resolve("etc/mesos/zk"));
    } finally {
      if (before == null) {
        System.clearProperty(FlagFiles.ROOT_PROPERTY);
      } else {
        System.setProperty(FlagFiles.ROOT_PROPERTY, before);
      }
    }
  }

  // ---- Mesos masters ----

  @Test
  void threeMastersWithQuorumTwoElectExactlyOneAndReElectWhenTheLeaderStops() throws Exception {
    List<MesosMasterStandIn> masters = new ArrayList<>();
    masters.add(start(MesosMasterStandIn.start(masterRoot("m1", 2, freePort()))));
    // Alone it is the lowest contender but below quorum: not elected, no leader to redirect to.
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(5))
        .until(() -> !masters.get(0).elected());
    assertThat(metrics(masters.get(0)).path("master/elected").asDouble()).isZero();
    assertThat(get("http://" + masters.get(0).address() + "/master/redirect").statusCode())
        .isEqualTo(503);

    masters.add(start(MesosMasterStandIn.start(masterRoot("m2", 2, freePort()))));
    masters.add(start(MesosMasterStandIn.start(masterRoot("m3", 2, freePort()))));
    MesosMasterStandIn leader = awaitOneElected(masters);
    assertThat(leader).isSameAs(masters.get(0)); // lowest sequence
    for (MesosMasterStandIn m : masters) {
      HttpResponse<String> r = get("http://" + m.address() + "/master/redirect");
      assertThat(r.statusCode()).isEqualTo(307);
      assertThat(r.headers().firstValue("Location")).hasValue("//" + leader.address());
      JsonNode metrics = metrics(m);
      assertThat(metrics.path("master/elected").asDouble()).isEqualTo(m == leader ? 1.0 : 0.0);
      assertThat(metrics.path("registrar/log/recovered").asDouble())
          .isEqualTo(m == leader ? 1.0 : 0.0);
      JsonNode state = json(get("http://" + m.address() + "/master/state"));
      assertThat(state.path("leader").asText()).isEqualTo("master@" + leader.address());
      assertThat(state.has("elected_time")).isEqualTo(m == leader);
      assertThat(get("http://" + m.address() + "/master/health").statusCode()).isEqualTo(200);
    }

    // The leader goes away (its process stops; its ephemeral znode goes with it): another is
    // elected and every remaining master redirects to it. (Expiring the leader's session from
    // outside proved timing-dependent in the full suite, so the test stops the leader instead.)
    leader.close();
    List<MesosMasterStandIn> rest = masters.stream().filter(m -> m != leader).toList();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> rest.stream().filter(MesosMasterStandIn::elected).count() == 1);
    MesosMasterStandIn next = awaitOneElected(rest);
    assertThat(next).isNotSameAs(leader);
    for (MesosMasterStandIn m : rest) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  get("http://" + m.address() + "/master/redirect")
                      .headers()
                      .firstValue("Location")
                      .orElse("")
                      .equals("//" + next.address()));
    }
  }

  @Test
  void agentRegistersWithTheLeaderAndAgainWithTheNextOne() throws Exception {
    MesosMasterStandIn m1 = start(MesosMasterStandIn.start(masterRoot("m1", 1, freePort())));
    await().atMost(Duration.ofSeconds(10)).until(m1::elected);
    MesosMasterStandIn m2 = start(MesosMasterStandIn.start(masterRoot("m2", 1, freePort())));
    Path ar = agentRoot("a1", freePort());
    write(ar, "/etc/mesos-slave/attributes", "rack:r1;disk:ssd");
    MesosAgentStandIn agent = start(MesosAgentStandIn.start(ar));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> metrics(m1).path("master/slaves_active").asDouble() == 1.0);
    JsonNode state = json(get("http://" + m1.address() + "/master/state"));
    assertThat(state.path("activated_slaves").asInt()).isEqualTo(1);
    assertThat(state.path("slaves").get(0).path("id").asText()).isEqualTo(agent.id());
    assertThat(state.path("slaves").get(0).path("hostname").asText()).isEqualTo("agent-a1");
    assertThat(state.path("slaves").get(0).path("attributes").path("rack").asText())
        .isEqualTo("r1");
    assertThat(metrics(m2).path("master/slaves_active").asDouble()).isZero();
    JsonNode agentState = json(get("http://" + addressOf(ar, "mesos-slave") + "/state"));
    assertThat(agentState.path("registered").asBoolean()).isTrue();
    assertThat(agentState.path("master").asText()).isEqualTo("master@" + m1.address());

    m1.close();
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> m2.elected() && metrics(m2).path("master/slaves_active").asDouble() == 1.0);
  }

  // ---- Marathon ----

  @Test
  void marathonElectsAProxiesCountsWritesAndLocksDuringDeployments() throws Exception {
    MarathonStandIn a =
        start(MarathonStandIn.start(marathonRoot("mt1", freePort()), Duration.ofSeconds(3)));
    await().atMost(Duration.ofSeconds(10)).until(a::isLeader);
    MarathonStandIn b =
        start(MarathonStandIn.start(marathonRoot("mt2", freePort()), Duration.ofSeconds(3)));
    await().atMost(Duration.ofSeconds(10)).until(() -> b.leader().isPresent());
    for (MarathonStandIn m : List.of(a, b)) {
      assertThat(json(get("http://" + m.address() + "/v2/leader")).path("leader").asText())
          .isEqualTo(a.address());
    }
    String app = "{\"id\":\"/web\",\"cmd\":\"sleep 1000\",\"instances\":2}";
    // Through the non-leader: proxied to the leader.
    HttpResponse<String> created =
        put("http://" + b.address() + "/v2/apps/web?partialUpdate=false", app);
    assertThat(created.statusCode()).isEqualTo(201);
    assertThat(created.headers().firstValue(MarathonStandIn.VIA)).isPresent();
    assertThat(json(created).path("deploymentId").asText()).isNotEmpty();
    assertThat(json(created).path("version").asText()).isNotEmpty();

    // Same body again while the first deployment runs: locked.
    HttpResponse<String> locked =
        put("http://" + a.address() + "/v2/apps/web?partialUpdate=false", app);
    assertThat(locked.statusCode()).isEqualTo(409);
    assertThat(json(locked).path("deployments").get(0).path("id").asText())
        .isEqualTo(json(created).path("deploymentId").asText());
    assertThat(json(get("http://" + a.address() + "/v2/deployments"))).hasSize(1);
    HttpResponse<String> forced =
        put("http://" + a.address() + "/v2/apps/web?partialUpdate=false&force=true", app);
    assertThat(forced.statusCode()).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> json(get("http://" + a.address() + "/v2/deployments")).isEmpty());
    // After the deployment: a plain update, the same body still counts as a write.
    assertThat(put("http://" + a.address() + "/v2/apps/web?partialUpdate=false", app).statusCode())
        .isEqualTo(200);
    assertThat(post("http://" + a.address() + "/v2/apps", app).statusCode()).isEqualTo(409);
    assertThat(a.writes()).containsEntry("/web", 5);
    assertThat(
            json(get("http://" + b.address() + "/standin/stats"))
                .path("writes")
                .path("/web")
                .asInt())
        .isEqualTo(5);

    JsonNode apps = json(get("http://" + b.address() + "/v2/apps")).path("apps");
    assertThat(apps).hasSize(1);
    assertThat(apps.get(0).path("instances").asInt()).isEqualTo(2);

    // Partial update (the default) keeps fields the body does not name.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> json(get("http://" + a.address() + "/v2/deployments")).isEmpty());
    assertThat(put("http://" + a.address() + "/v2/apps/web", "{\"instances\":3}").statusCode())
        .isEqualTo(200);
    JsonNode web = json(get("http://" + a.address() + "/v2/apps/web")).path("app");
    assertThat(web.path("instances").asInt()).isEqualTo(3);
    assertThat(web.path("cmd").asText()).isEqualTo("sleep 1000");

    // A new leader reads the same apps from ZooKeeper.
    a.close();
    await().atMost(Duration.ofSeconds(15)).until(b::isLeader);
    JsonNode after = json(get("http://" + b.address() + "/v2/apps/web")).path("app");
    assertThat(after.path("instances").asInt()).isEqualTo(3);
    assertThat(json(get("http://" + b.address() + "/v2/leader")).path("leader").asText())
        .isEqualTo(b.address());
    assertThat(delete("http://" + b.address() + "/v2/apps/web").statusCode()).isEqualTo(200);
    assertThat(get("http://" + b.address() + "/v2/apps/web").statusCode()).isEqualTo(404);
  }

  // ---- init scripts ----

  @Test
  void initScriptRefusesWithoutFilesThenStartsReportsAndStopsTheStandIn() throws Exception {
    Path root = masterRoot("node", 1, freePort());
    StandIns.install(root, StandIns.standInClasspath());
    Path script = file(root, "/etc/init.d/mesos-master");
    assertThat(Files.readString(script)).contains("TEST STAND-IN");
    Files.delete(file(root, "/etc/mesos-master/quorum"));

    Result refused = initd(root, "mesos-master", "start");
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.output()).contains("refusing to start").contains("quorum");
    assertThat(initd(root, "mesos-master", "status").exit()).isEqualTo(3);

    write(root, "/etc/mesos-master/quorum", "1");
    try {
      Result started = initd(root, "mesos-master", "start");
      assertThat(started.exit()).as(started.output()).isZero();
      assertThat(initd(root, "mesos-master", "status").exit()).isZero();
      String address = addressOf(root, "mesos-master");
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> get("http://" + address + "/master/redirect").statusCode() == 307);
      assertThat(initd(root, "mesos-master", "start").output()).contains("already running");
    } finally {
      assertThat(initd(root, "mesos-master", "stop").exit()).isZero();
    }
    assertThat(initd(root, "mesos-master", "status").exit()).isEqualTo(3);
    assertThat(file(root, "/run/mesos-master.pid")).doesNotExist();
    assertThat(Files.readString(file(root, "/var/log/mesos-master.log")))
        .contains("refusing to start")
        .contains("mesos-master (test stand-in) started");
  }

  record Result(int exit, String output) {}

  private static Result initd(Path root, String service, String action) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("sh", file(root, "/etc/init.d/" + service).toString(), action)
            .redirectErrorStream(true);
    pb.environment().put(FlagFiles.ROOT_ENV, root.toString());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }

  // ---- helpers ----

  private <T extends AutoCloseable> T start(T t) {
    started.add(t);
    return t;
  }

  private MesosMasterStandIn awaitOneElected(List<MesosMasterStandIn> masters) {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> masters.stream().filter(MesosMasterStandIn::elected).count() == 1);
    return masters.stream().filter(MesosMasterStandIn::elected).findFirst().orElseThrow();
  }

  /** Ends a session from outside, as a network partition or a long pause would. */
  private Path masterRoot(String name, int quorum, int port) throws IOException {
    Path root = tmp.resolve(name);
    write(root, "/etc/mesos/zk", "zk://" + zkConnect + chroot + "/mesos");
    write(root, "/etc/mesos-master/quorum", Integer.toString(quorum));
    write(root, "/etc/mesos-master/ip", "127.0.0.1");
    write(root, "/etc/mesos-master/port", Integer.toString(port));
    return root;
  }

  private Path agentRoot(String name, int port) throws IOException {
    Path root = tmp.resolve(name);
    write(root, "/etc/mesos/zk", "zk://" + zkConnect + chroot + "/mesos");
    write(root, "/etc/mesos-slave/ip", "127.0.0.1");
    write(root, "/etc/mesos-slave/hostname", "agent-" + name);
    write(root, "/etc/mesos-slave/port", Integer.toString(port));
    return root;
  }

  private Path marathonRoot(String name, int port) throws IOException {
    Path root = tmp.resolve(name);
    write(root, "/etc/marathon/conf/hostname", "127.0.0.1");
    write(root, "/etc/marathon/conf/master", "zk://" + zkConnect + chroot + "/mesos");
    write(root, "/etc/marathon/conf/zk", "zk://" + zkConnect + chroot + "/marathon");
    write(root, "/etc/marathon/conf/http_port", Integer.toString(port));
    write(root, "/etc/marathon/conf/http_address", "127.0.0.1");
    return root;
  }

  private static String addressOf(Path root, String daemon) throws IOException {
    return "127.0.0.1:" + Files.readString(file(root, "/etc/" + daemon + "/port")).strip();
  }

  private static Path file(Path root, String absolute) {
    return root.resolve(absolute.substring(1));
  }

  private static void write(Path root, String absolute, String value) throws IOException {
    Path f = file(root, absolute);
    Files.createDirectories(f.getParent());
    Files.writeString(f, value + "\n");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static JsonNode metrics(MesosMasterStandIn m) throws Exception {
    return json(get("http://" + m.address() + "/metrics/snapshot"));
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return Http.JSON.readTree(r.body());
  }

  private static HttpResponse<String> get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private static HttpResponse<String> delete(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).DELETE());
  }

  private static HttpResponse<String> put(String url, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return send(
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return HTTP.send(
        b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
