package io.mesosoperator.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import io.mesosoperator.testing.Prerequisites;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three local-provider machines with Debian's ZooKeeper ensemble and the TEST STAND-INS for
 * mesos-master, Marathon (on all three) and mesos-slave (on the third), configured by hand through
 * {@code nsenter} and started with their init scripts. Needs root; skips outside CI when missing,
 * fails in CI (as {@code LocalMachineProviderIT}).
 *
 * <p>Traffic goes only to the test's own bridge range {@value #CIDR}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandInsIT {

  private static final String CIDR = "10.213.240.0/24";
  private static final String BRIDGE = "moit240";

  private final String uid = "it-standins-" + UUID.randomUUID();
  private final HttpClient http =
      HttpClient.newBuilder()
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final Map<String, Long> timings = new LinkedHashMap<>();
  private Path stateDir;
  private LocalMachineProvider provider;
  private final List<Machine> nodes = new ArrayList<>();

  @BeforeAll
  void prerequisites() throws Exception {
    Prerequisites.requireRealNodes("stand-ins IT");
    stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-standins-it-");
    provider = new LocalMachineProvider(BRIDGE, CIDR, stateDir, null, null);
  }

  @AfterAll
  void cleanUp() throws Exception {
    if (provider == null) {
      return;
    }
    long t0 = System.nanoTime();
    for (Machine m : provider.list(uid)) {
      provider.destroy(m.id());
    }
    provider.releaseNetwork(uid);
    timings.put("destroy 3 machines", ms(t0));
    StandIns.run(List.of("rm", "-rf", "--one-file-system", stateDir.toString()), null);
    System.out.println("stand-ins IT timings (ms): " + timings);
  }

  @Test
  @Order(1)
  void threeMachinesWithZooKeeperAndTheStandInsInstalled() throws Exception {
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      nodes.add(
          provider.create(
              new MachineRequest(
                  uid, "it", "si-m" + i, "masters", RoleType.MASTER, null, null, List.of())));
    }
    timings.put("create 3 machines", ms(t0));

    String ensemble =
        nodes.stream().map(m -> m.privateAddress() + ":2181").collect(Collectors.joining(","));
    StringBuilder zooCfg =
        new StringBuilder(
            "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/var/lib/zookeeper\n"
                + "clientPort=2181\n4lw.commands.whitelist=srvr,ruok\n"
                // Its AdminServer would take 8080, Marathon's port.
                + "admin.enableServer=false\n");
    for (int i = 0; i < 3; i++) {
      zooCfg
          .append("server.")
          .append(i + 1)
          .append('=')
          .append(nodes.get(i).privateAddress())
          .append(":2888:3888\n");
    }
    long t1 = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      Machine m = nodes.get(i);
      StandIns.NodeShell sh = StandIns.nsenter(provider, m.id());
      String a = m.privateAddress();
      Map<String, String> files = new LinkedHashMap<>();
      files.put("/etc/zookeeper/conf/zoo.cfg", zooCfg.toString());
      files.put("/etc/zookeeper/conf/myid", (i + 1) + "\n");
      files.put("/etc/mesos/zk", "zk://" + ensemble + "/mesos\n");
      files.put("/etc/mesos-master/quorum", "2\n");
      files.put("/etc/mesos-master/ip", a + "\n");
      files.put("/etc/mesos-master/hostname", a + "\n");
      files.put("/etc/marathon/conf/hostname", a + "\n");
      files.put("/etc/marathon/conf/master", "zk://" + ensemble + "/mesos\n");
      files.put("/etc/marathon/conf/zk", "zk://" + ensemble + "/marathon\n");
      if (i == 2) {
        files.put("/etc/mesos-slave/ip", a + "\n");
        files.put("/etc/mesos-slave/hostname", a + "\n");
        files.put("/etc/mesos-slave/attributes", "rack:r3\n");
      }
      for (Map.Entry<String, String> f : files.entrySet()) {
        sh.run(
            List.of("sh", "-c", "mkdir -p \"$(dirname \"$1\")\" && cat >\"$1\"", "sh", f.getKey()),
            f.getValue().getBytes(StandardCharsets.UTF_8));
      }
      String cp = StandIns.install(sh, StandIns.standInClasspath());
      // Wherever the repository was cloned and Maven keeps its jars: the node runs copies of
      // its own, and no path of the host (which the machine may not see) is on its classpath.
      assertThat(cp.split(":"))
          .hasSize(StandIns.standInClasspath().size())
          .allSatisfy(e -> assertThat(e).startsWith(StandIns.LIB + "/jars/"));
      assertThat(sh.run(List.of("cat", StandIns.LIB + "/classpath"), null).strip()).isEqualTo(cp);
      for (String e : cp.split(":")) {
        assertThat(sh.run(List.of("sh", "-c", "[ -s \"$1\" ] && echo ok", "sh", e), null))
            .contains("ok");
      }
      assertThat(sh.run(List.of("sh", "-c", "head -n 9 /etc/init.d/marathon"), null))
          .contains("TEST STAND-IN for marathon");
    }
    timings.put("configure + install (3 nodes)", ms(t1));
  }

  @Test
  @Order(2)
  void initScriptRefusesToStartWhenAFileIsMissing() throws Exception {
    StandIns.NodeShell sh = StandIns.nsenter(provider, nodes.get(0).id());
    assertThatThrownBy(() -> sh.run(List.of("/etc/init.d/mesos-slave", "start"), null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("refusing to start")
        .hasMessageContaining("/etc/mesos-slave/ip");
    assertThatThrownBy(() -> sh.run(List.of("/etc/init.d/mesos-slave", "status"), null))
        .hasMessageContaining("exit 3");
  }

  @Test
  @Order(3)
  void everythingStartsWithItsInitScriptAndElectsOneLeaderEach() throws Exception {
    long t0 = System.nanoTime();
    for (Machine m : nodes) {
      StandIns.nsenter(provider, m.id())
          .run(
              List.of(
                  "sh", "-c", "/etc/init.d/zookeeper start </dev/null >/dev/null 2>&1; echo ok"),
              null);
    }
    for (int i = 0; i < 3; i++) {
      StandIns.NodeShell sh = StandIns.nsenter(provider, nodes.get(i).id());
      assertThat(sh.run(List.of("/etc/init.d/mesos-master", "start"), null)).contains("started");
      assertThat(sh.run(List.of("/etc/init.d/marathon", "start"), null)).contains("started");
      if (i == 2) {
        assertThat(sh.run(List.of("/etc/init.d/mesos-slave", "start"), null)).contains("started");
      }
    }
    timings.put("start ZooKeeper + stand-ins (init scripts)", ms(t0));

    String leader = awaitMesosLeader();
    timings.put("first Mesos leader after start", ms(t0));
    for (Machine m : nodes) {
      JsonNode metrics = json(get("http://" + m.privateAddress() + ":5050/metrics/snapshot"));
      boolean isLeader = leader.equals(m.privateAddress() + ":5050");
      assertThat(metrics.path("master/elected").asDouble()).isEqualTo(isLeader ? 1.0 : 0.0);
      StandIns.NodeShell sh = StandIns.nsenter(provider, m.id());
      assertThat(sh.run(List.of("/etc/init.d/mesos-master", "status"), null)).contains("running");
      assertThat(sh.run(List.of("/etc/init.d/marathon", "status"), null)).contains("running");
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                json(get("http://" + leader + "/metrics/snapshot"))
                        .path("master/slaves_active")
                        .asDouble()
                    == 1.0);
    timings.put("agent active on the leader after start", ms(t0));

    String marathon = awaitMarathonLeader();
    timings.put("Marathon leader after start", ms(t0));
    String nonLeader =
        nodes.stream()
            .map(m -> m.privateAddress() + ":8080")
            .filter(a -> !a.equals(marathon))
            .findFirst()
            .orElseThrow();
    HttpResponse<String> put =
        send(
            HttpRequest.newBuilder(
                    URI.create("http://" + nonLeader + "/v2/apps/it-app?partialUpdate=false"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"cmd\":\"sleep 1\",\"instances\":1}")));
    assertThat(put.statusCode()).isEqualTo(201);
    assertThat(json(get("http://" + marathon + "/v2/apps/it-app")).path("app").path("id").asText())
        .isEqualTo("/it-app");
  }

  @Test
  @Order(4)
  void stoppingTheMesosLeaderElectsAnother() throws Exception {
    String leader = awaitMesosLeader();
    Machine m =
        nodes.stream()
            .filter(n -> leader.equals(n.privateAddress() + ":5050"))
            .findFirst()
            .orElseThrow();
    long t0 = System.nanoTime();
    StandIns.nsenter(provider, m.id()).run(List.of("/etc/init.d/mesos-master", "stop"), null);
    // Two masters left, quorum 2: still a leader.
    await().atMost(Duration.ofSeconds(30)).until(() -> !awaitMesosLeader().equals(leader));
    timings.put("Mesos failover after stop", ms(t0));
    assertThatThrownBy(
            () ->
                StandIns.nsenter(provider, m.id())
                    .run(List.of("/etc/init.d/mesos-master", "status"), null))
        .hasMessageContaining("exit 3");
  }

  // ---- helpers ----

  /** Polls every master until all that answer redirect to the same, elected one. */
  private String awaitMesosLeader() {
    Set<String> seen = new HashSet<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              seen.clear();
              int answered = 0;
              for (Machine m : nodes) {
                try {
                  HttpResponse<String> r =
                      get("http://" + m.privateAddress() + ":5050/master/redirect");
                  answered++;
                  if (r.statusCode() != 307) {
                    return false;
                  }
                  seen.add(r.headers().firstValue("Location").orElse("").replace("//", ""));
                } catch (IOException down) {
                  // a stopped master
                }
              }
              if (answered < 2 || seen.size() != 1) {
                return false;
              }
              String l = seen.iterator().next();
              return json(get("http://" + l + "/metrics/snapshot"))
                      .path("master/elected")
                      .asDouble()
                  == 1.0;
            });
    return seen.iterator().next();
  }

  private String awaitMarathonLeader() {
    Set<String> seen = new HashSet<>();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              seen.clear();
              for (Machine m : nodes) {
                HttpResponse<String> r = get("http://" + m.privateAddress() + ":8080/v2/leader");
                if (r.statusCode() != 200) {
                  return false;
                }
                seen.add(json(r).path("leader").asText());
              }
              return seen.size() == 1;
            });
    return seen.iterator().next();
  }

  private HttpResponse<String> get(String url) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(
        b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(HttpResponse<String> r) throws IOException {
    return Http.JSON.readTree(r.body());
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  private static String uidOfThisProcess() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("Uid:")) {
        return line.split("\\s+")[2];
      }
    }
    return "";
  }
}
