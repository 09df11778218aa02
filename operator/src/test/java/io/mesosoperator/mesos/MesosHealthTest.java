package io.mesosoperator.mesos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Parsers against recorded-style payloads, and the probe against the fake master. */
class MesosHealthTest {
  // Shaped like Mesos 1.x /master/state (trimmed).
  static final String STATE_LEADER =
      "{\"version\":\"1.11.0\",\"git_sha\":\"abc\",\"build_date\":\"2020-11-24\","
          + "\"start_time\":1700000000.1,\"elected_time\":1700000001.2,"
          + "\"id\":\"8f0c1c1e-0000\",\"pid\":\"master@10.0.0.1:5050\",\"hostname\":\"master1\","
          + "\"activated_slaves\":3,\"deactivated_slaves\":0,\"unreachable_slaves\":0,"
          + "\"leader\":\"master@10.0.0.1:5050\","
          + "\"leader_info\":{\"id\":\"8f0c\",\"pid\":\"master@10.0.0.1:5050\",\"port\":5050,"
          + "\"hostname\":\"master1\",\"address\":{\"hostname\":\"master1\",\"ip\":\"10.0.0.1\","
          + "\"port\":5050}},\"flags\":{\"quorum\":\"2\"},\"slaves\":[],\"frameworks\":[]}";

  static final String STATE_FOLLOWER =
      "{\"version\":\"1.11.0\",\"pid\":\"master@10.0.0.2:5050\",\"hostname\":\"master2\","
          + "\"activated_slaves\":0,\"leader\":\"master@10.0.0.1:5050\","
          + "\"leader_info\":{\"hostname\":\"master1\",\"port\":5050}}";

  static final String METRICS_LEADER =
      "{\"master/elected\":1.0,\"master/uptime_secs\":812.3,\"master/slaves_active\":3.0,"
          + "\"master/slaves_connected\":3.0,\"registrar/log/recovered\":1.0,"
          + "\"registrar/queued_operations\":0.0}";

  FakeMesosMaster master;

  @BeforeEach
  void start() throws IOException {
    master = new FakeMesosMaster();
  }

  @AfterEach
  void stop() {
    master.close();
  }

  @Test
  void parsesState() throws IOException {
    MesosHealth.State leader = MesosHealth.parseState(STATE_LEADER);
    assertThat(leader).isEqualTo(new MesosHealth.State("10.0.0.1:5050", "master1", true, 3));
    MesosHealth.State follower = MesosHealth.parseState(STATE_FOLLOWER);
    assertThat(follower.elected()).isFalse();
    assertThat(follower.leader()).isEqualTo("10.0.0.1:5050");
    assertThat(MesosHealth.parseState("{\"pid\":\"master@10.0.0.2:5050\"}").leader()).isNull();
  }

  @Test
  void parsesMetrics() throws IOException {
    assertThat(MesosHealth.parseMetrics(METRICS_LEADER))
        .isEqualTo(new MesosHealth.Metrics(true, true, 3));
    assertThat(
            MesosHealth.parseMetrics(
                "{\"master/elected\":0.0,\"registrar/log/recovered\":0.0,\"master/slaves_active\":0.0}"))
        .isEqualTo(new MesosHealth.Metrics(false, false, 0));
    assertThat(MesosHealth.parseMetrics("{}")).isEqualTo(new MesosHealth.Metrics(null, null, null));
    assertThatThrownBy(() -> MesosHealth.parseMetrics("<html>")).isInstanceOf(IOException.class);
  }

  @Test
  void parsesRedirect() throws IOException {
    assertThat(
            MesosHealth.leaderFromRedirect(
                new HttpTransport.Response(307, Map.of("Location", "//10.0.0.1:5050"), "")))
        .isEqualTo("10.0.0.1:5050");
    assertThat(
            MesosHealth.leaderFromRedirect(
                new HttpTransport.Response(
                    307, Map.of("location", "http://master2:5050/master/redirect"), "")))
        .isEqualTo("master2:5050");
    assertThat(MesosHealth.leaderFromRedirect(new HttpTransport.Response(503, Map.of(), "")))
        .isNull();
    assertThatThrownBy(
            () -> MesosHealth.leaderFromRedirect(new HttpTransport.Response(200, Map.of(), "ok")))
        .isInstanceOf(IOException.class);
  }

  @Test
  void probesTheFakeMasterWithoutFollowingTheRedirect() {
    master.self = "10.0.0.2:5050";
    master.leader = "10.0.0.1:5050";
    MesosHealth h = MesosHealth.probe(new DirectHttpTransport(), master.url());

    assertThat(h).isEqualTo(new MesosHealth("10.0.0.1:5050", false, true, 0, null));
    // the redirect target (not ours, not loopback) was never contacted: one request each
    assertThat(master.requests).containsExactly("GET /master/redirect", "GET /metrics/snapshot");
  }

  @Test
  void probesElectedMasterAndMissingLeader() {
    MesosHealth h = MesosHealth.probe(new DirectHttpTransport(), master.url() + "/");
    assertThat(h).isEqualTo(new MesosHealth("10.0.0.1:5050", true, true, 3, null));

    master.leader = null;
    master.recovered = false;
    assertThat(MesosHealth.probe(new DirectHttpTransport(), master.url()))
        .isEqualTo(new MesosHealth(null, false, false, 0, null));
  }

  @Test
  void unreachableMasterIsReportedNotThrown() {
    String url = master.url();
    master.close();
    MesosHealth h = MesosHealth.probe(new DirectHttpTransport(), url);
    assertThat(h.reachable()).isFalse();
    assertThat(h.error()).contains(url);
  }

  @Test
  void marathonLeader() throws IOException {
    assertThat(
            MarathonLeader.parse(
                new HttpTransport.Response(200, Map.of(), "{\"leader\":\"10.0.0.1:8080\"}")))
        .isEqualTo(new MarathonLeader("10.0.0.1:8080", null));
    assertThat(
            MarathonLeader.parse(
                new HttpTransport.Response(404, Map.of(), "{\"message\":\"There is no leader\"}")))
        .isEqualTo(new MarathonLeader(null, null));
    assertThatThrownBy(
            () -> MarathonLeader.parse(new HttpTransport.Response(200, Map.of(), "{\"x\":1}")))
        .isInstanceOf(IOException.class);

    try (FakeMarathon marathon = new FakeMarathon()) {
      assertThat(MarathonLeader.probe(new DirectHttpTransport(), marathon.url()).leader())
          .isEqualTo("10.0.0.1:8080");
      marathon.leader = null;
      MarathonLeader none = MarathonLeader.probe(new DirectHttpTransport(), marathon.url());
      assertThat(none.reachable()).isTrue();
      assertThat(none.leader()).isNull();
    }
  }
}
