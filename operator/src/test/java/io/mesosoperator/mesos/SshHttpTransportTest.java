package io.mesosoperator.mesos;

import static io.mesosoperator.mesos.MarathonAppsTest.app;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesosoperator.mesos.SshHttpTransport.Tool;
import io.mesosoperator.node.SshSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Requests that really run on a "node" (this machine, behind an in-process sshd on loopback) with
 * curl or bash /dev/tcp, against the fake Marathon and Mesos master on 127.0.0.1.
 */
class SshHttpTransportTest {
  @TempDir Path dir;
  LoopbackSshd sshd;
  SshSession session;
  FakeMarathon marathon;
  FakeMesosMaster master;

  @BeforeEach
  void start() throws Exception {
    sshd = new LoopbackSshd();
    session = sshd.open();
    marathon = new FakeMarathon();
    master = new FakeMesosMaster();
  }

  @AfterEach
  void stop() throws IOException {
    session.close();
    sshd.close();
    marathon.close();
    master.close();
  }

  SshHttpTransport transport(Tool tool) {
    return new SshHttpTransport(session, Duration.ofSeconds(10), tool);
  }

  /** A PATH with bash and the basics but no curl and no nc, as on a minimal node. */
  void minimalPath() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    for (String tool : List.of("bash", "cat", "timeout", "sh")) {
      Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin/" + tool).toRealPath());
    }
    sshd.path = bin.toString();
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void getPutDeleteRoundTrip(Tool tool) throws IOException {
    SshHttpTransport http = transport(tool);
    String body = "{\"id\":\"/hello\",\"cmd\":\"echo 'hi' \\\"$(touch /tmp/x)\\\" `id`; ü\"}";

    HttpTransport.Response put =
        http.put(marathon.url() + "/v2/apps/hello?partialUpdate=false", body);

    assertThat(put.status()).isEqualTo(201);
    assertThat(put.header("Content-Type")).isEqualTo("application/json");
    assertThat(put.body()).contains("deploymentId");
    // the body arrived byte for byte: nothing in it was run by a shell
    assertThat(marathon.bodies.get("PUT /v2/apps/hello?partialUpdate=false")).isEqualTo(body);
    assertThat(Json.write(marathon.apps.get("/hello"))).contains("ü");

    HttpTransport.Response get = http.get(marathon.url() + "/v2/apps/hello");
    assertThat(get.status()).isEqualTo(200);
    assertThat(Json.read(get.body()).path("app").path("id").asText()).isEqualTo("/hello");

    HttpTransport.Response missing = http.get(marathon.url() + "/v2/apps/nope");
    assertThat(missing.status()).isEqualTo(404);

    assertThat(http.delete(marathon.url() + "/v2/apps/hello").status()).isEqualTo(409);
    marathon.deployments.clear();
    assertThat(http.delete(marathon.url() + "/v2/apps/hello").status()).isEqualTo(200);
    assertThat(marathon.apps).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void redirectIsReportedNotFollowed(Tool tool) throws IOException {
    HttpTransport.Response r = transport(tool).get(master.url() + "/master/redirect");
    assertThat(r.status()).isEqualTo(307);
    assertThat(r.header("location")).isEqualTo("//10.0.0.1:5050");
    assertThat(master.requests).containsExactly("GET /master/redirect");
  }

  @Test
  void fallsBackToBashWithoutCurl() throws IOException {
    minimalPath();
    HttpTransport.Response r = transport(Tool.AUTO).get(marathon.url() + "/v2/leader");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"leader\":\"10.0.0.1:8080\"}");
    assertThat(marathon.requests).containsExactly("GET /v2/leader");
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void connectionRefusedIsAnIOException(Tool tool) {
    String url = marathon.url();
    marathon.close();
    assertThatThrownBy(() -> transport(tool).get(url + "/v2/leader"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("failed");
  }

  @Test
  void marathonAppsAndHealthThroughSsh() throws IOException {
    SshHttpTransport http = transport(Tool.AUTO);
    MarathonApps apps =
        new MarathonApps(
            new MarathonClient(
                http, marathon.url(), new MarathonClient.Settings(Duration.ofMillis(10))));
    MarathonApps.Options opts = new MarathonApps.Options(false, false, Duration.ofSeconds(20));

    MarathonApps.Outcome first = apps.reconcile(List.of(app("/hello", "echo hi")), Map.of(), opts);
    assertThat(first.apps().get(0).deployment()).isEqualTo(MarathonApps.DeploymentState.DEPLOYED);
    marathon.requests.clear();
    apps.reconcile(List.of(app("/hello", "echo hi")), first.digests(), opts);
    assertThat(marathon.writes()).isZero();

    assertThat(MesosHealth.probe(http, master.url()))
        .isEqualTo(new MesosHealth("10.0.0.1:5050", true, true, 3, null));
    assertThat(MarathonLeader.probe(http, marathon.url()).leader()).isEqualTo("10.0.0.1:8080");
  }

  @Test
  void zooKeeperProbeThroughSshWithNcAndWithout() throws Exception {
    try (FakeFourLetterServer zk = new FakeFourLetterServer()) {
      zk.answer = ZooKeeperProbeTest.SRVR_LEADER;
      ZooKeeperProbe probe = ZooKeeperProbe.overSsh(session, Duration.ofSeconds(5));
      ZkMode viaNc = probe.mode("127.0.0.1", zk.port());
      assertThat(viaNc.state()).as(viaNc.detail()).isEqualTo(ZkMode.State.LEADER);

      minimalPath();
      zk.answer = ZooKeeperProbeTest.NOT_SERVING;
      ZkMode viaBash = probe.mode("127.0.0.1", zk.port());
      assertThat(viaBash.state()).as(viaBash.detail()).isEqualTo(ZkMode.State.NOT_SERVING);
      assertThat(zk.words).containsExactly("srvr", "srvr");

      int port = zk.port();
      zk.close();
      assertThat(probe.mode("127.0.0.1", port).state()).isEqualTo(ZkMode.State.UNREACHABLE);
    }
  }

  @Test
  void parsesRawResponses() throws IOException {
    HttpTransport.Response r =
        SshHttpTransport.parse(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\n"
                + "X-A: 1\r\n\r\n{\"message\":\"locked\"}");
    assertThat(r.status()).isEqualTo(409);
    assertThat(r.header("x-a")).isEqualTo("1");
    assertThat(r.body()).isEqualTo("{\"message\":\"locked\"}");
    assertThat(SshHttpTransport.parse("HTTP/1.0 204 No Content\n\n").status()).isEqualTo(204);
    assertThatThrownBy(() -> SshHttpTransport.parse("")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> SshHttpTransport.parse("<html>")).isInstanceOf(IOException.class);
  }

  @Test
  void scriptRefusesWhatItCannotQuoteOrSend() {
    Duration t = Duration.ofSeconds(5);
    assertThatThrownBy(
            () -> SshHttpTransport.script("GET", "file:///etc/passwd", null, t, Tool.AUTO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> SshHttpTransport.script("TRACE", "http://h/", null, t, Tool.AUTO))
        .isInstanceOf(IllegalArgumentException.class);
    String s = SshHttpTransport.script("GET", "http://h:1/a'b", null, t, Tool.CURL);
    assertThat(s).contains("-- 'http://h:1/a'\\''b'");
  }
}
