package io.mesosoperator.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import io.mesosoperator.api.MesosClusterSpec;
import io.mesosoperator.api.NetworkSpec;
import io.mesosoperator.api.RoleSpec;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import io.mesosoperator.reconcile.ClusterKeys;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import io.mesosoperator.render.NodeInfo;
import io.mesosoperator.testing.Prerequisites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Issue 4's "Done when" on real nodes: three masters and one agent from the local provider (network
 * namespaces with their own sshd and /etc), converged by {@link SshNodeConfigurer} over real SSH,
 * with Debian's ZooKeeper restarted through its own init script into a real ensemble.
 *
 * <p>Mesos and Marathon are not installable here, so mesos-master, marathon and mesos-slave have no
 * init script on these nodes: their files are written and checked, and the configurer must report
 * them as ServiceNotInstalled instead of claiming a restart.
 *
 * <p>Needs root and the packages of {@code .ci/install-packages.sh}; skips outside CI when they are
 * missing, fails in CI. Traffic goes only to the test's own bridge range {@value #CIDR}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RealNodeConvergenceIT {
  private static final String CIDR = "10.213.230.0/24";
  private static final String BRIDGE = "moit230";
  private static final String ADMIN = "mesosadmin";
  private static final int ZK_PORT = 2181;
  private static final String ZK_MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
  private static final NodeFacts BOOKWORM = new NodeFacts("debian", "bookworm", InitStyle.SYSVINIT);
  private static final Duration QUORUM_DEADLINE = Duration.ofSeconds(60);
  private static final String SUDO_LOG = "/var/log/sudo-it.log";

  private final String uid = "it-realnode-" + UUID.randomUUID();
  private Path stateDir;
  private LocalMachineProvider provider;
  private ClusterKeys.Key key;
  private MesosClusterSpec spec;
  private final List<Machine> machines = new ArrayList<>();
  private final List<NodeInfo> nodes = new ArrayList<>();
  private final Map<String, String> pins = new LinkedHashMap<>();
  private final Map<String, Long> zkPids = new LinkedHashMap<>();
  private final SshNodeConfigurer configurer = new SshNodeConfigurer();
  private final AtomicReference<NodeFacts> lastFacts = new AtomicReference<>();

  private Logger rootLogger;
  private Level rootLevel;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeAll
  void prerequisites() throws Exception {
    Prerequisites.requireRealNodes("real-node IT");

    // Everything logged during the test, at DEBUG, to look for the private key afterwards.
    rootLogger = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    rootLevel = rootLogger.getLevel();
    rootLogger.setLevel(Level.DEBUG);
    ((Logger) LoggerFactory.getLogger("io.mesosoperator")).setLevel(Level.DEBUG);
    logs.start();
    rootLogger.addAppender(logs);

    key = ClusterKeys.generate();
    stateDir = Files.createTempDirectory(Path.of("/tmp"), "mo-it-realnode-");
    provider = new LocalMachineProvider(BRIDGE, CIDR, stateDir, key.publicKey(), key.privateKey());
    spec = spec();

    long t0 = System.nanoTime();
    int zkId = 1;
    for (String name : List.of("rn-master-1", "rn-master-2", "rn-master-3", "rn-agent-1")) {
      boolean master = name.contains("master");
      Machine m =
          provider.create(
              new MachineRequest(
                  uid,
                  "realnode",
                  name,
                  master ? "master" : "agent",
                  master ? RoleType.MASTER : RoleType.AGENT,
                  null,
                  null,
                  List.of()));
      machines.add(m);
      nodes.add(
          new NodeInfo(
              name,
              m.role(),
              m.privateAddress(),
              null,
              null,
              master ? Integer.valueOf(zkId++) : null));
    }
    System.out.printf(
        "realnode IT: 4 machines up in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
  }

  @AfterAll
  void cleanUp() throws Exception {
    if (rootLogger != null) {
      rootLogger.detachAppender(logs);
      rootLogger.setLevel(rootLevel);
      ((Logger) LoggerFactory.getLogger("io.mesosoperator")).setLevel(Level.INFO);
    }
    if (provider == null) {
      return;
    }
    // Whatever a failed test left: every machine of this run, the bridge, the state directory.
    for (Machine m : provider.list(uid)) {
      provider.destroy(m.id());
    }
    provider.releaseNetwork(uid);
    RealNodes.run(
        List.of("rm", "-rf", "--one-file-system", stateDir.toString()), Duration.ofSeconds(60));
    assertThat(RealNodes.check(List.of("ip", "-o", "link", "show"))).doesNotContain(BRIDGE);
  }

  /** Like examples/local.yaml: no repository, ZooKeeper on masters, shared clock, hardened sshd. */
  private static MesosClusterSpec spec() {
    MesosClusterSpec s = new MesosClusterSpec();
    s.getCloud().setProvider("local");
    NetworkSpec network = new NetworkSpec();
    network.setCidr(CIDR);
    s.getCloud().setNetwork(network);
    s.getSsh().setUser(ADMIN);
    s.getSsh().setHarden(true);
    s.getPackages().setRepository("");
    s.getPackages().setMaster(List.of("zookeeper", "zookeeperd"));
    s.getPackages().setAgent(List.of());
    s.getOs().setUpgrade(false);
    // The machines share the host's clock: chrony must never run inside them.
    s.getOs().setClockSync(false);
    RoleSpec master = new RoleSpec();
    master.setName("master");
    master.setType(RoleType.MASTER);
    master.setReplicas(3);
    RoleSpec agent = new RoleSpec();
    agent.setName("agent");
    agent.setType(RoleType.AGENT);
    agent.setReplicas(1);
    s.setRoles(List.of(master, agent));
    return s;
  }

  // ---- 1. first pass ----

  @Test
  @Order(1)
  void firstPassConvergesEveryNodeAndZooKeeperFormsAQuorum() throws Exception {
    Map<String, Long> millis = new LinkedHashMap<>();
    long lastMasterDone = 0;
    for (int i = 0; i < machines.size(); i++) {
      Machine m = machines.get(i);
      long t0 = System.nanoTime();
      NodeResult r = configure(i, null);
      millis.put(m.node(), (System.nanoTime() - t0) / 1_000_000);
      if (isMaster(i)) {
        lastMasterDone = System.nanoTime();
      }

      assertThat(r.reachable().isTrue()).as(m.node() + " " + r.reachable()).isTrue();
      assertThat(r.configured().isTrue()).as(m.node() + " " + r.configured()).isTrue();
      assertThat(r.hostKey()).startsWith("SHA256:");
      assertThat(r.configDigest()).startsWith("sha256:");
      assertThat(r.changes()).isPositive();
      assertThat(r.events()).noneMatch(NodeEvent::warning);
      assertThat(lastFacts.get()).isEqualTo(BOOKWORM);
      // Nothing pretends to have restarted a daemon that is not on the node.
      assertThat(r.servicesRunning().status()).isEqualTo("False");
      assertThat(r.servicesRunning().reason()).isEqualTo("ServiceNotInstalled");
      if (isMaster(i)) {
        assertThat(r.restarts()).as("only ZooKeeper restarts").isEqualTo(1);
        assertThat(r.servicesRunning().message())
            .contains("mesos-master", "marathon")
            .doesNotContain("zookeeper");
      } else {
        assertThat(r.restarts()).isZero();
        assertThat(r.servicesRunning().message()).contains("mesos-slave");
      }
      pins.put(m.node(), r.hostKey());
      assertFilesAsRendered(i);
      assertAdminAndHardening(i);
    }
    System.out.println("realnode IT: first pass ms per node " + millis);

    // Debian's own init script started ZooKeeper: its pidfile, its user, its main class.
    for (int i = 0; i < 3; i++) {
      String pidFile = nodeCat(i, "/run/zookeeper/zookeeper.pid").strip();
      List<Long> java = RealNodes.pidsInNetns(machines.get(i).id(), ZK_MAIN);
      assertThat(java).as(machines.get(i).node() + " ZooKeeper processes").hasSize(1);
      assertThat(pidFile).matches("\\d+");
      assertThat(nodeSh(i, "stat -c %U /proc/" + pidFile).strip()).isEqualTo("zookeeper");
      zkPids.put(machines.get(i).node(), java.get(0));
    }
    assertThat(RealNodes.pidsInNetns(machines.get(3).id(), ZK_MAIN)).as("agent").isEmpty();
    // The agent role must not run ZooKeeper at boot either; the masters keep it.
    assertThat(nodeSh(3, "ls /etc/rc2.d")).doesNotContain("S01zookeeper");
    assertThat(nodeSh(0, "ls /etc/rc2.d")).contains("S01zookeeper");

    long quorumMs = awaitQuorum(lastMasterDone);
    System.out.println("realnode IT: quorum " + quorumMs + " ms after the last master's pass");
  }

  private void assertFilesAsRendered(int i) throws Exception {
    NodeConfig expected = ClusterRenderer.render(spec, nodes, nodes.get(i), BOOKWORM);
    for (ManagedFile f : expected.files()) {
      String onNode = nodeCat(i, f.path());
      switch (f.kind()) {
        case WHOLE -> assertThat(onNode).as(f.path()).isEqualTo(f.content());
        case BLOCK_START ->
            assertThat(onNode)
                .as(f.path())
                .startsWith(block(f))
                .contains("\nInclude /etc/ssh/sshd_config.d/*.conf\n");
        case BLOCK_END ->
            assertThat(onNode)
                .as(f.path())
                .endsWith(block(f))
                // The local provider's own lines are kept outside the block.
                .startsWith("127.0.0.1\tlocalhost\n" + nodes.get(i).privateAddress() + "\t");
      }
    }
    List<String> paths = expected.files().stream().map(ManagedFile::path).toList();
    if (isMaster(i)) {
      assertThat(paths)
          .contains(
              ClusterRenderer.ZK,
              ClusterRenderer.ZK_MYID,
              ClusterRenderer.ZOO_CFG,
              ClusterRenderer.MASTER_QUORUM,
              ClusterRenderer.MASTER_IP,
              ClusterRenderer.MASTER_HOSTNAME,
              ClusterRenderer.MARATHON_MASTER,
              ClusterRenderer.MARATHON_ZK,
              ClusterRenderer.HOSTS,
              ClusterRenderer.SSHD_CONFIG);
      assertThat(nodeCat(i, ClusterRenderer.ZK_MYID)).isEqualTo((i + 1) + "\n");
      assertThat(nodeCat(i, ClusterRenderer.MASTER_QUORUM)).isEqualTo("2\n");
      assertThat(nodeCat(i, ClusterRenderer.ZOO_CFG))
          .contains("server.1=" + nodes.get(0).privateAddress() + ":2888:3888\n")
          .contains("server.3=" + nodes.get(2).privateAddress() + ":2888:3888\n");
    } else {
      assertThat(paths).contains(ClusterRenderer.ZK, ClusterRenderer.SLAVE_IP);
    }
  }

  private static String block(ManagedFile f) {
    String body = f.content().endsWith("\n") ? f.content() : f.content() + "\n";
    return ManagedFile.BLOCK_BEGIN + "\n" + body + ManagedFile.BLOCK_FINISH + "\n";
  }

  private void assertAdminAndHardening(int i) throws Exception {
    assertThat(nodeSh(i, "id -u " + ADMIN).strip()).matches("\\d+");
    assertThat(nodeSh(i, "sudo -l -U " + ADMIN)).contains("NOPASSWD: ALL");
    String effective = nodeSh(i, "sshd -T");
    assertThat(effective).contains("\npasswordauthentication no\n", "\npermitrootlogin no\n");
    // A fresh key login as the admin works and sudo -n runs as root (SshjSessions adds sudo -n).
    SshjSessions sessions = new SshjSessions();
    Machine m = machines.get(i);
    try (SshSession s =
        sessions.open(
            m.privateAddress(),
            22,
            SshSessions.Login.key(ADMIN, key.privateKey(), key.publicKey()),
            pins.get(m.node()))) {
      SshSession.Exec e = s.run("id -un");
      assertThat(e.exitStatus()).isZero();
      assertThat(e.stdout().strip()).isEqualTo("root");
    }
    // Root with the very key that bootstrapped the node is refused now.
    assertThatThrownBy(
            () ->
                sessions
                    .open(
                        m.privateAddress(),
                        22,
                        SshSessions.Login.key("root", key.privateKey(), key.publicKey()),
                        pins.get(m.node()))
                    .close())
        .isInstanceOf(SshSessions.AuthenticationException.class);
  }

  /** Polls srvr on every master until one leads and two follow; returns ms since {@code from}. */
  private long awaitQuorum(long from) {
    long deadline = System.nanoTime() + QUORUM_DEADLINE.toNanos();
    List<String> modes = List.of();
    while (System.nanoTime() < deadline) {
      modes = modes();
      if (modes.stream().filter("leader"::equals).count() == 1
          && modes.stream().filter("follower"::equals).count() == 2) {
        return (System.nanoTime() - from) / 1_000_000;
      }
      RealNodes.pause(200);
    }
    throw new AssertionError("no quorum within " + QUORUM_DEADLINE + "; modes " + modes);
  }

  private List<String> modes() {
    List<String> modes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      modes.add(
          String.valueOf(
              RealNodes.mode(RealNodes.srvr(machines.get(i).privateAddress(), ZK_PORT))));
    }
    return modes;
  }

  // ---- 2. second pass ----

  @Test
  @Order(2)
  void secondPassIsOneRoundTripWithNoChangeAndNoRestart() throws Exception {
    Map<String, Long> millis = new LinkedHashMap<>();
    for (int i = 0; i < machines.size(); i++) {
      long t0 = System.nanoTime();
      NodeResult r = configure(i, pins.get(machines.get(i).node()));
      millis.put(machines.get(i).node(), (System.nanoTime() - t0) / 1_000_000);
      assertThat(r.configured().isTrue()).as(r.configured().toString()).isTrue();
      assertThat(r.changes()).as(machines.get(i).node()).isZero();
      assertThat(r.restarts()).isZero();
      assertThat(r.roundTrips()).isEqualTo(1);
      assertThat(r.events()).isEmpty();
      assertThat(r.servicesRunning().reason()).isEqualTo("ServiceNotInstalled");
    }
    System.out.println("realnode IT: second pass ms per node " + millis);
    for (int i = 0; i < 3; i++) {
      assertThat(RealNodes.pidsInNetns(machines.get(i).id(), ZK_MAIN))
          .as("ZooKeeper of " + machines.get(i).node() + " not restarted")
          .containsExactly(zkPids.get(machines.get(i).node()));
    }
  }

  // ---- 3. drift ----

  @Test
  @Order(4)
  void aHandEditedFileOnTheAgentIsRestoredWithAnEvent() throws Exception {
    int agent = 3;
    Machine m = machines.get(agent);
    String rendered = nodeCat(agent, ClusterRenderer.ZK);
    // By hand, as an administrator would now: the admin's key and sudo (root login is off).
    try (SshSession s =
        new SshjSessions()
            .open(
                m.privateAddress(),
                22,
                SshSessions.Login.key(ADMIN, key.privateKey(), key.publicKey()),
                pins.get(m.node()))) {
      assertThat(s.run("printf 'zk://localhost:2181/mesos\\n' >/etc/mesos/zk").exitStatus())
          .isZero();
    }
    assertThat(nodeCat(agent, ClusterRenderer.ZK)).isEqualTo("zk://localhost:2181/mesos\n");

    for (int i = 0; i < machines.size(); i++) {
      NodeResult r = configure(i, pins.get(machines.get(i).node()));
      assertThat(r.configured().isTrue()).isTrue();
      if (i == agent) {
        assertThat(r.changes()).isEqualTo(1);
        assertThat(r.restarts()).isZero(); // mesos-slave is not installed: nothing to restart
        assertThat(r.events())
            .singleElement()
            .satisfies(
                e -> {
                  assertThat(e.reason()).isEqualTo("FileRestored");
                  assertThat(e.warning()).isFalse();
                  assertThat(e.message()).contains(m.node(), ClusterRenderer.ZK);
                });
      } else {
        assertThat(r.changes()).as(machines.get(i).node()).isZero();
        assertThat(r.roundTrips()).isEqualTo(1);
        assertThat(r.events()).isEmpty();
      }
    }
    assertThat(nodeCat(agent, ClusterRenderer.ZK)).isEqualTo(rendered);
  }

  // ---- 3b. host firewall ----

  @Test
  @Order(3)
  void theHostFirewallIsLoadedAndAFlushedTableIsReloadedWithAnEvent() throws Exception {
    String gateway = "10.213.230.1"; // the host's bridge address: the operator
    for (Machine m : machines) {
      String table = nft(m, "list", "table", "inet", "mesos_operator");
      assertThat(table)
          .as(m.node())
          .contains("policy drop;")
          .contains("elements = { " + gateway + " }")
          .contains("ip saddr " + CIDR + " tcp dport");
    }
    int agent = 3;
    Machine m = machines.get(agent);
    nft(m, "delete", "table", "inet", "mesos_operator");
    assertThat(RealNodes.run(nftArgv(m, "list", "table", "inet", "mesos_operator"), T).exit())
        .isNotZero();

    NodeResult r = configure(agent, pins.get(m.node()));
    assertThat(r.configured().isTrue()).as(r.configured().toString()).isTrue();
    assertThat(r.firewall().isTrue()).as(String.valueOf(r.firewall())).isTrue();
    assertThat(r.restarts()).isZero();
    assertThat(r.events())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.reason()).isEqualTo("FirewallRestored");
              assertThat(e.message()).contains(m.node(), "table not loaded");
            });
    assertThat(nft(m, "list", "table", "inet", "mesos_operator")).contains("policy drop;");
    // And converged again: nothing to do.
    NodeResult again = configure(agent, pins.get(m.node()));
    assertThat(again.changes()).isZero();
    assertThat(again.events()).isEmpty();
  }

  private static final Duration T = Duration.ofSeconds(30);

  private static List<String> nftArgv(Machine m, String... args) {
    List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", m.id(), "nft"));
    argv.addAll(List.of(args));
    return argv;
  }

  private static String nft(Machine m, String... args) throws Exception {
    return RealNodes.check(nftArgv(m, args));
  }

  // ---- 4. host key change ----

  @Test
  @Order(5)
  void aChangedHostKeyIsRefusedBeforeAnyCommandIsSent() throws Exception {
    int agent = 3;
    Machine m = machines.get(agent);
    String oldPin = pins.get(m.node());
    // Every command the configurer sends goes through sudo as the admin: let sudo count them.
    nodeSh(
        agent,
        "printf 'Defaults logfile="
            + SUDO_LOG
            + "\\n' >/etc/sudoers.d/zz-it-log"
            + " && chmod 0440 /etc/sudoers.d/zz-it-log && visudo -cq");
    NodeResult control = configure(agent, oldPin);
    assertThat(control.roundTrips()).isEqualTo(1);
    int before = sudoCommands(agent);
    assertThat(before).as("the marker counts the configurer's commands").isEqualTo(1);

    nodeSh(
        agent,
        "rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub"
            + " && ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key"
            + " && /etc/init.d/ssh restart >/dev/null 2>&1");
    String newKey =
        nodeSh(agent, "ssh-keygen -l -f /etc/ssh/ssh_host_ed25519_key.pub").split(" ")[1];
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!RealNodes.sshAnswers(m.privateAddress()) && System.nanoTime() < deadline) {
      RealNodes.pause(100);
    }
    assertThat(newKey).startsWith("SHA256:").isNotEqualTo(oldPin);

    // A rebuilt machine drops every connection; the configurer's kept connection to the old
    // sshd (verified with the old key) survives a mere sshd restart, so a new configurer stands
    // for the operator meeting the rebuilt node on a new connection.
    NodeResult r;
    try (SshNodeConfigurer fresh = new SshNodeConfigurer()) {
      r = configure(fresh, agent, oldPin);
    }
    assertThat(r.reachable().status()).isEqualTo("False");
    assertThat(r.reachable().reason()).isEqualTo("HostKeyMismatch");
    assertThat(r.reachable().message()).contains(newKey, oldPin);
    assertThat(r.hostKey()).isEqualTo(newKey);
    assertThat(r.roundTrips()).isZero();
    assertThat(r.changes()).isZero();
    assertThat(r.events()).singleElement().satisfies(e -> assertThat(e.warning()).isTrue());
    assertThat(sudoCommands(agent)).as("no command reached the node").isEqualTo(before);

    // Once the new key is accepted (the annotation's job), the node converges as before.
    pins.put(m.node(), newKey);
    NodeResult accepted = configure(agent, newKey);
    assertThat(accepted.reachable().isTrue()).isTrue();
    assertThat(accepted.changes()).isZero();
    assertThat(sudoCommands(agent)).isEqualTo(before + 1);
  }

  private int sudoCommands(int i) throws Exception {
    String log = nodeSh(i, "cat " + SUDO_LOG + " 2>/dev/null || true");
    return log.split("COMMAND=", -1).length - 1;
  }

  // ---- 5. a crashed ZooKeeper member ----

  @Test
  @Order(6)
  void aKilledZooKeeperIsStartedByTheNextPassAndRejoinsTheEnsemble() throws Exception {
    int victim = 1;
    Machine m = machines.get(victim);
    List<Long> pids = RealNodes.pidsInNetns(m.id(), ZK_MAIN);
    assertThat(pids).hasSize(1);
    ProcessHandle.of(pids.get(0)).orElseThrow().destroyForcibly(); // kill -9
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (RealNodes.alive(pids.get(0)) && System.nanoTime() < deadline) {
      RealNodes.pause(50);
    }
    assertThat(RealNodes.alive(pids.get(0))).as("killed").isFalse();
    assertThat(RealNodes.mode(RealNodes.srvr(m.privateAddress(), ZK_PORT))).isNull();

    long t0 = System.nanoTime();
    NodeResult r = configure(victim, pins.get(m.node()));
    assertThat(r.configured().isTrue()).isTrue();
    assertThat(r.changes()).as("one start").isEqualTo(1);
    assertThat(r.restarts()).isZero();
    assertThat(r.roundTrips()).isGreaterThanOrEqualTo(2);
    assertThat(r.servicesRunning().message()).doesNotContain("zookeeper");
    List<Long> restarted = RealNodes.pidsInNetns(m.id(), ZK_MAIN);
    assertThat(restarted).hasSize(1).doesNotContain(pids.get(0));

    long back = awaitQuorum(t0);
    System.out.println("realnode IT: killed member back in the ensemble " + back + " ms after");
    assertThat(RealNodes.mode(RealNodes.srvr(m.privateAddress(), ZK_PORT)))
        .isIn("leader", "follower");
  }

  // ---- 6. no secret in logs ----

  @Test
  @Order(7)
  void thePrivateKeyNeverAppearsInTheLogs() {
    String[] lines = key.privateKey().split("\n");
    String slice = lines[lines.length / 2].substring(10, 50);
    String body = String.join("", java.util.Arrays.copyOfRange(lines, 1, lines.length - 1));
    assertThat(slice).hasSize(40);
    List<ILoggingEvent> events = List.copyOf(logs.list);
    assertThat(events).hasSizeGreaterThan(50);
    assertThat(events)
        .anyMatch(e -> e.getLevel() == Level.DEBUG && e.getLoggerName().startsWith("io.mesosop"));
    StringBuilder all = new StringBuilder();
    for (ILoggingEvent e : events) {
      all.append(e.getFormattedMessage()).append('\n');
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        all.append(t.getClassName()).append(": ").append(t.getMessage()).append('\n');
      }
    }
    String text = all.toString();
    assertThat(text).doesNotContain(slice).doesNotContain("PRIVATE KEY");
    assertThat(text.replace("\n", "")).doesNotContain(body.substring(0, 64));
  }

  // ---- helpers ----

  private boolean isMaster(int i) {
    return nodes.get(i).zkId() != null;
  }

  private NodeResult configure(int i, String pinned) {
    return configure(configurer, i, pinned);
  }

  private NodeResult configure(SshNodeConfigurer configurer, int i, String pinned) {
    Machine m = machines.get(i);
    NodeInfo node = nodes.get(i);
    NodeTarget target =
        new NodeTarget(
            m.node(),
            m.privateAddress(),
            22,
            ADMIN,
            key.privateKey(),
            key.publicKey(),
            pinned,
            m.initialLogin(),
            true);
    Function<NodeFacts, NodeConfig> desired =
        facts -> {
          lastFacts.set(facts);
          return ClusterRenderer.render(spec, nodes, node, facts);
        };
    return configurer.configure(target, desired);
  }

  private String nodeCat(int i, String path) throws Exception {
    return RealNodes.check(provider.nsenterCommand(machines.get(i).id(), List.of("cat", path)));
  }

  private String nodeSh(int i, String script) throws Exception {
    return RealNodes.check(
        provider.nsenterCommand(machines.get(i).id(), List.of("sh", "-c", script)));
  }
}
