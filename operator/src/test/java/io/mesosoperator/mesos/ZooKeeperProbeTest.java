package io.mesosoperator.mesos;

import static org.assertj.core.api.Assertions.assertThat;

import io.mesosoperator.mesos.ZkMode.State;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ZooKeeperProbeTest {
  // As ZooKeeper 3.8 prints them.
  static final String SRVR_LEADER =
      "Zookeeper version: 3.8.0-5a02a05eddb59aee6ac762f7ea82e92a68eb9c0f, built on 2022-02-25"
          + " 08:49 UTC\nLatency min/avg/max: 0/0.0/0\nReceived: 3\nSent: 2\nConnections: 1\n"
          + "Outstanding: 0\nZxid: 0x100000002\nMode: leader\nNode count: 5\n"
          + "Proposal sizes last/min/max: -1/-1/-1\n";
  static final String SRVR_FOLLOWER =
      "Zookeeper version: 3.4.5--1, built on 06/10/2013 17:26 GMT\nLatency min/avg/max: 0/0/0\n"
          + "Received: 1\nSent: 0\nConnections: 1\nOutstanding: 0\nZxid: 0x0\nMode: follower\n"
          + "Node count: 4\n";
  static final String SRVR_STANDALONE = SRVR_FOLLOWER.replace("follower", "standalone");
  static final String NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n";
  static final String NOT_WHITELISTED =
      "srvr is not executed because it is not in the whitelist.\n";
  static final String MNTR =
      "zk_version\t3.8.0-5a02a05\nzk_server_state\tfollower\nzk_znode_count\t5\n";

  FakeFourLetterServer server;

  @BeforeEach
  void start() throws IOException {
    server = new FakeFourLetterServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void parsesSrvrAndMntr() {
    assertThat(ZkMode.parse(SRVR_LEADER))
        .isEqualTo(
            new ZkMode(
                State.LEADER,
                "0x100000002",
                "3.8.0-5a02a05eddb59aee6ac762f7ea82e92a68eb9c0f, built on 2022-02-25 08:49 UTC",
                null));
    assertThat(ZkMode.parse(SRVR_FOLLOWER).state()).isEqualTo(State.FOLLOWER);
    assertThat(ZkMode.parse(SRVR_STANDALONE).state()).isEqualTo(State.STANDALONE);
    assertThat(ZkMode.parse(SRVR_FOLLOWER.replace("follower", "observer")).state())
        .isEqualTo(State.OBSERVER);
    assertThat(ZkMode.parse(NOT_SERVING).state()).isEqualTo(State.NOT_SERVING);
    assertThat(ZkMode.parse(NOT_SERVING).serving()).isFalse();
    assertThat(ZkMode.parse(NOT_WHITELISTED).state()).isEqualTo(State.NOT_ALLOWED);
    assertThat(ZkMode.parse(MNTR).state()).isEqualTo(State.FOLLOWER);
    assertThat(ZkMode.parse(MNTR).version()).isEqualTo("3.8.0-5a02a05");
    assertThat(ZkMode.parse("").state()).isEqualTo(State.UNKNOWN);
    assertThat(ZkMode.parse("Mode: read-only\n").state()).isEqualTo(State.UNKNOWN);
    assertThat(ZkMode.parse("garbage").state()).isEqualTo(State.UNKNOWN);
  }

  @Test
  void directSocketAgainstFakeServer() throws IOException {
    server.answer = SRVR_LEADER;
    ZooKeeperProbe probe = ZooKeeperProbe.direct(Duration.ofSeconds(2));

    assertThat(probe.mode("127.0.0.1", server.port()).state()).isEqualTo(State.LEADER);
    assertThat(server.words).containsExactly("srvr");
    assertThat(probe.ask("127.0.0.1", server.port(), ZooKeeperProbe.Word.MNTR))
        .isEqualTo(SRVR_LEADER);
    assertThat(server.words).containsExactly("srvr", "mntr");

    server.answer = NOT_SERVING;
    assertThat(probe.mode("127.0.0.1", server.port()).state()).isEqualTo(State.NOT_SERVING);
  }

  @Test
  void unreachableIsAStateNotAnException() {
    // Port 9 on a loopback address no test binds: nothing listens there. (A port freed by
    // closing a server can be taken by another process before the probe connects.)
    ZkMode m = ZooKeeperProbe.direct(Duration.ofSeconds(1)).mode("127.88.0.1", 9);
    assertThat(m.state()).isEqualTo(State.UNREACHABLE);
    assertThat(m.detail()).contains("127.88.0.1:9");
  }

  @Test
  void silentServerTimesOut() {
    server.silent = true;
    long start = System.nanoTime();
    ZkMode m = ZooKeeperProbe.direct(Duration.ofMillis(300)).mode("127.0.0.1", server.port());
    assertThat(m.state()).isEqualTo(State.UNREACHABLE);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void remoteScriptQuotesEverything() {
    String s =
        ZooKeeperProbe.script(
            "10.0.0.1;reboot", 2181, ZooKeeperProbe.Word.SRVR, Duration.ofSeconds(5));
    assertThat(s).contains("'10.0.0.1;reboot' '2181'").contains("printf '%s' 'srvr'");
    assertThat(s).contains("timeout 5 nc");
  }
}
