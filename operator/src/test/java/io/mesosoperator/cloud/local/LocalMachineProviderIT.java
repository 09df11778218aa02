package io.mesosoperator.cloud.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesosoperator.api.RoleType;
import io.mesosoperator.cloud.CloudException;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.MachineRequest;
import io.mesosoperator.testing.Prerequisites;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.common.SecurityUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import net.schmizz.sshj.userauth.UserAuthException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real machines on this host: namespaces, a bridge, sshd, ZooKeeper. Needs root and the packages of
 * {@code .ci/install-packages.sh}. Skips outside CI when they are missing; fails in CI.
 *
 * <p>Traffic goes only to the test's own bridge range {@value #CIDR}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalMachineProviderIT {

  private static final String CIDR = "10.213.250.0/24";
  private static final String BRIDGE = "moit250";
  private static final Duration CMD_TIMEOUT = Duration.ofSeconds(30);

  private final String uid = "it-" + UUID.randomUUID();
  private final String bulkUid = "it-bulk-" + UUID.randomUUID();
  private Path stateDir;
  private Path keyDir;
  private String publicKey;
  private String privateKey;
  private LocalMachineProvider provider;
  private final List<Machine> three = new ArrayList<>();
  private final Map<String, Long> initPids = new ConcurrentHashMap<>();

  @BeforeAll
  void prerequisites() throws Exception {
    Prerequisites.requireRealNodes("local provider IT");
    stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-local-it-");
    keyDir = Files.createTempDirectory("mo-local-it-key-");
    run(
        List.of(
            "ssh-keygen",
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "it",
            "-f",
            keyDir.resolve("id").toString()));
    publicKey = Files.readString(keyDir.resolve("id.pub")).strip();
    privateKey = Files.readString(keyDir.resolve("id"));
    provider = newProvider();
  }

  private LocalMachineProvider newProvider() {
    return new LocalMachineProvider(BRIDGE, CIDR, stateDir, publicKey, privateKey);
  }

  @AfterAll
  void cleanUp() throws Exception {
    if (provider == null) {
      return;
    }
    // Whatever a failed test left: every machine under our state dir, then the dir.
    for (String u : List.of(uid, bulkUid)) {
      for (Machine m : provider.list(u)) {
        provider.destroy(m.id());
      }
    }
    provider.releaseNetwork(uid);
    deleteQuietly(stateDir);
    deleteQuietly(keyDir);
  }

  @Test
  @Order(1)
  void createsThreeRunningMachinesWithDistinctAddresses() throws Exception {
    for (String node : List.of("it-m0", "it-m1", "it-m2")) {
      Machine m = provider.create(request(uid, node));
      assertThat(m.state()).isEqualTo(Machine.State.RUNNING);
      assertThat(m.initialLogin()).isNotNull();
      assertThat(m.initialLogin().user()).isEqualTo("root");
      assertThat(m.initialLogin().privateKey()).isEqualTo(privateKey);
      assertThat(m.initialLogin().toString()).doesNotContain("PRIVATE KEY");
      three.add(m);
    }
    List<Machine> listed = provider.list(uid);
    assertThat(listed).hasSize(3).allMatch(m -> m.state() == Machine.State.RUNNING);
    assertThat(listed).extracting(Machine::node).containsExactly("it-m0", "it-m1", "it-m2");
    assertThat(listed).extracting(Machine::role).containsOnly("masters");
    assertThat(listed).extracting(Machine::publicAddress).containsOnlyNulls();
    assertThat(listed)
        .extracting(Machine::privateAddress)
        .doesNotHaveDuplicates()
        .allMatch(a -> Cidr.parse(CIDR).contains(a))
        .doesNotContain("10.213.250.1");
    assertThat(provider.list("some-other-uid")).isEmpty();
    assertThat(run(List.of("ip", "-o", "-4", "addr", "show", "dev", BRIDGE)))
        .contains("10.213.250.1/24");
  }

  @Test
  @Order(2)
  void eachMachineAnswersOnPort22FromTheHost() throws Exception {
    for (Machine m : three) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(m.privateAddress(), 22), 2000);
        s.setSoTimeout(5000);
        String banner =
            new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                .readLine();
        assertThat(banner).startsWith("SSH-2.0-");
      }
    }
  }

  @Test
  @Order(3)
  void eachMachineHasItsOwnHostnameHostKeyAndProcessTable() throws Exception {
    String hostKey = Files.readString(Path.of("/etc/ssh/ssh_host_ed25519_key.pub"));
    Set<String> fingerprints = new HashSet<>();
    for (Machine m : three) {
      List<PublicKey> seen = new ArrayList<>();
      try (SSHClient ssh = ssh(m, seen)) {
        assertThat(exec(ssh, "hostname")).isEqualTo(m.node());
        assertThat(exec(ssh, "cat /etc/hostname")).isEqualTo(m.node());
        assertThat(exec(ssh, "tr '\\0' ' ' </proc/1/cmdline"))
            .contains("mesos-operator-local-init");
        // Own PID namespace: a handful of processes, not the host's hundreds.
        assertThat(Integer.parseInt(exec(ssh, "ls -d /proc/[0-9]* | wc -l"))).isLessThan(20);
        assertThat(exec(ssh, "ip -o -4 addr show dev eth0")).contains(m.privateAddress() + "/24");
        assertThat(exec(ssh, "ip route")).doesNotContain("default");
        String nodeKey = exec(ssh, "cat /etc/ssh/ssh_host_ed25519_key.pub");
        assertThat(nodeKey.split(" ")[1]).isNotEqualTo(hostKey.split(" ")[1]);
        assertThat(exec(ssh, "ls -A " + stateDir)).isEmpty();
        // A fresh cloud machine's home directories: nothing of the host's (its dotfiles would
        // run in every SSH command), only the provider's key for root.
        assertThat(exec(ssh, "ls -A /root")).isEqualTo(".ssh");
        assertThat(exec(ssh, "ls -A /root/.ssh")).isEqualTo("authorized_keys");
        assertThat(exec(ssh, "stat -c %a /root")).isEqualTo("700");
        assertThat(exec(ssh, "ls -A /home")).isEmpty();
      }
      // Nor the host's environment: a command entered from the host gets only the machine's.
      assertThat(run(provider.nsenterCommand(m.id(), List.of("env"))).lines().sorted())
          .containsExactly(
              "HOME=/root",
              "LANG=C.UTF-8",
              "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
      assertThat(seen).hasSize(1);
      fingerprints.add(SecurityUtils.getFingerprint(seen.get(0)));
    }
    assertThat(fingerprints).hasSize(3);

    // Key-only: another key is refused.
    Path other = keyDir.resolve("other");
    run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString()));
    try (SSHClient ssh = new SSHClient()) {
      ssh.addHostKeyVerifier(acceptAll(new ArrayList<>()));
      ssh.setConnectTimeout(5000);
      ssh.connect(three.get(0).privateAddress(), 22);
      assertThatThrownBy(() -> ssh.authPublickey("root", ssh.loadKeys(other.toString())))
          .isInstanceOf(UserAuthException.class);
      assertThatThrownBy(() -> ssh.authPassword("root", "root"))
          .isInstanceOf(UserAuthException.class);
    }
  }

  @Test
  @Order(4)
  void aFileWrittenInTheMachinesEtcStaysInTheMachine() throws Exception {
    Machine m = three.get(1);
    String marker = "mo-local-it-" + UUID.randomUUID();
    List<String> write =
        provider.nsenterCommand(m.id(), List.of("sh", "-c", "echo inside > /etc/" + marker));
    run(write);
    assertThat(run(provider.nsenterCommand(m.id(), List.of("cat", "/etc/" + marker))).strip())
        .isEqualTo("inside");
    assertThat(Path.of("/etc", marker)).doesNotExist();
    assertThat(run(provider.nsenterCommand(three.get(2).id(), List.of("ls", "/etc"))))
        .doesNotContain(marker);
  }

  @Test
  @Order(5)
  void aRestartedProviderFindsTheSameMachines() throws Exception {
    List<Machine> before = provider.list(uid);
    List<Machine> after = newProvider().list(uid);
    assertThat(after).hasSize(3).isEqualTo(before);
    assertThat(after).extracting(Machine::id).containsExactlyElementsOf(ids(three));
  }

  @Test
  @Order(6)
  void debianZooKeeperRunsStandaloneInsideAMachine() throws Exception {
    Machine m = three.get(0);
    String zooCfg =
        String.join(
            "\n",
            "tickTime=2000",
            "initLimit=10",
            "syncLimit=5",
            "dataDir=/var/lib/zookeeper",
            "clientPort=2181",
            "4lw.commands.whitelist=srvr,ruok",
            "admin.enableServer=false",
            "");
    try (SSHClient ssh = ssh(m, new ArrayList<>())) {
      exec(ssh, "printf '" + zooCfg.replace("\n", "\\n") + "' > /etc/zookeeper/conf/zoo.cfg");
      exec(ssh, "echo 1 > /etc/zookeeper/conf/myid");
      // Daemons started over SSH must let go of the session's stdin/stdout.
      exec(ssh, "/etc/init.d/zookeeper start </dev/null >/dev/null 2>&1; echo started");
      String srvr = "";
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (System.nanoTime() < deadline && !srvr.contains("Mode:")) {
        srvr =
            runAllowFail(
                List.of("sh", "-c", "echo srvr | nc -w 2 " + m.privateAddress() + " 2181"));
        Thread.sleep(300);
      }
      assertThat(srvr).contains("Mode: standalone");
      assertThat(Path.of("/run/zookeeper/zookeeper.pid")).doesNotExist(); // not the host's
      exec(ssh, "/etc/init.d/zookeeper stop </dev/null >/dev/null 2>&1; echo stopped");
      deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      boolean closed = false;
      while (System.nanoTime() < deadline && !closed) {
        closed = !portOpen(m.privateAddress(), 2181);
        Thread.sleep(200);
      }
      assertThat(closed).as("ZooKeeper stopped").isTrue();
    }
  }

  @Test
  @Order(7)
  void destroyLeavesNothingBehind() throws Exception {
    for (Machine m : three) {
      initPids.put(m.id(), initPid(m.id()));
    }
    Set<Long> nodePids = new HashSet<>();
    for (Machine m : three) {
      for (String s : run(List.of("ip", "netns", "pids", m.id())).split("\\s+")) {
        if (!s.isBlank()) {
          nodePids.add(Long.parseLong(s));
        }
      }
    }
    assertThat(nodePids).hasSizeGreaterThanOrEqualTo(6); // init + sshd per machine

    for (Machine m : three) {
      provider.destroy(m.id());
    }
    for (Machine m : three) {
      provider.destroy(m.id()); // idempotent
    }
    assertThat(provider.list(uid)).isEmpty();
    assertNothingLeft(ids(three), nodePids);
  }

  @Test
  @Order(8)
  void twelveMachinesComeAndGoQuickly() throws Exception {
    List<String> nodes = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      nodes.add("it-bulk-" + i);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Machine> made = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      List<Future<Machine>> futures = new ArrayList<>();
      for (String n : nodes) {
        futures.add(pool.submit(() -> provider.create(request(bulkUid, n))));
      }
      for (Future<Machine> f : futures) {
        made.add(f.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    long created = System.nanoTime() - t0;
    List<Machine> listed = provider.list(bulkUid);
    assertThat(listed).hasSize(12).allMatch(m -> m.state() == Machine.State.RUNNING);
    assertThat(listed).extracting(Machine::privateAddress).doesNotHaveDuplicates();
    for (Machine m : listed) {
      assertThat(portOpen(m.privateAddress(), 22)).as(m.node()).isTrue();
    }
    Set<Long> nodePids = new HashSet<>();
    for (Machine m : listed) {
      for (String s : run(List.of("ip", "netns", "pids", m.id())).split("\\s+")) {
        if (!s.isBlank()) {
          nodePids.add(Long.parseLong(s));
        }
      }
    }
    long t1 = System.nanoTime();
    for (Machine m : listed) {
      provider.destroy(m.id());
    }
    long destroyed = System.nanoTime() - t1;
    System.out.printf(
        "local provider: 12 machines created in %d ms (4 threads), destroyed in %d ms%n",
        created / 1_000_000, destroyed / 1_000_000);
    assertNothingLeft(ids(made), nodePids);
    assertThat(Duration.ofNanos(created)).isLessThan(Duration.ofSeconds(60));
  }

  @Test
  @Order(9)
  void networkIsIdempotentAndARangeInUseIsRefused() throws Exception {
    provider.ensureNetwork(null);
    String first = run(List.of("ip", "-o", "-4", "addr", "show", "dev", BRIDGE));
    provider.ensureNetwork(null);
    assertThat(run(List.of("ip", "-o", "-4", "addr", "show", "dev", BRIDGE))).isEqualTo(first);
    LocalMachineProvider rival =
        new LocalMachineProvider("moit250b", CIDR, stateDir.resolve("rival"), null, null);
    assertThatThrownBy(() -> rival.ensureNetwork(null))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("already used by interface " + BRIDGE);
    assertThat(run(List.of("ip", "-o", "link", "show"))).doesNotContain("moit250b");
    provider.releaseNetwork(uid);
    assertThat(run(List.of("ip", "-o", "link", "show"))).doesNotContain(BRIDGE);
  }

  @Test
  @Order(10)
  void aMachineWhoseInitDiedIsReportedAndStillDestroyedCleanly() throws Exception {
    Machine m = provider.create(request(uid, "it-crash"));
    long pid = initPid(m.id());
    Set<Long> nodePids = new HashSet<>();
    for (String s : run(List.of("ip", "netns", "pids", m.id())).split("\\s+")) {
      if (!s.isBlank()) {
        nodePids.add(Long.parseLong(s));
      }
    }
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Machine.State state = Machine.State.RUNNING;
    while (System.nanoTime() < deadline && state == Machine.State.RUNNING) {
      state = provider.list(uid).get(0).state();
      Thread.sleep(50);
    }
    assertThat(state).isEqualTo(Machine.State.ERROR);
    provider.destroy(m.id());
    assertThat(provider.list(uid)).isEmpty();
    assertNothingLeft(List.of(m.id()), nodePids);
  }

  // ---- helpers ----

  private void assertNothingLeft(List<String> ids, Set<Long> nodePids) throws Exception {
    String netns = run(List.of("ip", "netns", "list"));
    String links = run(List.of("ip", "-o", "link", "show"));
    String mounts = Files.readString(Path.of("/proc/mounts"));
    for (String id : ids) {
      assertThat(netns).doesNotContain(id);
      assertThat(links).doesNotContain(LocalMachineProvider.hostVeth(id));
      assertThat(mounts).doesNotContain(id);
      assertThat(stateDir.resolve(id)).doesNotExist();
    }
    assertThat(links).doesNotContain(BRIDGE);
    assertThat(mounts).doesNotContain(stateDir.toString());
    // Processes go asynchronously once their namespace's init is killed: allow a moment.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Set<Long> alive = nodePids;
    while (System.nanoTime() < deadline && !alive.isEmpty()) {
      alive = alive.stream().filter(LocalMachineProviderIT::isRunning).collect(Collectors.toSet());
      Thread.sleep(100);
    }
    assertThat(alive).as("processes of destroyed machines").isEmpty();
  }

  /** Alive and not a zombie waiting for its parent. */
  private static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (IOException e) {
      return false;
    }
  }

  private long initPid(String id) throws IOException {
    for (String line : Files.readAllLines(stateDir.resolve(id).resolve("machine.properties"))) {
      if (line.startsWith("initPid=")) {
        return Long.parseLong(line.substring("initPid=".length()));
      }
    }
    throw new IllegalStateException("no initPid for " + id);
  }

  private static List<String> ids(List<Machine> machines) {
    return machines.stream().map(Machine::id).toList();
  }

  private static MachineRequest request(String clusterUid, String node) {
    return new MachineRequest(
        clusterUid, "it", node, "masters", RoleType.MASTER, null, null, List.of());
  }

  private SSHClient ssh(Machine m, List<PublicKey> seen) throws IOException {
    SSHClient ssh = new SSHClient();
    ssh.addHostKeyVerifier(acceptAll(seen));
    ssh.setConnectTimeout(5000);
    ssh.setTimeout(30000);
    ssh.connect(m.privateAddress(), 22);
    ssh.authPublickey("root", ssh.loadKeys(keyDir.resolve("id").toString()));
    return ssh;
  }

  /** Records the host key it is shown; the test compares keys across machines itself. */
  private static HostKeyVerifier acceptAll(List<PublicKey> seen) {
    return new HostKeyVerifier() {
      @Override
      public boolean verify(String hostname, int port, PublicKey key) {
        seen.add(key);
        return true;
      }

      @Override
      public List<String> findExistingAlgorithms(String hostname, int port) {
        return List.of();
      }
    };
  }

  private static String exec(SSHClient ssh, String command) throws IOException {
    try (Session s = ssh.startSession()) {
      Session.Command c = s.exec(command);
      String out = IOUtils.readFully(c.getInputStream()).toString(StandardCharsets.UTF_8);
      c.join(30, TimeUnit.SECONDS);
      assertThat(c.getExitStatus()).as(command).isEqualTo(0);
      return out.strip();
    }
  }

  private static boolean portOpen(String address, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(address, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String run(List<String> argv) throws CloudException {
    return new HostCommands(CMD_TIMEOUT).check(argv);
  }

  private static String runAllowFail(List<String> argv) throws CloudException {
    return new HostCommands(CMD_TIMEOUT).run(argv).output();
  }

  private static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try {
      new HostCommands(CMD_TIMEOUT).run(List.of("rm", "-rf", "--one-file-system", dir.toString()));
    } catch (CloudException e) {
      // best effort
    }
  }
}
