package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.mesosoperator.node.SshSessions.Login;
import io.mesosoperator.plan.PlanFixtures;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection reuse in {@link SshjSessions#reuse} against the in-process sshd: counted logins on the
 * server side show whether a pass logged in again.
 */
class SshConnectionPoolTest {
  private static final String ADMIN = "mesosadmin";
  private static final SshjSessions.Timeouts TIMEOUTS =
      new SshjSessions.Timeouts(
          Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30));

  @TempDir Path dir;
  FakeNode node;
  String privateKey;
  String publicKey;
  final AtomicLong clock = new AtomicLong();
  SshjSessions sessions;

  @BeforeEach
  void start() throws Exception {
    node = new FakeNode(dir.resolve("node"));
    Path key = dir.resolve("admin_ed25519");
    TestKeys.sshKeygen("ed25519", key);
    privateKey = Files.readString(key);
    publicKey = Files.readString(Path.of(key + ".pub")).trim();
    node.authorize(ADMIN, publicKey);
    sessions = pooled(8);
  }

  @AfterEach
  void stop() throws Exception {
    sessions.close();
    node.close();
  }

  private SshjSessions pooled(int max) {
    return new SshjSessions(
        TIMEOUTS, new SshjSessions.Pooling(max, Duration.ofMinutes(3)), clock::get);
  }

  private Login admin() {
    return Login.key(ADMIN, privateKey, publicKey);
  }

  /** First use: learns the host key over a plain connection, as the operator's first pass. */
  private String hostKey(FakeNode n) throws Exception {
    try (SshSession s = sessions.open("127.0.0.1", n.port(), admin(), null)) {
      return s.hostKey();
    }
  }

  private String echo(FakeNode n, String pin, String word) throws Exception {
    try (SshSession s = sessions.reuse("127.0.0.1", n.port(), admin(), pin)) {
      assertThat(s.hostKey()).isEqualTo(pin);
      return s.run("echo " + word).stdout();
    }
  }

  @Test
  void laterPassesRunOverTheSameLoggedInConnection() throws Exception {
    String pin = hostKey(node);
    int loginsBefore = node.logins.get();

    for (int i = 0; i < 4; i++) {
      assertThat(echo(node, pin, "pass" + i)).isEqualTo("pass" + i + "\n");
    }

    assertThat(node.logins.get() - loginsBefore).isEqualTo(1);
    assertThat(sessions.connectionsReused()).isEqualTo(3);
    assertThat(node.commands.get()).isEqualTo(4);
    assertThat(sessions.pool().idleCount()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> node.connections() == 1);
  }

  @Test
  void nothingIsPooledWithoutAPinnedKeyOrWithAPassword() throws Exception {
    for (int i = 0; i < 2; i++) {
      try (SshSession s = sessions.reuse("127.0.0.1", node.port(), admin(), null)) {
        assertThat(s.run("true").ok()).isTrue();
      }
    }
    String pin = hostKey(node);
    Login first = new Login(node.firstUser, null, null, node.firstPassword);
    for (int i = 0; i < 2; i++) {
      try (SshSession s = sessions.reuse("127.0.0.1", node.port(), first, pin)) {
        s.run("true");
      }
    }
    assertThat(node.logins.get()).isEqualTo(5);
    assertThat(sessions.connectionsReused()).isZero();
    assertThat(sessions.pool().idleCount()).isZero();
  }

  @Test
  void aConnectionDroppedByTheNodeIsReplacedOnce() throws Exception {
    String pin = hostKey(node);
    echo(node, pin, "a");
    int logins = node.logins.get();

    node.dropConnections();
    assertThat(echo(node, pin, "after-drop")).isEqualTo("after-drop\n");
    assertThat(node.logins.get() - logins).isEqualTo(1);
    // and the replacement is kept in turn
    assertThat(echo(node, pin, "again")).isEqualTo("again\n");
    assertThat(node.logins.get() - logins).isEqualTo(1);
  }

  @Test
  void aRebuiltNodeWithAnotherHostKeyIsStillRefused() throws Exception {
    String pin = hostKey(node);
    echo(node, pin, "a");
    int commands = node.commands.get();

    // Rebuilt: new host key, and the old machine's connections are gone.
    node.changeHostKey();
    node.dropConnections();
    assertThatThrownBy(() -> echo(node, pin, "never"))
        .isInstanceOfSatisfying(
            SshSessions.HostKeyMismatchException.class,
            e -> assertThat(e.expected()).isEqualTo(pin));
    assertThat(node.commands.get()).isEqualTo(commands);
  }

  @Test
  void aConnectionIsOnlyReusedForTheKeyItWasVerifiedWith() throws Exception {
    String pin = hostKey(node);
    echo(node, pin, "a");
    assertThat(sessions.pool().idleCount()).isEqualTo(1);
    int commands = node.commands.get();

    // Another key is pinned (a person accepted one): the kept connection does not count, it goes.
    String other = "SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assertThatThrownBy(() -> echo(node, other, "never"))
        .isInstanceOf(SshSessions.HostKeyMismatchException.class);
    assertThat(node.commands.get()).isEqualTo(commands);
    assertThat(sessions.pool().idleCount()).isZero();
  }

  @Test
  void aRotatedAdminKeyLogsInAfresh() throws Exception {
    String pin = hostKey(node);
    echo(node, pin, "a");
    int logins = node.logins.get();
    Path key = dir.resolve("rotated");
    TestKeys.sshKeygen("ed25519", key);
    String pub = Files.readString(Path.of(key + ".pub")).trim();
    node.authorize(ADMIN, pub);

    Login rotated = Login.key(ADMIN, Files.readString(key), pub);
    try (SshSession s = sessions.reuse("127.0.0.1", node.port(), rotated, pin)) {
      assertThat(s.run("echo rotated").stdout()).isEqualTo("rotated\n");
    }
    assertThat(node.logins.get() - logins).isEqualTo(1);
  }

  @Test
  void idleConnectionsAreClosedAfterTheIdleTime() throws Exception {
    String pin = hostKey(node);
    echo(node, pin, "a");
    clock.addAndGet(Duration.ofMinutes(2).toNanos());
    assertThat(sessions.pool().reap()).isZero();
    clock.addAndGet(Duration.ofMinutes(1).toNanos());
    assertThat(sessions.pool().reap()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(5)).until(() -> node.connections() == 0);

    int logins = node.logins.get();
    echo(node, pin, "b");
    assertThat(node.logins.get() - logins).isEqualTo(1);
  }

  @Test
  void thePoolIsBoundedAndClosesEverythingOnClose() throws Exception {
    sessions.close();
    sessions = pooled(1);
    try (FakeNode second = new FakeNode(dir.resolve("second"))) {
      second.authorize(ADMIN, publicKey);
      String pin1 = hostKey(node);
      String pin2 = hostKey(second);
      echo(node, pin1, "a");
      echo(second, pin2, "b");
      assertThat(sessions.pool().idleCount()).isEqualTo(1);
      // Full: the first node's connection stays, the second's was closed after use.
      await().atMost(Duration.ofSeconds(5)).until(() -> second.connections() == 0);
      assertThat(node.connections()).isEqualTo(1);
      int logins = node.logins.get();
      echo(node, pin1, "c");
      assertThat(node.logins.get() - logins).isZero();
      int secondLogins = second.logins.get();
      echo(second, pin2, "d");
      assertThat(second.logins.get() - secondLogins).isEqualTo(1);
      assertThat(sessions.pool().full.get()).isEqualTo(2);

      sessions.close();
      assertThat(sessions.pool().idleCount()).isZero();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> node.connections() == 0 && second.connections() == 0);
      // A session in use when the pool closed closes its connection instead of keeping it.
      try (SshSession s = sessions.reuse("127.0.0.1", node.port(), admin(), pin1)) {
        s.run("true");
      }
      assertThat(sessions.pool().idleCount()).isZero();
    }
  }

  @Test
  void aConvergedNodesNextPassNeedsNoNewLogin() throws Exception {
    Function<NodeFacts, NodeConfig> desired = facts -> PlanFixtures.master(facts.init());
    SshNodeConfigurer configurer =
        new SshNodeConfigurer(
            sessions,
            new SshNodeConfigurer.Settings(Duration.ofSeconds(5), Duration.ofMillis(100)));
    NodeResult first = configurer.configure(target(null), desired);
    assertThat(first.configured().isTrue()).as(first.configured().message()).isTrue();

    NodeResult second = configurer.configure(target(first.hostKey()), desired);
    int logins = node.logins.get();
    NodeResult third = configurer.configure(target(first.hostKey()), desired);
    NodeResult fourth = configurer.configure(target(first.hostKey()), desired);

    for (NodeResult r : new NodeResult[] {second, third, fourth}) {
      assertThat(r.configured().isTrue()).isTrue();
      assertThat(r.changes()).isZero();
      assertThat(r.roundTrips()).isEqualTo(1);
    }
    assertThat(node.logins.get()).isEqualTo(logins);
    assertThat(sessions.connectionsReused()).isEqualTo(2);

    configurer.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> node.connections() == 0);
  }

  @Test
  void theVerifiedAdminLoginOfABootstrapServesTheNextPass() throws Exception {
    Function<NodeFacts, NodeConfig> desired = facts -> PlanFixtures.master(facts.init());
    SshNodeConfigurer configurer =
        new SshNodeConfigurer(
            sessions,
            new SshNodeConfigurer.Settings(Duration.ofSeconds(5), Duration.ofMillis(100)));
    try (FakeNode fresh = new FakeNode(dir.resolve("fresh"))) {
      var firstLogin =
          new io.mesosoperator.cloud.LoginCredentials(fresh.firstUser, fresh.firstPassword, null);
      NodeTarget bootstrap =
          new NodeTarget(
              "agent-1",
              "127.0.0.1",
              fresh.port(),
              ADMIN,
              privateKey,
              publicKey,
              null,
              firstLogin,
              true);
      NodeResult first = configurer.configure(bootstrap, desired);
      assertThat(first.configured().isTrue()).as(first.configured().message()).isTrue();
      // the password login and the fresh admin login that proved the key (the refused key
      // login never authenticated)
      assertThat(fresh.logins.get()).isEqualTo(2);
      assertThat(sessions.pool().idleCount()).isEqualTo(1);

      NodeTarget next =
          new NodeTarget(
              "agent-1",
              "127.0.0.1",
              fresh.port(),
              ADMIN,
              privateKey,
              publicKey,
              first.hostKey(),
              firstLogin,
              true);
      NodeResult second = configurer.configure(next, desired);
      assertThat(second.roundTrips()).isEqualTo(1);
      assertThat(second.changes()).isZero();
      assertThat(fresh.logins.get()).isEqualTo(2);
    }
  }

  private NodeTarget target(String pinned) {
    return new NodeTarget(
        "master-1", "127.0.0.1", node.port(), ADMIN, privateKey, publicKey, pinned, null, true);
  }
}
