package io.mesosoperator.reliability;

import static io.mesosoperator.e2e.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import io.mesosoperator.e2e.LocalCluster;
import io.mesosoperator.node.NodeResult;
import io.mesosoperator.node.NodeTarget;
import io.mesosoperator.node.SshNodeConfigurer;
import io.mesosoperator.node.SshjSessions;
import io.mesosoperator.reconcile.ClusterKeys;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.standin.StandIns;
import io.mesosoperator.testing.ControlPlane;
import io.mesosoperator.testing.Prerequisites;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 9 on real nodes (local provider: network namespaces with their own sshd, real ZooKeeper,
 * the TEST STAND-INS for Mesos and Marathon): faults injected into real processes and links, and
 * checks that deleting leaves nothing on the host.
 *
 * <ol>
 *   <li>An SSH connection dropped in the middle of writing a 1 MiB managed file (the sshd session
 *       processes killed by PID, or those and every process of the pass), at random points: the
 *       file is always the old or the new content, byte for byte; the next pass, started at once,
 *       waits on the node's apply lock for what still runs of the dropped one and converges;
 *       nothing of the dropped pass outlives its step; a held lock gives NodeBusy; stale temp files
 *       go.
 *   <li>The operator stopped at random points of a 3+3 converge, 10 times in a row (seeded; the
 *       seed is printed, {@code -Dfaults.seed=N} repeats a run): it ends Ready with 6 machines.
 *   <li>An agent's link cut on the bridge: its MesosNode goes Reachable=False, the other five stay
 *       Configured, the cluster says agents 2/3; link back: Ready again, nobody touching it.
 *   <li>A master crashed (every process of its namespaces killed by PID) and booted again: the
 *       operator starts its services and ZooKeeper rejoins; the cluster is Ready.
 *   <li>Deleting the cluster (and the write test's machine) leaves no machine, namespace, veth,
 *       process, mount or state directory.
 * </ol>
 *
 * <p>Each scenario records its row into the reliability figures; with {@code
 * -Dreliability.writeDoc=true} the class regenerates docs/reliability.md's table at the end. Needs
 * root and {@code .ci/install-packages.sh}; skips outside CI when missing, fails in CI. Traffic
 * goes only to loopback and to the test's own bridges {@value #WRITE_CIDR} and {@value
 * #CLUSTER_CIDR}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class RealNodeFaultsIT {
  private static final String NS = "faults";
  private static final String WRITE_CIDR = "10.213.214.0/24";
  private static final String WRITE_BRIDGE = "mofw214";
  private static final String CLUSTER_CIDR = "10.213.215.0/24";
  private static final String NAME = "faults";
  private static final Duration RESYNC = Duration.ofSeconds(4);
  private static final Duration READY_DEADLINE = Duration.ofMinutes(5);
  private static final String ZK_MAIN = "org.apache.zookeeper.server.quorum.QuorumPeerMain";
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));
  private static final Pattern MODE = Pattern.compile("(?m)^Mode: (\\S+)");
  private static final String BIG_FILE = "/etc/mesos-operator-faults/big.conf";
  private static final String APPLY_LOCK = "/run/lock/mesos-operator-apply.lock";
  private static final int WRITE_ROUNDS = 12;
  private static final int OPERATOR_KILLS = 10;

  private final Map<String, Long> timings = new LinkedHashMap<>();
  private final long seed = Long.getLong("faults.seed", System.nanoTime());
  private final Random random = new Random(seed);
  private KubernetesClient client;
  private Path stateDir;
  private LocalCluster operator;
  private String uid;
  private LocalMachineProvider writeProvider;
  private final String writeUid = "faults-write-" + Long.toHexString(seed & 0xffffffffL);
  private final Set<String> clusterMachines = new LinkedHashSet<>();
  private final Set<Long> everyPid = new LinkedHashSet<>();

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRealNodes("real-node faults IT");
    System.out.println("faults IT: seed " + seed + " (repeat with -Dfaults.seed=" + seed + ")");
    stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-faults-");
    ControlPlane cp = ControlPlane.shared();
    client = cp.client();
    cp.installCrds(ROOT, NS);
  }

  @AfterAll
  void tearDown() throws Exception {
    List<String> leftovers = new ArrayList<>();
    if (operator != null) {
      operator.close();
      if (uid != null) {
        leftovers.addAll(LocalCluster.destroyLeftovers(stateDir, CLUSTER_CIDR, uid));
      }
    }
    if (writeProvider != null) {
      for (Machine m : writeProvider.list(writeUid)) {
        writeProvider.destroy(m.id());
        leftovers.add(m.id());
      }
      writeProvider.releaseNetwork(writeUid);
    }
    if (stateDir != null) {
      LocalCluster.host(List.of("rm", "-rf", "--one-file-system", stateDir.toString()));
    }
    System.out.println("faults IT timings (ms): " + timings);
    if (!leftovers.isEmpty()) {
      System.out.println("faults IT: teardown destroyed leftover machines " + leftovers);
    }
    if ("true".equals(System.getProperty("reliability.writeDoc"))) {
      ReliabilityReport.write(Figures.FILE, ROOT.resolve("docs/reliability.md"));
    }
  }

  // ---- 1. connection dropped mid-write ----

  @Test
  @Order(1)
  void aConnectionDroppedMidWriteLeavesTheOldOrTheNewFileAndNoTempFile() throws Exception {
    ClusterKeys.Key key = ClusterKeys.generate();
    writeProvider =
        new LocalMachineProvider(
            WRITE_BRIDGE, WRITE_CIDR, stateDir.resolve("write"), key.publicKey(), key.privateKey());
    Machine m =
        writeProvider.create(
            new MachineRequest(
                writeUid, "faults", "fw-node-1", "agent", RoleType.AGENT, null, null, List.of()));
    // Short service polls: the configs below have no services. No kept connections: each pass
    // has its own sshd session, so the one killed is the one writing, and the node's process
    // list is back to idle once a pass ends.
    SshNodeConfigurer configurer =
        new SshNodeConfigurer(
            new SshjSessions(SshjSessions.Timeouts.DEFAULT, SshjSessions.Pooling.OFF),
            new SshNodeConfigurer.Settings(Duration.ofSeconds(5), Duration.ofMillis(500)));
    String a = bigContent("a", new Random(seed));
    String b = bigContent("b", new Random(seed + 1));
    Map<String, String> bySha = Map.of(sha(a), "a", sha(b), "b");

    NodeResult first = configurer.configure(target(m, key, null), f -> config(m, a));
    assertThat(first.configured().isTrue()).as(first.configured().toString()).isTrue();
    String pin = first.hostKey();
    NodeTarget target = target(m, key, pin);
    assertThat(shaOnNode(m.id())).isEqualTo(sha(a));
    Set<Long> idle = new LinkedHashSet<>(LocalCluster.netnsPids(m.id()));
    Set<Long> writePids = new LinkedHashSet<>(idle);

    // How long a write pass takes, so the drops land inside one: the fastest of three clean
    // passes (a single measurement, often the first and coldest, overshot so far that most drops
    // came after the pass had ended).
    long passMs = Long.MAX_VALUE;
    for (String content : List.of(b, a, b)) {
      long t0 = System.nanoTime();
      NodeResult clean = configurer.configure(target, f -> config(m, content));
      passMs = Math.min(passMs, ms(t0));
      assertThat(clean.changes()).isPositive();
      assertThat(shaOnNode(m.id())).isEqualTo(sha(content));
    }
    timings.put("clean 1 MiB write pass (fastest of 3)", passMs);

    ExecutorService pool = Executors.newSingleThreadExecutor();
    int hits = 0;
    int oldKept = 0;
    int newWritten = 0;
    int mixed = 0;
    int orphans = 0;
    long slowestFollow = 0;
    List<String> log = new ArrayList<>();
    try {
      String current = b;
      for (int i = 0; i < WRITE_ROUNDS; i++) {
        String want = current.equals(a) ? b : a;
        boolean wholeTree = i % 2 == 1;
        long delay = (long) (random.nextDouble() * passMs * 0.9);
        Future<NodeResult> pass =
            pool.submit(() -> configurer.configure(target, f -> config(m, want)));
        Thread.sleep(delay);
        List<Long> killed = killSessions(m.id(), wholeTree);
        writePids.addAll(killed);
        NodeResult r = pass.get(90, TimeUnit.SECONDS);
        if (!killed.isEmpty()) {
          hits++;
        }
        // Whatever still runs of the dropped pass (an orphaned shell finishing its step) is
        // left alone: the file is the old or the new content at every instant...
        boolean orphan = !quiet(m.id(), idle);
        if (orphan) {
          orphans++;
        }
        String onNode = bySha.getOrDefault(shaOnNode(m.id()), "MIX");
        if (onNode.equals("MIX")) {
          mixed++;
        }
        // ...and the next pass, started at once, waits on the node's apply lock for it instead
        // of racing it (the orphan and the new pass would delete each other's temp files).
        long t1 = System.nanoTime();
        NodeResult follow = configurer.configure(target, f -> config(m, want));
        long followMs = ms(t1);
        slowestFollow = Math.max(slowestFollow, followMs);
        assertThat(follow.configured().isTrue())
            .as("round %d: the pass after the drop: %s", i, follow.configured())
            .isTrue();
        assertThat(shaOnNode(m.id())).as("round %d", i).isEqualTo(sha(want));
        // Nothing left to write: the dropped pass (or its orphan) had written the new file.
        if (follow.changes() == 0) {
          newWritten++;
        } else {
          oldKept++;
        }
        current = want;
        log.add(
            String.format(
                "%d:%s@%dms killed=%d pass=%s orphan=%s file=%s next=%s/%dms",
                i,
                wholeTree ? "tree" : "sshd",
                delay,
                killed.size(),
                r.configured().reason(),
                orphan,
                onNode,
                follow.changes() == 0 ? "nothing" : "wrote",
                followMs));
      }
    } finally {
      pool.shutdownNow();
    }
    System.out.println("faults IT: mid-write drops " + log);
    assertThat(mixed).as("files that are neither the old nor the new content").isZero();
    assertThat(hits).as("drops that hit a live session").isGreaterThanOrEqualTo(WRITE_ROUNDS / 2);
    // No orphan of a dropped pass outlives its step: the node is idle again, by itself.
    awaitQuietly(m.id(), idle, Duration.ofSeconds(30));

    // The next pass that writes in that directory converges and leaves no temp file.
    String c = bigContent("c", new Random(seed + 2));
    NodeResult after = configurer.configure(target, f -> config(m, c));
    assertThat(after.configured().isTrue()).as(after.configured().toString()).isTrue();
    assertThat(shaOnNode(m.id())).isEqualTo(sha(c));
    assertThat(nodeSh(writeProvider, m.id(), "ls -A /etc/mesos-operator-faults").split("\n"))
        .containsExactly("big.conf");
    NodeResult again = configurer.configure(target, f -> config(m, c));
    assertThat(again.changes()).as("a converged node: nothing written").isZero();

    // A pass that finds another pass holding the node's apply lock for longer than it waits:
    // NodeBusy, nothing written; once the other is gone, the next pass converges.
    String d = bigContent("d", new Random(seed + 3));
    long busyMs;
    Process holder =
        new ProcessBuilder(
                writeProvider.nsenterCommand(
                    m.id(), List.of("flock", "-o", APPLY_LOCK, "sleep", "60")))
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectErrorStream(true)
            .start();
    try {
      await(
          "the test holds the node's apply lock",
          Duration.ofSeconds(10),
          () ->
              nodeSh(
                      writeProvider,
                      m.id(),
                      "if flock -n " + APPLY_LOCK + " true; then echo free; else echo held; fi")
                  .equals("held"));
      long t2 = System.nanoTime();
      NodeResult busy = configurer.configure(target, f -> config(m, d));
      busyMs = ms(t2);
      assertThat(busy.configured().reason()).as(busy.configured().toString()).isEqualTo("NodeBusy");
      assertThat(busy.reachable().isTrue()).isTrue();
      assertThat(busy.changes()).isZero();
      assertThat(shaOnNode(m.id())).isEqualTo(sha(c));
    } finally {
      holder.descendants().forEach(ProcessHandle::destroyForcibly);
      holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    NodeResult free = configurer.configure(target, f -> config(m, d));
    assertThat(free.configured().isTrue()).as(free.configured().toString()).isTrue();
    assertThat(shaOnNode(m.id())).isEqualTo(sha(d));
    timings.put("pass refused by a held apply lock (NodeBusy)", busyMs);
    timings.put("slowest pass right after a drop", slowestFollow);

    writePids.addAll(LocalCluster.netnsPids(m.id()));
    writeProvider.destroy(m.id());
    writeProvider.releaseNetwork(writeUid);
    assertNothingLeft(writeProvider.list(writeUid), List.of(m.id()), WRITE_BRIDGE, writePids);
    Figures.record(
        "real nodes: SSH dropped mid-write",
        new Figures.Row(
            hits,
            hits - mixed,
            mixed,
            0,
            0,
            WRITE_ROUNDS
                + " passes writing a 1 MiB file, sshd session (or it and every process of the"
                + " pass) killed by PID at random 0-"
                + (passMs * 9 / 10)
                + " ms, "
                + hits
                + " of them during the pass; the file was the old content "
                + oldKept
                + " times, the new "
                + newWritten
                + ", a mix "
                + mixed
                + "; the next pass, started at once, waited on the node's apply lock for "
                + orphans
                + " orphans still running and always converged; nothing killed them; a held"
                + " lock gives NodeBusy with nothing written; no temp file; machine deleted,"
                + " nothing left"));
  }

  // ---- 2. the operator killed mid-converge ----

  @Test
  @Order(2)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void theOperatorKilledTenTimesDuringAConvergeEndsReadyWithSixMachines() throws Exception {
    long t0 = System.nanoTime();
    operator = new LocalCluster(client, stateDir, RESYNC, Set.of(NS));
    MesosCluster created = client.resource(load(clusterYaml())).create();
    uid = created.getMetadata().getUid();
    int midConverge = 0;
    int replaced = 0;
    List<String> log = new ArrayList<>();
    for (int i = 0; i < OPERATOR_KILLS; i++) {
      if (i > 0) {
        operator.startOperator();
      }
      long delay = 200 + random.nextInt(1300);
      Thread.sleep(delay);
      boolean ready = converged();
      List<Machine> now = machines();
      now.forEach(x -> clusterMachines.add(x.id()));
      operator.stopOperator();
      String note = "";
      if (!ready) {
        midConverge++;
      } else {
        // Ready at this kill: a user replaces an agent (its MesosNode deleted), so the
        // next run has a converge to be killed in, and its machine must go, not be doubled.
        List<MesosNode> agents =
            nodes().stream().filter(n -> n.getSpec().getRoleType() == RoleType.AGENT).toList();
        MesosNode victim = agents.get(random.nextInt(agents.size()));
        client.resource(victim).delete();
        replaced++;
        note = " Ready, replacing " + victim.getMetadata().getName();
      }
      log.add(i + ":" + delay + "ms machines=" + now.size() + note);
    }
    System.out.println("faults IT: operator kills " + log);
    operator.startOperator();
    awaitReady();
    timings.put("apply to Ready through 10 operator kills (3+3)", ms(t0));

    List<Machine> machines = machines();
    machines.forEach(x -> clusterMachines.add(x.id()));
    List<MesosNode> nodes = nodes();
    assertThat(nodes).hasSize(6);
    assertThat(machines).hasSize(6);
    Set<String> nodeMachines =
        nodes.stream().map(n -> n.getStatus().getMachineId()).collect(Collectors.toSet());
    assertThat(nodeMachines)
        .containsExactlyInAnyOrderElementsOf(machines.stream().map(Machine::id).toList());
    assertThat(machines.stream().map(Machine::node).distinct().count()).isEqualTo(6);
    assertThat(midConverge).as("kills in the middle of a converge").isGreaterThanOrEqualTo(6);
    int lost = Math.abs(machines.size() - 6);
    Figures.record(
        "real nodes: operator killed mid-converge",
        new Figures.Row(
            OPERATOR_KILLS + replaced,
            OPERATOR_KILLS + replaced,
            lost,
            0,
            0,
            OPERATOR_KILLS
                + " stops of the operator at random 0.2-1.5 s after its start during a 3+3 converge"
                + " on the local provider ("
                + midConverge
                + " mid-converge; seeded), "
                + replaced
                + " agents replaced between stops that found it Ready: ends Ready with exactly"
                + " 6 machines, one per node"));
  }

  // ---- 3. network cut and restored ----

  @Test
  @Order(3)
  void anAgentCutFromTheNetworkIsReportedAndRecoversOnItsOwn() throws Exception {
    MesosNode victim =
        nodes().stream()
            .filter(n -> n.getSpec().getRoleType() == RoleType.AGENT)
            .max(Comparator.comparing(n -> n.getMetadata().getName()))
            .orElseThrow();
    String name = victim.getMetadata().getName();
    String veth = LocalMachineProvider.hostVeth(victim.getStatus().getMachineId());
    long t0 = System.nanoTime();
    LocalCluster.host(List.of("ip", "link", "set", veth, "down"));
    try {
      await(
          name + " Reachable=False",
          Duration.ofMinutes(2),
          () -> "False".equals(condition(node(name), "Reachable")));
      timings.put("link down to Reachable=False", ms(t0));
      // The rest converges around it: two more resyncs, every other node still Configured.
      Thread.sleep(RESYNC.multipliedBy(2).toMillis());
      MesosCluster degraded = cluster();
      System.out.println("faults IT: cut: " + describe(degraded));
      assertThat(condition(node(name), "Reachable")).isEqualTo("False");
      assertThat(nodes())
          .filteredOn(n -> !n.getMetadata().getName().equals(name))
          .hasSize(5)
          .allMatch(n -> "True".equals(condition(n, "Configured")), "Configured");
      assertThat(condition(degraded, "Ready")).isEqualTo("False");
      assertThat(degraded.getStatus().getAgents()).isEqualTo("2/3");
      assertThat(degraded.getStatus().getMasters()).isEqualTo("3/3");
    } finally {
      LocalCluster.host(List.of("ip", "link", "set", veth, "up"));
    }
    long t1 = System.nanoTime();
    awaitReady();
    timings.put("link up to Ready", ms(t1));
    assertThat(condition(node(name), "Reachable")).isEqualTo("True");
    assertThat(condition(node(name), "Ready")).isEqualTo("True");
    assertThat(machines()).hasSize(6);
    Figures.record(
        "real nodes: network cut",
        new Figures.Row(
            1,
            1,
            0,
            0,
            0,
            "an agent's veth set down on the bridge: its MesosNode Reachable=False, the other 5"
                + " stay Configured, the cluster Ready=False with agents 2/3; link up: Ready"
                + " again with no one acting, same 6 machines"));
  }

  // ---- 4. crash and reboot ----

  @Test
  @Order(4)
  void aCrashedMasterBootedAgainGetsItsServicesBackAndRejoins() throws Exception {
    MesosNode victim =
        nodes().stream()
            .filter(n -> Integer.valueOf(2).equals(n.getSpec().getZkId()))
            .findFirst()
            .orElseThrow();
    String name = victim.getMetadata().getName();
    String id = victim.getStatus().getMachineId();
    String address = victim.getStatus().getPrivateAddress();
    List<Long> before = LocalCluster.netnsPids(id);
    List<Long> zkBefore = zooKeeperPids(id);
    assertThat(zkBefore).hasSize(1);
    everyPid.addAll(before);
    long t0 = System.nanoTime();
    // The crash: every process of the machine, by PID, only those in its network namespace.
    List<String> kill = new ArrayList<>(List.of("kill", "-9"));
    before.forEach(p -> kill.add(Long.toString(p)));
    try {
      LocalCluster.host(kill);
    } catch (IOException someExited) {
      // short-lived commands (an SSH pass) may have exited since the listing
    }
    await(
        "every process of " + id + " gone",
        Duration.ofSeconds(20),
        () -> before.stream().noneMatch(LocalCluster::alive));
    await(
        "the operator sees " + name + " down",
        Duration.ofMinutes(2),
        () -> {
          MesosNode n = node(name);
          return "False".equals(condition(n, "MachineReady"))
              || "False".equals(condition(n, "Reachable"));
        });
    System.out.println("faults IT: crashed: " + conditions(node(name)));
    timings.put("crash to noticed", ms(t0));
    // The boot, as a power cycle: the provider starts its init and sshd from the same disk.
    try (LocalMachineProvider boot =
        new LocalMachineProvider(null, CLUSTER_CIDR, stateDir, null, null)) {
      boot.reboot(id);
    }
    long t1 = System.nanoTime();
    await(
        "ZooKeeper on " + name + " back in the ensemble",
        Duration.ofMinutes(3),
        () -> {
          String mode = mode(srvr(address));
          return ("leader".equals(mode) || "follower".equals(mode))
              && !zooKeeperPids(id).isEmpty()
              && zooKeeperPids(id).stream().noneMatch(zkBefore::contains);
        });
    awaitReady();
    timings.put("boot to Ready", ms(t1));
    assertThat(condition(node(name), "Ready")).isEqualTo("True");
    assertThat(node(name).getStatus().getMachineId()).as("the same machine").isEqualTo(id);
    List<String> modes = new ArrayList<>();
    for (MesosNode n : nodes()) {
      if (n.getSpec().getRoleType() == RoleType.MASTER) {
        modes.add(mode(srvr(n.getStatus().getPrivateAddress())));
      }
    }
    assertThat(modes).containsExactlyInAnyOrder("leader", "follower", "follower");
    // The boot made one namespace and one veth again, no second of either.
    assertThat(
            LocalCluster.host(List.of("ip", "netns", "list"))
                .lines()
                .filter(l -> l.startsWith(id + " ") || l.equals(id))
                .count())
        .isEqualTo(1);
    assertThat(
            LocalCluster.host(List.of("ip", "-o", "link", "show"))
                .lines()
                .filter(l -> l.contains(LocalMachineProvider.hostVeth(id)))
                .count())
        .isEqualTo(1);
    assertThat(machines()).hasSize(6);
    Figures.record(
        "real nodes: crash and reboot",
        new Figures.Row(
            1,
            1,
            0,
            0,
            0,
            "every process of a master killed by PID (ZooKeeper, stand-ins, sshd, init): the"
                + " operator reports it down; booted again from its disk, the operator starts"
                + " its services, ZooKeeper rejoins (leader + 2 followers), the cluster is Ready"
                + " on the same machine"));
  }

  // ---- 5. delete: nothing left ----

  @Test
  @Order(5)
  void deletingTheClusterLeavesNothingOnTheHost() throws Exception {
    String bridge = operator.local(uid).bridge();
    List<Machine> machines = machines();
    assertThat(machines).hasSize(6);
    for (Machine m : machines) {
      everyPid.addAll(LocalCluster.netnsPids(m.id()));
    }
    long t0 = System.nanoTime();
    client.resources(MesosCluster.class).inNamespace(NS).withName(NAME).delete();
    await(
        "cluster and nodes gone",
        Duration.ofMinutes(2),
        () -> cluster() == null && nodes().isEmpty());
    timings.put("delete to gone", ms(t0));
    List<String> ids = new ArrayList<>(clusterMachines);
    assertNothingLeft(operator.local(uid).list(uid), ids, bridge, everyPid);
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(stateDir, "lm-*")) {
      assertThat(dirs).isEmpty();
    }
    uid = null;
    Figures.record(
        "real nodes: no leftovers",
        new Figures.Row(
            0,
            0,
            0,
            0,
            0,
            "after the faults above, deleting the cluster (and the write test's machine) leaves"
                + " 0 of the "
                + ids.size()
                + " machines ever seen, their namespaces, veths, "
                + everyPid.size()
                + " processes seen in them, mounts, state directories or the bridges"));
  }

  // ---- helpers ----

  private static void assertNothingLeft(
      List<Machine> listed, List<String> ids, String bridge, Set<Long> pids) throws Exception {
    assertThat(listed).isEmpty();
    String netns = LocalCluster.host(List.of("ip", "netns", "list"));
    String links = LocalCluster.host(List.of("ip", "-o", "link", "show"));
    String mounts = Files.readString(Path.of("/proc/self/mounts"));
    for (String id : ids) {
      assertThat(netns).as("namespace " + id).doesNotContain(id);
      assertThat(links).as("veth of " + id).doesNotContain(id.substring(3));
      assertThat(mounts).as("mounts of " + id).doesNotContain(id);
    }
    assertThat(links).as("bridge").doesNotContain(bridge + ":");
    assertThat(pids).as("processes").noneMatch(LocalCluster::alive);
  }

  private NodeTarget target(Machine m, ClusterKeys.Key key, String pin) {
    return new NodeTarget(
        m.node(), m.privateAddress(), 22, "root", key.privateKey(), null, pin, null, false);
  }

  private static NodeConfig config(Machine m, String content) {
    return new NodeConfig(
        m.node(),
        RoleType.AGENT,
        m.node(),
        List.of(ManagedFile.whole(BIG_FILE, content)),
        null,
        List.of(),
        false,
        false,
        List.of(),
        List.of(),
        Map.of());
  }

  /** About 1 MiB of distinct lines, so old, new and any mix of them are told apart. */
  private static String bigContent(String tag, Random r) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (b.length() < 1 << 20) {
      b.append(tag)
          .append(String.format("-%06d = ", i++))
          .append(Long.toHexString(r.nextLong()))
          .append(Long.toHexString(r.nextLong()))
          .append('\n');
    }
    return b.toString();
  }

  private String shaOnNode(String id) throws IOException {
    String out = nodeSh(writeProvider, id, "sha256sum " + BIG_FILE + " 2>/dev/null || echo absent");
    return out.split("\\s+")[0];
  }

  private static String nodeSh(LocalMachineProvider p, String id, String script)
      throws IOException {
    return StandIns.nsenter(p, id).run(List.of("sh", "-c", script), null).strip();
  }

  /**
   * Kills, by PID, the sshd processes serving a connection (never the listener); with {@code
   * wholeTree} also every process they started (the pass's shell and its children) at once.
   */
  private List<Long> killSessions(String netns, boolean wholeTree) throws IOException {
    List<Long> sessions = new ArrayList<>();
    for (long pid : LocalCluster.netnsPids(netns)) {
      String cmd = LocalCluster.cmdline(pid);
      if (cmd.startsWith("sshd: ") && !cmd.contains("[listener]")) {
        sessions.add(pid);
      }
    }
    Set<Long> victims = new LinkedHashSet<>(sessions);
    if (wholeTree) {
      for (long pid : sessions) {
        descendants(pid, victims);
      }
    }
    if (victims.isEmpty()) {
      return List.of();
    }
    List<String> argv = new ArrayList<>(List.of("kill", "-9"));
    victims.forEach(p -> argv.add(Long.toString(p)));
    // Some may have exited in between: kill's exit code does not matter, the PIDs do.
    try {
      LocalCluster.host(argv);
    } catch (IOException someGone) {
      // reported by kill for PIDs that exited meanwhile
    }
    return List.copyOf(victims);
  }

  private static void descendants(long pid, Set<Long> into) {
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks)) {
      for (Path t : ds) {
        for (String c : Files.readString(t.resolve("children")).trim().split("\\s+")) {
          if (c.matches("\\d{1,10}") && into.add(Long.parseLong(c))) {
            descendants(Long.parseLong(c), into);
          }
        }
      }
    } catch (IOException gone) {
      // exited meanwhile
    }
  }

  /** Whether only the idle node's processes (init, sshd listener) are left. */
  private static boolean quiet(String netns, Set<Long> idle) throws IOException {
    for (long pid : LocalCluster.netnsPids(netns)) {
      if (!idle.contains(pid) && LocalCluster.alive(pid)) {
        return false;
      }
    }
    return true;
  }

  private static void awaitQuietly(String netns, Set<Long> idle, Duration limit) throws Exception {
    await(
        "the pass's processes on " + netns + " gone",
        limit,
        () -> {
          for (long pid : LocalCluster.netnsPids(netns)) {
            if (!idle.contains(pid) && LocalCluster.alive(pid)) {
              return false;
            }
          }
          return true;
        });
  }

  private static String sha(String s) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  private String clusterYaml() {
    return "apiVersion: mesosoperator.io/v1alpha1\n"
        + "kind: MesosCluster\n"
        + "metadata:\n"
        + "  name: "
        + NAME
        + "\n"
        + "  namespace: "
        + NS
        + "\n"
        + "spec:\n"
        + "  cloud:\n"
        + "    provider: local\n"
        + "    network:\n"
        + "      cidr: "
        + CLUSTER_CIDR
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
        + "      replicas: 3\n"
        + "    - name: agent\n"
        + "      type: agent\n"
        + "      replicas: 3\n"
        + "  marathon:\n"
        + "    apps:\n"
        + "      - id: /faults/hello\n"
        + "        cmd: \"while true; do sleep 60; done\"\n"
        + "        cpus: 0.1\n"
        + "        mem: 16\n"
        + "        instances: 1\n";
  }

  private MesosCluster load(String yaml) {
    return client
        .resources(MesosCluster.class)
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .item();
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_DEADLINE.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      MesosCluster c = cluster();
      String now = conditions(c);
      if (!now.equals(last)) {
        System.out.println("faults IT: " + now);
        last = now;
      }
      if (converged()) {
        return;
      }
      pause(500);
    }
    StringBuilder why = new StringBuilder("not Ready within " + READY_DEADLINE + ": ");
    why.append(describe(cluster()));
    for (MesosNode n : nodes()) {
      why.append("\n  node ").append(n.getMetadata().getName()).append(": ").append(conditions(n));
    }
    fail(why.toString());
  }

  /**
   * The cluster says Ready and its nodes agree: all six there, none being deleted, each Ready. The
   * cluster's Ready alone can be from before a node was deleted (the status is written by its own
   * reconcile, which may not have run yet since), and a test must not end on that.
   */
  private boolean converged() {
    if (!isTrue(cluster(), "Ready")) {
      return false;
    }
    List<MesosNode> nodes = nodes();
    return nodes.size() == 6
        && nodes.stream()
            .allMatch(n -> n.getMetadata().getDeletionTimestamp() == null && isTrue(n, "Ready"));
  }

  private static String describe(MesosCluster c) {
    if (c == null || c.getStatus() == null) {
      return "(no status)";
    }
    return "masters "
        + c.getStatus().getMasters()
        + ", agents "
        + c.getStatus().getAgents()
        + "; "
        + c.getStatus().getConditions().stream()
            .map(
                x ->
                    x.getType()
                        + "="
                        + x.getStatus()
                        + "("
                        + x.getReason()
                        + ": "
                        + x.getMessage()
                        + ")")
            .collect(Collectors.joining(" "));
  }

  private static String conditions(Object resource) {
    List<Condition> cs = conditionList(resource);
    return cs.stream()
        .map(x -> x.getType() + "=" + x.getStatus() + "(" + x.getReason() + ")")
        .collect(Collectors.joining(" "));
  }

  private static List<Condition> conditionList(Object resource) {
    if (resource instanceof MesosCluster c && c.getStatus() != null) {
      return c.getStatus().getConditions();
    }
    if (resource instanceof MesosNode n && n.getStatus() != null) {
      return n.getStatus().getConditions();
    }
    return List.of();
  }

  private static String condition(Object resource, String type) {
    return conditionList(resource).stream()
        .filter(x -> type.equals(x.getType()))
        .map(Condition::getStatus)
        .findFirst()
        .orElse(null);
  }

  private static boolean isTrue(Object resource, String type) {
    return "True".equals(condition(resource, type));
  }

  private MesosCluster cluster() {
    return client.resources(MesosCluster.class).inNamespace(NS).withName(NAME).get();
  }

  private List<MesosNode> nodes() {
    return client.resources(MesosNode.class).inNamespace(NS).list().getItems().stream()
        .filter(n -> NAME.equals(n.getSpec().getCluster()))
        .sorted(Comparator.comparing(n -> n.getMetadata().getName()))
        .toList();
  }

  private MesosNode node(String name) {
    return client.resources(MesosNode.class).inNamespace(NS).withName(name).get();
  }

  private List<Machine> machines() throws Exception {
    try (LocalMachineProvider p =
        new LocalMachineProvider(null, CLUSTER_CIDR, stateDir, null, null)) {
      return p.list(uid);
    }
  }

  private static List<Long> zooKeeperPids(String machine) throws IOException {
    List<Long> out = new ArrayList<>();
    for (long pid : LocalCluster.netnsPids(machine)) {
      if (LocalCluster.cmdline(pid).contains(ZK_MAIN) && LocalCluster.alive(pid)) {
        out.add(pid);
      }
    }
    return out;
  }

  private static String srvr(String address) {
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

  private static String mode(String srvr) {
    Matcher m = MODE.matcher(srvr);
    return m.find() ? m.group(1) : null;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
