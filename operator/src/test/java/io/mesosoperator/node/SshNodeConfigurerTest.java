package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.mesosoperator.cloud.LoginCredentials;
import io.mesosoperator.node.RemoteScripts.FileRef;
import io.mesosoperator.node.RemoteScripts.ObserveSpec;
import io.mesosoperator.plan.ConfigDigest;
import io.mesosoperator.plan.NodePlan;
import io.mesosoperator.plan.Observation;
import io.mesosoperator.plan.PlanFixtures;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** SshNodeConfigurer over real SSH against an in-process sshd running real /bin/sh. */
class SshNodeConfigurerTest {
  private static final String ADMIN = "mesosadmin";

  @TempDir Path dir;
  FakeNode node;
  String privateKey;
  String publicKey;
  SshSessions sessions;
  SshNodeConfigurer configurer;
  final Function<NodeFacts, NodeConfig> desired = facts -> PlanFixtures.master(facts.init());

  @BeforeEach
  void start() throws Exception {
    node = new FakeNode(dir);
    Path key = dir.resolve("admin_ed25519");
    TestKeys.sshKeygen("ed25519", key);
    privateKey = Files.readString(key);
    publicKey = Files.readString(Path.of(key + ".pub")).trim();
    sessions =
        new SshjSessions(
            new SshjSessions.Timeouts(
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(60)));
    configurer =
        new SshNodeConfigurer(
            sessions,
            new SshNodeConfigurer.Settings(Duration.ofSeconds(5), Duration.ofMillis(100)));
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  private NodeTarget target(String pinned, LoginCredentials firstLogin) {
    return new NodeTarget(
        "master-1",
        "127.0.0.1",
        node.port(),
        ADMIN,
        privateKey,
        publicKey,
        pinned,
        firstLogin,
        true);
  }

  private LoginCredentials firstLogin() {
    return new LoginCredentials(node.firstUser, node.firstPassword, null);
  }

  private String read(String path) throws Exception {
    return Files.readString(node.file(path));
  }

  private List<String> callLines() throws Exception {
    return Arrays.stream(node.calls().split("\n")).filter(l -> !l.isEmpty()).toList();
  }

  @Test
  void firstPassConvergesSecondPassIsOneRoundTripWithoutWrites() throws Exception {
    node.authorize(ADMIN, publicKey);
    NodeResult first = configurer.configure(target(null, null), desired);

    assertThat(first.reachable().isTrue()).isTrue();
    assertThat(first.configured().isTrue()).as(first.configured().message()).isTrue();
    assertThat(first.servicesRunning().isTrue()).isTrue();
    assertThat(first.hostKey()).startsWith("SHA256:");
    assertThat(first.restarts()).isEqualTo(3);
    assertThat(first.roundTrips()).isEqualTo(2);
    assertThat(first.configDigest())
        .isEqualTo(io.mesosoperator.plan.ConfigDigest.of(desired.apply(NodeFacts.TUTORIAL)));
    assertThat(read("/etc/mesos/zk")).isEqualTo(PlanFixtures.ZK);
    assertThat(read("/etc/zookeeper/conf/myid")).isEqualTo("1\n");
    assertThat(read("/etc/init/mesos-slave.override")).isEqualTo("manual\n");
    assertThat(read("/etc/sudoers.d/mesos-operator"))
        .isEqualTo(ADMIN + " ALL=(ALL) NOPASSWD:ALL\n");
    assertThat(read("/etc/ssh/sshd_config"))
        .startsWith(ManagedFile.BLOCK_BEGIN + "\nPasswordAuthentication no\n")
        .contains("Port 22\n");
    assertThat(Files.exists(node.file("/var/lib/mesos-operator/upgraded"))).isTrue();
    List<String> calls = callLines();
    assertThat(calls.stream().filter(l -> l.endsWith(" restart")))
        .containsExactly(
            "service zookeeper restart",
            "service mesos-master restart",
            "service marathon restart");
    assertThat(calls).contains("service mesos-slave stop", "service ssh reload");
    assertThat(calls.stream().filter(l -> l.startsWith("apt-get")).map(l -> l.split(" ")[1]))
        .containsExactly("-q", "-y", "-y"); // update, dist-upgrade, install
    assertThat(calls)
        .anyMatch(l -> l.startsWith("apt-get") && l.endsWith("install mesos marathon"));

    int commandsBefore = node.commands.get();
    int callsBefore = calls.size();
    NodeResult second = configurer.configure(target(first.hostKey(), null), desired);
    assertThat(second.configured().isTrue()).isTrue();
    assertThat(second.changes()).isZero();
    assertThat(second.restarts()).isZero();
    assertThat(second.roundTrips()).isEqualTo(1);
    assertThat(second.events()).isEmpty();
    assertThat(node.commands.get() - commandsBefore).isEqualTo(1);
    // The only new call is the one sudo that ran the observe script, with the session's
    // SSH_CONNECTION handed through.
    assertThat(callLines().subList(callsBefore, callLines().size()))
        .singleElement()
        .satisfies(l -> assertThat(l).startsWith("sudo -n MESOS_OPERATOR_SSH=127.0.0.1 "))
        .satisfies(l -> assertThat(l).contains(" /bin/sh -c"));
    assertThat(second.configDigest()).isEqualTo(first.configDigest());
  }

  /**
   * Each service's start is recorded on the node after it succeeded; a record naming older inputs
   * (a pass that wrote files and died before the restart) makes the next pass restart that service
   * alone, and a node without records whose last apply was this configuration only gets records.
   */
  @Test
  void startRecordsAreWrittenAfterTheStartAndARestartTheyShowPendingIsMade() throws Exception {
    node.authorize(ADMIN, publicKey);
    NodeResult first = configurer.configure(target(null, null), desired);
    assertThat(first.configured().isTrue()).as(first.configured().message()).isTrue();
    NodeConfig c = desired.apply(NodeFacts.TUTORIAL);
    for (String s : c.services()) {
      assertThat(read(NodePlan.STARTED_DIR + s)).isEqualTo(ConfigDigest.ofService(c, s) + "\n");
    }

    // mesos-master was last started with other inputs: restarted, nothing written but its record.
    Files.writeString(node.file(NodePlan.STARTED_DIR + "mesos-master"), "sha256:older\n");
    int callsBefore = callLines().size();
    NodeResult pending = configurer.configure(target(first.hostKey(), null), desired);
    assertThat(pending.configured().isTrue()).as(pending.configured().message()).isTrue();
    assertThat(pending.restarts()).isEqualTo(1);
    assertThat(callLines().subList(callsBefore, callLines().size()))
        .filteredOn(l -> l.startsWith("service "))
        .containsExactly("service mesos-master restart");
    assertThat(read(NodePlan.STARTED_DIR + "mesos-master"))
        .isEqualTo(ConfigDigest.ofService(c, "mesos-master") + "\n");

    // Records lost (a node converged by an older operator): records come back, nothing restarts.
    for (String s : c.services()) {
      Files.delete(node.file(NodePlan.STARTED_DIR + s));
    }
    callsBefore = callLines().size();
    NodeResult legacy = configurer.configure(target(first.hostKey(), null), desired);
    assertThat(legacy.restarts()).isZero();
    assertThat(callLines().subList(callsBefore, callLines().size()))
        .noneMatch(l -> l.startsWith("service "));
    for (String s : c.services()) {
      assertThat(read(NodePlan.STARTED_DIR + s)).isEqualTo(ConfigDigest.ofService(c, s) + "\n");
    }
    NodeResult again = configurer.configure(target(first.hostKey(), null), desired);
    assertThat(again.roundTrips()).isEqualTo(1);
    assertThat(again.restarts()).isZero();
  }

  @Test
  void handEditedFileIsRestoredWithAnEventAndOnlyItsServicesRestart() throws Exception {
    node.authorize(ADMIN, publicKey);
    NodeResult first = configurer.configure(target(null, null), desired);
    Files.writeString(node.file("/etc/mesos/zk"), "zk://localhost:2181/mesos\n");
    int callsBefore = callLines().size();

    NodeResult again = configurer.configure(target(first.hostKey(), null), desired);

    assertThat(read("/etc/mesos/zk")).isEqualTo(PlanFixtures.ZK);
    assertThat(again.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.warning()).isFalse();
              assertThat(e.reason()).isEqualTo("FileRestored");
              assertThat(e.message()).contains("master-1").contains("/etc/mesos/zk");
            });
    assertThat(again.restarts()).isEqualTo(2);
    assertThat(again.roundTrips()).isEqualTo(2);
    assertThat(
            callLines().subList(callsBefore, callLines().size()).stream()
                .filter(l -> l.endsWith(" restart")))
        .containsExactly("service mesos-master restart", "service marathon restart");
  }

  @Test
  void aNodeWhoseApplyLockAnotherPassHoldsIsReportedBusyAndLeftAlone() throws Exception {
    node.authorize(ADMIN, publicKey);
    NodeResult first = configurer.configure(target(null, null), desired);
    assertThat(first.configured().isTrue()).isTrue();
    Files.writeString(node.file("/etc/mesos/zk"), "zk://localhost:2181/mesos\n");
    // Another pass (an orphan of a dropped connection) holds the node's apply lock.
    Path lock = node.file("/run/lock/mesos-operator-apply.lock");
    Files.createDirectories(lock.getParent());
    Process holder = new ProcessBuilder("flock", "-o", lock.toString(), "sleep", "60").start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (new ProcessBuilder("flock", "-n", lock.toString(), "true").start().waitFor() == 0) {
        assertThat(System.nanoTime()).isLessThan(deadline);
        Thread.sleep(20);
      }
      int callsBefore = callLines().size();
      long t0 = System.nanoTime();
      NodeResult busy = configurer.configure(target(first.hostKey(), null), desired);
      long waited = (System.nanoTime() - t0) / 1_000_000;

      assertThat(busy.reachable().isTrue()).isTrue();
      assertThat(busy.configured().isTrue()).isFalse();
      assertThat(busy.configured().reason()).isEqualTo(SshNodeConfigurer.NODE_BUSY);
      assertThat(busy.configured().message()).contains("another pass", "20 s");
      assertThat(busy.changes()).isZero();
      assertThat(waited).as("bounded wait").isBetween(19_000L, 40_000L);
      assertThat(read("/etc/mesos/zk")).isEqualTo("zk://localhost:2181/mesos\n");
      assertThat(callLines().subList(callsBefore, callLines().size()))
          .singleElement()
          .satisfies(l -> assertThat(l).startsWith("sudo -n ").contains(" /bin/sh -c "));
    } finally {
      holder.descendants().forEach(ProcessHandle::destroyForcibly);
      holder.destroyForcibly().waitFor();
    }
    NodeResult after = configurer.configure(target(first.hostKey(), null), desired);
    assertThat(after.configured().isTrue()).as(after.configured().message()).isTrue();
    assertThat(read("/etc/mesos/zk")).isEqualTo(PlanFixtures.ZK);
  }

  @Test
  void serviceWithoutInitScriptIsReportedNotInstalledAndNeverRestarted() throws Exception {
    node.authorize(ADMIN, publicKey);
    // The package that would bring Marathon's job is not on this node.
    Files.delete(node.file("/etc/init/marathon.conf"));

    NodeResult first = configurer.configure(target(null, null), desired);

    assertThat(first.configured().isTrue()).as(first.configured().message()).isTrue();
    assertThat(first.servicesRunning().status()).isEqualTo("False");
    assertThat(first.servicesRunning().reason()).isEqualTo("ServiceNotInstalled");
    assertThat(first.servicesRunning().message()).contains("marathon").doesNotContain("zookeeper");
    assertThat(first.restarts()).isEqualTo(2);
    assertThat(read("/etc/marathon/conf/zk")).isNotEmpty(); // its files are still written
    assertThat(callLines()).noneMatch(l -> l.startsWith("service marathon "));

    NodeResult second = configurer.configure(target(first.hostKey(), null), desired);
    assertThat(second.changes()).isZero();
    assertThat(second.restarts()).isZero();
    assertThat(second.roundTrips()).isEqualTo(1); // no apply, no polling for what cannot start
    assertThat(second.configured().isTrue()).isTrue();
    assertThat(second.servicesRunning().reason()).isEqualTo("ServiceNotInstalled");
  }

  @Test
  void hostsContentOutsideTheManagedBlockIsKept() throws Exception {
    node.authorize(ADMIN, publicKey);
    NodeResult first = configurer.configure(target(null, null), desired);
    String hosts = read("/etc/hosts");
    assertThat(hosts)
        .startsWith("127.0.0.1 localhost\n::1 ip6-localhost\n" + ManagedFile.BLOCK_BEGIN + "\n")
        .endsWith("192.0.2.3 master-3\n" + ManagedFile.BLOCK_FINISH + "\n");

    // A line added by hand after the block, and the block itself tampered with.
    Files.writeString(
        node.file("/etc/hosts"),
        hosts.replace("192.0.2.2 master-2", "6.6.6.6 master-2") + "10.9.9.9 extra\n");
    NodeResult again = configurer.configure(target(first.hostKey(), null), desired);

    assertThat(again.events()).extracting(NodeEvent::reason).containsExactly("FileRestored");
    assertThat(read("/etc/hosts"))
        .isEqualTo(
            "127.0.0.1 localhost\n::1 ip6-localhost\n10.9.9.9 extra\n"
                + ManagedFile.BLOCK_BEGIN
                + "\n192.0.2.1 master-1\n192.0.2.2 master-2\n192.0.2.3 master-3\n"
                + ManagedFile.BLOCK_FINISH
                + "\n");
    NodeResult third = configurer.configure(target(first.hostKey(), null), desired);
    assertThat(third.changes()).isZero();
    assertThat(third.roundTrips()).isEqualTo(1);
  }

  @Test
  void changedHostKeyIsRefusedBeforeAnyCommand() throws Exception {
    node.authorize(ADMIN, publicKey);
    NodeResult first = configurer.configure(target(null, null), desired);
    node.changeHostKey();
    int commandsBefore = node.commands.get();
    String callsBefore = node.calls();

    NodeResult refused = configurer.configure(target(first.hostKey(), null), desired);

    assertThat(node.commands.get()).isEqualTo(commandsBefore);
    assertThat(node.calls()).isEqualTo(callsBefore);
    assertThat(refused.roundTrips()).isZero();
    assertThat(refused.reachable().isTrue()).isFalse();
    assertThat(refused.reachable().reason()).isEqualTo("HostKeyMismatch");
    assertThat(refused.hostKey()).startsWith("SHA256:").isNotEqualTo(first.hostKey());
    assertThat(refused.reachable().message())
        .contains(first.hostKey())
        .contains(refused.hostKey())
        .contains("mesosoperator.io/accept-host-key: " + refused.hostKey());
    assertThat(refused.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.warning()).isTrue();
              assertThat(e.reason()).isEqualTo("HostKeyMismatch");
            });
  }

  @Test
  void firstLoginBootstrapsTheAdminThenHardensOverAVerifiedAdminLogin() throws Exception {
    ListAppender<ILoggingEvent> logs = captureLogs();
    try {
      NodeResult first = configurer.configure(target(null, firstLogin()), desired);

      assertThat(first.configured().isTrue()).as(first.configured().message()).isTrue();
      // observe as first user, apply, observe as the fresh admin, apply the hardening
      assertThat(first.roundTrips()).isEqualTo(4);
      assertThat(callLines()).anyMatch(l -> l.startsWith("useradd") && l.endsWith(ADMIN));
      assertThat(read("/home/" + ADMIN + "/.ssh/authorized_keys"))
          .contains(publicKey.split(" ")[1]);
      assertThat(read("/etc/ssh/sshd_config")).startsWith(ManagedFile.BLOCK_BEGIN);
      assertThat(callLines()).contains("service ssh reload");

      NodeResult second = configurer.configure(target(first.hostKey(), firstLogin()), desired);
      assertThat(second.roundTrips()).isEqualTo(1);
      assertThat(second.changes()).isZero();
      assertNoSecrets(logs, first, second);
    } finally {
      releaseLogs(logs);
    }
  }

  @Test
  void theRunningHostnameIsSetOnceWhenItDiffers() throws Exception {
    node.authorize(ADMIN, publicKey);
    // The fake node has a UTS namespace of its own: set_hostname never touches this machine's.
    String hostName = Files.readString(Path.of("/proc/sys/kernel/hostname"));
    assertThat(node.hostname()).isEqualTo("fake-node");
    NodeResult first = configurer.configure(target(null, null), desired);
    assertThat(first.configured().isTrue()).as(first.configured().message()).isTrue();
    String name = desired.apply(NodeFacts.TUTORIAL).hostname();
    assertThat(node.hostname()).isEqualTo(name);
    assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname"))).isEqualTo(hostName);

    NodeResult second = configurer.configure(target(first.hostKey(), null), desired);
    assertThat(second.changes()).isZero();
    assertThat(second.roundTrips()).isEqualTo(1);
  }

  @Test
  void aConnectionDroppedDuringTheLoginIsUnreachableNotLoginFailed() throws Exception {
    node.authorize(ADMIN, publicKey);
    NodeResult first = configurer.configure(target(null, null), desired);
    assertThat(first.configured().isTrue()).isTrue();
    node.dropDuringLogin = true;
    int commands = node.commands.get();

    NodeResult dropped = configurer.configure(target(first.hostKey(), firstLogin()), desired);

    assertThat(dropped.reachable().isTrue()).isFalse();
    assertThat(dropped.reachable().reason()).isEqualTo("Unreachable");
    assertThat(dropped.reachable().message()).contains("dropped during the login");
    assertThat(dropped.configured().reason()).isEqualTo("Unreachable");
    assertThat(node.commands.get()).isEqualTo(commands);

    // A real refusal still says so.
    node.dropDuringLogin = false;
    node.rejectAdminKey = true;
    NodeResult refused = configurer.configure(target(first.hostKey(), null), desired);
    assertThat(refused.reachable().reason()).isEqualTo("LoginFailed");
  }

  @Test
  void adminKeyThatCannotLogInNeverHardensSshd() throws Exception {
    ListAppender<ILoggingEvent> logs = captureLogs();
    try {
      node.rejectAdminKey = true;
      NodeResult result = configurer.configure(target(null, firstLogin()), desired);

      assertThat(result.reachable().isTrue()).isTrue();
      assertThat(result.configured().isTrue()).isFalse();
      assertThat(result.configured().reason()).isEqualTo("AdminLoginUnverified");
      assertThat(result.configured().message()).contains("password and root login stay enabled");
      assertThat(read("/etc/ssh/sshd_config"))
          .doesNotContain(ManagedFile.BLOCK_BEGIN)
          .contains("PasswordAuthentication yes");
      assertThat(callLines()).doesNotContain("service ssh reload");
      assertThat(read("/etc/mesos/zk")).isEqualTo(PlanFixtures.ZK);

      // Re-running keeps the first login working and sshd untouched.
      NodeResult again = configurer.configure(target(result.hostKey(), firstLogin()), desired);
      assertThat(again.configured().reason()).isEqualTo("AdminLoginUnverified");
      assertThat(read("/etc/ssh/sshd_config")).doesNotContain(ManagedFile.BLOCK_BEGIN);
      assertNoSecrets(logs, result, again);
    } finally {
      releaseLogs(logs);
    }
  }

  @Test
  void hostileNamesInTheObserveScriptStayLiteral() throws Exception {
    node.authorize(ADMIN, publicKey);
    Path marker = node.root.resolve("pwned");
    String m = marker.toString();
    ObserveSpec spec =
        new ObserveSpec(
            List.of(
                new FileRef("/a; touch " + m, false),
                new FileRef("/$(touch " + m + ")", true),
                new FileRef("/`touch " + m + "`\ntouch " + m, false),
                new FileRef("/etc/hosts", false)),
            List.of("x; touch " + m, "$(touch " + m + ")"),
            List.of("`touch " + m + "`", "a'b\ntouch " + m),
            null,
            null);
    try (SshSession s =
        sessions.open(
            "127.0.0.1", node.port(), SshSessions.Login.key(ADMIN, privateKey, publicKey), null)) {
      SshSession.Exec exec = s.run(RemoteScripts.observe(spec));
      assertThat(exec.ok()).as(exec.stderr()).isTrue();
      Observation o = RemoteScripts.parseObservation(exec.stdout(), spec);
      assertThat(o.wholeDigests().get("/a; touch " + m)).isEqualTo(Observation.ABSENT);
      assertThat(o.wholeDigests().get("/etc/hosts")).hasSize(64);
      assertThat(o.packages()).isEmpty();
      assertThat(o.facts().codename()).isEqualTo("trusty");
    }
    assertThat(Files.exists(marker)).isFalse();
  }

  private static ListAppender<ILoggingEvent> captureLogs() {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    root.addAppender(appender);
    return appender;
  }

  private static void releaseLogs(ListAppender<ILoggingEvent> appender) {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
  }

  private void assertNoSecrets(ListAppender<ILoggingEvent> logs, NodeResult... results) {
    String keyBody = privateKey.split("\n")[1];
    List<ILoggingEvent> events;
    synchronized (logs) { // appenders add under their own lock, from sshj/MINA threads too
      events = new java.util.ArrayList<>(logs.list);
    }
    StringBuilder seen = new StringBuilder();
    for (ILoggingEvent e : events) {
      seen.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) {
        seen.append(e.getThrowableProxy().getMessage()).append('\n');
      }
    }
    for (NodeResult r : results) {
      seen.append(r).append('\n');
    }
    assertThat(events).isNotEmpty();
    assertThat(seen.toString()).doesNotContain(keyBody).doesNotContain(node.firstPassword);
  }
}
