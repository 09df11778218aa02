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
import io.mesosoperator.plan.ConfigDigest;
import io.mesosoperator.plan.NodePlan;
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

  // ---- 7. an apply cut between its writes and its restarts ----

  /**
   * Issue 18: a restart is never lost. A ZooKeeper setting changes (its AdminServer port, which
   * only zoo.cfg carries, so only ZooKeeper restarts); the apply on a master is killed on the node
   * at each boundary between its steps (after the zoo.cfg write, after the restart, after the start
   * record), once as a dropped connection (the same configurer carries on) and once as a dead
   * operator (its result is dropped, a new configurer with no kept connection takes over). The next
   * pass restarts ZooKeeper whenever it still ran the old zoo.cfg, the pass after writes nothing
   * and restarts nothing, and the ensemble keeps its quorum.
   */
  @Test
  @Order(7)
  void anApplyCutBetweenItsWritesAndItsRestartsIsFinishedByTheNextPass() throws Exception {
    int port = spec.getZookeeper().getAdminPort();
    int master = 0;
    Map<String, Long> backMillis = new LinkedHashMap<>();
    for (boolean operatorDies : List.of(false, true)) {
      for (int cut = 0; cut <= 2; cut++) {
        Machine m = machines.get(master);
        String pin = pins.get(m.node());
        long before = RealNodes.pidsInNetns(m.id(), ZK_MAIN).get(0);
        spec.getZookeeper().setAdminPort(++port);

        CuttingSessions cutting = new CuttingSessions(cut);
        try (SshNodeConfigurer dying =
            new SshNodeConfigurer(cutting, SshNodeConfigurer.Settings.DEFAULT)) {
          NodeResult r = configure(dying, master, pin);
          assertThat(cutting.cuts).as("the apply was cut").isEqualTo(1);
          assertThat(r.configured().isTrue()).as(r.configured().toString()).isFalse();
          assertThat(r.configured().reason()).isEqualTo("ApplyFailed");
        }
        assertThat(nodeCat(master, ClusterRenderer.ZOO_CFG)).contains("admin.serverPort=" + port);
        List<Long> afterCut = RealNodes.pidsInNetns(m.id(), ZK_MAIN);
        if (cut == 0) {
          // Written, not restarted: the files are right and ZooKeeper runs the old ones.
          assertThat(afterCut).as("not restarted by the cut pass").containsExactly(before);
        } else {
          assertThat(afterCut).as("restarted by the cut pass").hasSize(1).doesNotContain(before);
        }

        long t0 = System.nanoTime();
        NodeResult next;
        if (operatorDies) {
          try (SshNodeConfigurer restarted = new SshNodeConfigurer()) {
            next = configure(restarted, master, pin);
          }
        } else {
          next = configure(master, pin);
        }
        String when =
            (operatorDies ? "operator died" : "connection dropped") + " after step " + cut;
        assertThat(next.configured().isTrue()).as(when + ": " + next.configured()).isTrue();
        // Restarts count as changes; no file is left to write.
        assertThat(next.changes()).as(when + ": nothing left to write").isEqualTo(next.restarts());
        List<Long> now = RealNodes.pidsInNetns(m.id(), ZK_MAIN);
        assertThat(now).hasSize(1);
        if (cut == 0) {
          assertThat(next.restarts()).as(when + ": the pending restart").isEqualTo(1);
          assertThat(now).doesNotContain(before);
        } else if (cut == 1) {
          // Restarted, the record not written: it is not known what runs, so once more.
          assertThat(next.restarts()).as(when).isEqualTo(1);
          assertThat(now).doesNotContain(afterCut.get(0));
        } else {
          assertThat(next.restarts()).as(when + ": recorded, nothing to restart").isZero();
          assertThat(now).containsExactly(afterCut.get(0));
        }
        NodeConfig config = ClusterRenderer.render(spec, nodes, nodes.get(master), BOOKWORM);
        assertThat(nodeCat(master, NodePlan.STARTED_DIR + ClusterRenderer.ZOOKEEPER).strip())
            .isEqualTo(ConfigDigest.ofService(config, ClusterRenderer.ZOOKEEPER));
        assertThat(nodeCat(master, NodePlan.APPLIED_DIGEST).strip())
            .isEqualTo(ConfigDigest.of(config));

        NodeResult third = configure(master, pin);
        assertThat(third.changes()).as(when + ": converged").isZero();
        assertThat(third.restarts()).isZero();
        assertThat(third.roundTrips()).isEqualTo(1);
        assertThat(RealNodes.pidsInNetns(m.id(), ZK_MAIN)).containsExactlyElementsOf(now);
        backMillis.put(when, awaitQuorum(t0));
      }
    }
    System.out.println("realnode IT: quorum after each cut and its next pass, ms " + backMillis);
    // The other masters take the last setting too, one after the other.
    for (int i = 1; i < 3; i++) {
      long t0 = System.nanoTime();
      NodeResult r = configure(i, pins.get(machines.get(i).node()));
      assertThat(r.configured().isTrue()).isTrue();
      assertThat(r.restarts()).isEqualTo(1);
      awaitQuorum(t0);
    }
  }

  /**
   * Sessions that kill the next apply script on the node right after step {@code cut} (the shell
   * running it is sent SIGKILL, as a pass dying there) and then drop the connection.
   */
  private static final class CuttingSessions implements SshSessions {
    private final SshjSessions real = new SshjSessions();
    private final int cut;
    int cuts;

    CuttingSessions(int cut) {
      this.cut = cut;
    }

    @Override
    public SshSession open(String host, int port, Login login, String pinnedHostKey)
        throws java.io.IOException {
      SshSession s = real.open(host, port, login, pinnedHostKey);
      return new SshSession() {
        @Override
        public String hostKey() {
          return s.hostKey();
        }

        @Override
        public String user() {
          return s.user();
        }

        @Override
        public Exec run(String script) throws java.io.IOException {
          String marker = "\nstep " + cut + "\n";
          if (cuts > 0 || !script.contains(marker)) {
            return s.run(script);
          }
          cuts++;
          s.run(script.replace(marker, marker + "kill -KILL $$\n"));
          s.close();
          throw new java.io.IOException("connection dropped after step " + cut);
        }

        @Override
        public void close() {
          s.close();
        }
      };
    }
  }

  // ---- 9. no secret in logs ----

  @Test
  @Order(9)
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

  // ---- 8. running hostname and sshd's effective settings ----

  @Test
  @Order(8)
  void theRunningHostnameIsSetAndAMatchBlockReEnablingPasswordsIsReported() throws Exception {
    int agent = 3;
    String name = machines.get(agent).node();
    String pin = pins.get(name);
    Path hostKernelName = Path.of("/proc/sys/kernel/hostname");
    String hostName = Files.readString(hostKernelName);
    // Only the kernel's name changes (as /etc/hostname alone would leave it after an edit).
    nodeSh(agent, "hostname localhost");
    NodeResult renamed = configure(agent, pin);
    assertThat(renamed.configured().isTrue()).as(renamed.configured().toString()).isTrue();
    assertThat(renamed.changes()).isEqualTo(1);
    assertThat(nodeSh(agent, "hostname").strip()).isEqualTo(name);
    assertThat(configure(agent, pin).changes()).as("converged: nothing to set").isZero();
    // The machine has a UTS namespace of its own: setting its name never renamed this host.
    assertThat(Files.readString(hostKernelName)).isEqualTo(hostName);

    // A Match block (after the managed block, in an included file) turns passwords back on for
    // the admin: the hardening is not in effect, and the node says so.
    nodeSh(
        agent,
        "printf 'Match User "
            + ADMIN
            + "\\n  PasswordAuthentication yes\\n'"
            + " >/etc/ssh/sshd_config.d/50-local.conf");
    try {
      NodeResult overridden = configure(agent, pin);
      assertThat(overridden.configured().isTrue()).isFalse();
      assertThat(overridden.configured().reason()).isEqualTo(SshNodeConfigurer.SSHD_NOT_HARDENED);
      assertThat(overridden.configured().message())
          .contains("passwordauthentication yes", "Match block");
      assertThat(overridden.changes()).isZero();
    } finally {
      nodeSh(agent, "rm -f /etc/ssh/sshd_config.d/50-local.conf");
    }
    NodeResult fixed = configure(agent, pin);
    assertThat(fixed.configured().isTrue()).as(fixed.configured().toString()).isTrue();

    // Blocks that a check of sshd -T alone, or of one login from one address, would not see:
    // passwords for logins from the operator's own network, root login for root only.
    String operatorAddress = CIDR.replace(".0/24", ".1");
    nodeSh(
        agent,
        "printf 'Match Address "
            + operatorAddress
            + "/32\n  PasswordAuthentication yes\nMatch User root\n  PermitRootLogin yes\n'"
            + " >/etc/ssh/sshd_config.d/50-local.conf");
    try {
      assertThat(nodeSh(agent, "sshd -T | grep -E '^(passwordauthentication|permitrootlogin) '"))
          .as("the global settings alone look hardened")
          .contains("passwordauthentication no", "permitrootlogin no");
      NodeResult overridden = configure(agent, pin);
      assertThat(overridden.configured().reason()).isEqualTo(SshNodeConfigurer.SSHD_NOT_HARDENED);
      assertThat(overridden.configured().message())
          .contains(
              "passwordauthentication yes for "
                  + ADMIN
                  + " from "
                  + operatorAddress
                  + "; root from "
                  + operatorAddress,
              "permitrootlogin yes for root from " + operatorAddress + ", 203.0.113.1")
          .doesNotContain("passwordauthentication yes for " + ADMIN + " from 203.0.113.1");
      assertThat(overridden.changes()).isZero();
    } finally {
      nodeSh(agent, "rm -f /etc/ssh/sshd_config.d/50-local.conf");
    }
    assertThat(configure(agent, pin).configured().isTrue()).isTrue();
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
