package io.mesosoperator.e2e;

import static io.mesosoperator.e2e.Waits.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RemediatingNode;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.cloud.Machine;
import io.mesosoperator.cloud.local.LocalMachineProvider;
import io.mesosoperator.plan.Remediation;
import io.mesosoperator.testing.ControlPlane;
import io.mesosoperator.testing.Prerequisites;
import io.mesosoperator.testing.ThreadDump;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
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
 * Remediation on real nodes (local provider, real ZooKeeper, the TEST STAND-INS for Mesos and
 * Marathon), on the real control plane, with {@code unreachableAfter: 1m} (the shortest allowed)
 * and {@code maxConcurrent: 2}:
 *
 * <ol>
 *   <li>3 masters + 2 agents become Ready.
 *   <li>Both agents' and one master's links cut at once and kept down, with machine creates held
 *       (the cloud refuses them): after a minute two of the three are replaced first (two slots)
 *       and the third is seen waiting for a slot; then creates are allowed and all three finish.
 *       The master is replaced through master scaling under a new ZooKeeper id; never more than two
 *       at once; a ZooKeeper client on the host keeps writing through it all (the quorum held).
 *   <li>One master cut off from the other two masters (a drop rule in its own namespace) but still
 *       reachable from the operator: reported ({@code 2 of 3 members serving}), and for longer than
 *       {@code unreachableAfter} nothing is replaced, deleted or fenced; healed, Ready again.
 *   <li>Deleting the cluster leaves nothing.
 * </ol>
 *
 * Traffic goes only to loopback and to the test's bridge range {@value #CIDR}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RemediationRealIT {
  private static final String NS = "e2e-remedy";
  private static final String NAME = "remedy";
  private static final String CIDR = "10.213.205.0/24";
  private static final Duration RESYNC = Duration.ofSeconds(3);
  private static final Duration UNREACHABLE_AFTER = Duration.ofMinutes(1);
  private static final Path ROOT = Path.of(System.getProperty("project.root", ".."));

  private final Map<String, Long> timings = new LinkedHashMap<>();
  private KubernetesClient client;
  private Path stateDir;
  private LocalCluster operator;
  private String uid;
  private MasterScalingRealIT.ZkClientProbe zk;

  @BeforeAll
  void start() throws Exception {
    Prerequisites.requireRealNodes("remediation IT");
    ControlPlane cp = ControlPlane.shared();
    client = cp.client();
    cp.installCrds(ROOT, NS);
    stateDir = Files.createTempDirectory(Path.of("/var/tmp"), "mo-remedy-");
    operator = new LocalCluster(client, stateDir, RESYNC, Set.of(NS));
    // A master replaced through master scaling is fenced first (update-rc.d disable): the
    // stand-ins need the runlevel links a package would have.
    operator.registerInitLinks();
  }

  @AfterAll
  void tearDown() throws Exception {
    if (zk != null) {
      zk.close();
    }
    List<String> leftovers = new ArrayList<>();
    if (operator != null) {
      operator.close();
      if (uid != null) {
        leftovers.addAll(LocalCluster.destroyLeftovers(stateDir, CIDR, uid));
      }
    }
    if (stateDir != null) {
      LocalCluster.host(List.of("rm", "-rf", "--one-file-system", stateDir.toString()));
    }
    System.out.println("remediation IT timings (ms): " + timings);
    if (zk != null) {
      System.out.println("remediation IT: ZooKeeper client " + zk.summary());
    }
    if (!leftovers.isEmpty()) {
      System.out.println("remediation IT: teardown destroyed leftover machines " + leftovers);
    }
  }

  @Test
  @Order(1)
  void threeMastersAndTwoAgentsBecomeReady() throws Exception {
    long t0 = System.nanoTime();
    String yaml =
        LocalClusterE2EIT.clusterYaml(NS, NAME, CIDR, 3, 2, false)
            + "  remediation:\n"
            + "    unreachableAfter: 1m\n"
            + "    maxConcurrent: 2\n";
    MesosCluster created = client.resource(load(yaml)).create();
    uid = created.getMetadata().getUid();
    awaitReady(Duration.ofMinutes(4));
    timings.put("apply to Ready (3+2)", ms(t0));
    zk = new MasterScalingRealIT.ZkClientProbe(masterAddresses());
    zk.awaitFirstSuccess(Duration.ofSeconds(30));
  }

  @Test
  @Order(2)
  void twoAgentsAndAMasterCutOffAreReplacedTwoAtATimeTheMasterUnderANewId() throws Exception {
    Map<String, String> before = machineOfNode();
    MesosNode master = masters().get(2);
    String masterName = master.getMetadata().getName();
    int oldId = master.getSpec().getZkId();
    List<String> cut = new ArrayList<>(agentNames());
    cut.add(masterName);
    Set<String> cutMachines = new TreeSet<>();
    // No replacement may finish until the third broken node has been seen waiting for a slot: the
    // three turn unreachable up to a keep-alive apart, longer than an agent's replacement takes,
    // so without the hold the first replacement can end before the third is due.
    operator.holdCreates(true);
    for (String n : cut) {
      cutMachines.add(before.get(n));
      LocalCluster.host(
          List.of("ip", "link", "set", LocalMachineProvider.hostVeth(before.get(n)), "down"));
    }
    long t0 = System.nanoTime();
    int maxUnderWay = 0;
    long waited = -1;
    String last = "";
    // The links stay down: the old machines are gone once replaced, their veths with them.
    long deadline = System.nanoTime() + Duration.ofMinutes(7).toNanos();
    try {
      while (true) {
        MesosCluster c = cluster();
        List<RemediatingNode> underWay =
            c.getStatus().getRemediation() == null
                ? List.of()
                : c.getStatus().getRemediation().getNodes();
        maxUnderWay = Math.max(maxUnderWay, underWay.size());
        Condition remediating = condition(c, "Remediating");
        String now =
            remediating == null
                ? ""
                : remediating.getStatus()
                    + "/"
                    + remediating.getReason()
                    + ": "
                    + remediating.getMessage();
        if (!now.equals(last)) {
          System.out.println("remediation IT: Remediating " + now);
          last = now;
        }
        if (waited < 0
            && remediating != null
            && Remediation.CONCURRENCY_LIMIT.equals(remediating.getReason())) {
          waited = ms(t0); // three broken, two slots: whichever turned broken last waits
          timings.put("3 links down to the third waiting for a slot", waited);
          assertThat(underWay).as("under way while the third waits").hasSize(2);
          operator.holdCreates(false);
        }
        if (waited >= 0 && replaced(before, cut, oldId) && isReady(c)) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError(
              "not replaced within 7 minutes; last: "
                  + now
                  + "\n"
                  + describe()
                  + ThreadDump.ofOperator());
        }
        Thread.sleep(1000);
      }
    } finally {
      operator.holdCreates(false);
    }
    long took = ms(t0);
    timings.put("3 links down to all replaced and Ready", took);
    assertThat(took)
        .as("nothing replaced before unreachableAfter")
        .isGreaterThan(UNREACHABLE_AFTER.toMillis());
    assertThat(maxUnderWay).as("replacements under way at once").isEqualTo(2);
    MesosNode newMaster = node(masterName);
    assertThat(newMaster.getSpec().getZkId()).isNotEqualTo(oldId).isGreaterThan(3);
    assertThat(cluster().getStatus().getRemediation().getRetiredZooKeeperIds()).contains(oldId);
    assertThat(masters())
        .allSatisfy(
            n ->
                assertThat(n.getStatus().getEnsemble())
                    .contains(newMaster.getSpec().getZkId())
                    .doesNotContain(oldId));
    Set<String> machines = machines().stream().map(Machine::id).collect(Collectors.toSet());
    assertThat(machines).hasSize(5).doesNotContainAnyElementsOf(cutMachines);
    zk.assertHealthy("two agents and a master replaced");
  }

  @Test
  @Order(3)
  void aMasterCutOffFromItsPeersButNotFromTheOperatorIsReportedAndLeftAlone() throws Exception {
    List<MesosNode> masters = masters();
    MesosNode lonely = masters.get(0);
    String machine = lonely.getStatus().getMachineId();
    List<String> peers = masters.subList(1, masters.size()).stream().map(n -> address(n)).toList();
    Map<String, String> before = machineOfNode();
    Map<String, Integer> ids = zkIds();
    String set = String.join(", ", peers);
    String rules =
        "table inet remedy_partition {\n"
            + "  chain in { type filter hook input priority -10; policy accept;"
            + " ip saddr { "
            + set
            + " } drop; }\n"
            + "  chain out { type filter hook output priority -10; policy accept;"
            + " ip daddr { "
            + set
            + " } drop; }\n"
            + "}\n";
    Path file = stateDir.resolve("partition.nft");
    Files.writeString(file, rules);
    LocalCluster.host(List.of("ip", "netns", "exec", machine, "nft", "-f", file.toString()));
    long t0 = System.nanoTime();
    boolean reported = false;
    String lastSaid = "";
    try {
      // Longer than unreachableAfter plus a few passes: nothing may be acted on.
      long end = System.nanoTime() + UNREACHABLE_AFTER.plusSeconds(30).toNanos();
      while (System.nanoTime() < end) {
        MesosCluster c = cluster();
        Condition quorum = condition(c, "ZooKeeperQuorum");
        String said = quorum == null ? "" : quorum.getStatus() + ": " + quorum.getMessage();
        if (!said.equals(lastSaid)) {
          System.out.println("remediation IT: partition: ZooKeeperQuorum " + said);
          lastSaid = said;
        }
        if (quorum != null
            && quorum.getMessage() != null
            && quorum.getMessage().contains("2 of 3 members serving")) {
          if (!reported) {
            timings.put("partition to reported", ms(t0));
            System.out.println("remediation IT: partition reported: " + quorum.getMessage());
          }
          reported = true;
        }
        assertThat(machineOfNode()).as("no machine replaced").isEqualTo(before);
        assertThat(zkIds()).as("no ZooKeeper id changed").isEqualTo(ids);
        assertThat(
                c.getStatus().getRemediation() == null
                    || c.getStatus().getRemediation().getNodes().isEmpty())
            .as("no replacement under way")
            .isTrue();
        assertThat(nodes())
            .allSatisfy(
                n -> {
                  assertThat(n.getMetadata().getDeletionTimestamp()).isNull();
                  assertThat(n.getStatus().getFenced()).isNotEqualTo(Boolean.TRUE);
                });
        assertThat(condition(node(lonely.getMetadata().getName()), "Reachable").getStatus())
            .as("reachable from the operator")
            .isEqualTo("True");
        Thread.sleep(2000);
      }
    } finally {
      LocalCluster.host(
          List.of(
              "ip",
              "netns",
              "exec",
              machine,
              "nft",
              "delete",
              "table",
              "inet",
              "remedy_partition"));
    }
    assertThat(reported).as("the partition reported as 2 of 3 members serving").isTrue();
    long t1 = System.nanoTime();
    awaitReady(Duration.ofMinutes(3));
    timings.put("partition healed to Ready", ms(t1));
    assertThat(machineOfNode()).isEqualTo(before);
  }

  @Test
  @Order(4)
  void deletingTheClusterLeavesNothingOnTheHost() throws Exception {
    if (zk != null) {
      zk.close();
      zk = null;
    }
    LocalMachineProvider local = operator.local(uid);
    String bridge = local.bridge();
    List<Machine> machines = machines();
    client.resources(MesosCluster.class).inNamespace(NS).withName(NAME).delete();
    await(
        "cluster and nodes gone",
        Duration.ofMinutes(2),
        () -> cluster() == null && nodes().isEmpty());
    assertThat(local.list(uid)).isEmpty();
    String netns = LocalCluster.host(List.of("ip", "netns", "list"));
    String links = LocalCluster.host(List.of("ip", "-o", "link", "show"));
    for (Machine m : machines) {
      assertThat(netns).doesNotContain(m.id());
      assertThat(links).as("veth of " + m.id()).doesNotContain(m.id().substring(3));
    }
    assertThat(links).as("bridge").doesNotContain(bridge);
    uid = null;
  }

  // ---- helpers ----

  /** Each cut node runs on a machine other than before, the master also under another id. */
  private boolean replaced(Map<String, String> before, List<String> cut, int oldMasterId)
      throws Exception {
    Map<String, String> now = machineOfNode();
    for (String n : cut) {
      String m = now.get(n);
      if (m == null || m.equals(before.get(n))) {
        return false;
      }
    }
    return masters().size() == 3
        && masters().stream().noneMatch(n -> n.getSpec().getZkId() == oldMasterId);
  }

  private void awaitReady(Duration limit) throws Exception {
    try {
      awaitReadyOnce(limit);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n" + describe() + ThreadDump.ofOperator(), e);
    }
  }

  /** What a failure message needs: every condition not True, of the cluster and of each node. */
  private String describe() {
    StringBuilder out = new StringBuilder();
    MesosCluster c = cluster();
    out.append("cluster: ")
        .append(
            c == null
                ? "gone"
                : notTrue(c.getStatus() == null ? List.of() : c.getStatus().getConditions()));
    Condition ready = condition(c, "Ready");
    if (c != null && ready != null) {
      out.append(" generation=")
          .append(c.getMetadata().getGeneration())
          .append(" Ready=")
          .append(ready.getStatus())
          .append("@")
          .append(ready.getObservedGeneration());
    }
    if (c != null && c.getStatus() != null && c.getStatus().getRemediation() != null) {
      out.append(" remediation=").append(c.getStatus().getRemediation());
    }
    for (MesosNode n : nodes()) {
      out.append("\n  node ")
          .append(n.getMetadata().getName())
          .append(" zkId=")
          .append(n.getSpec().getZkId())
          .append(n.getMetadata().getDeletionTimestamp() == null ? "" : " deleting")
          .append(
              n.getStatus() == null
                  ? " no status"
                  : " machine="
                      + n.getStatus().getMachineId()
                      + " ensemble="
                      + n.getStatus().getEnsemble()
                      + " "
                      + notTrue(n.getStatus().getConditions()));
    }
    return out.toString();
  }

  private static String notTrue(List<Condition> conditions) {
    return conditions.stream()
        .filter(x -> !"True".equals(x.getStatus()))
        .map(x -> x.getType() + "=" + x.getReason() + " (" + x.getMessage() + ")")
        .collect(Collectors.joining("; "));
  }

  private void awaitReadyOnce(Duration limit) throws Exception {
    String[] last = {""};
    await(
        "Ready with 5 nodes",
        limit,
        () -> {
          MesosCluster c = cluster();
          if (c == null || c.getStatus() == null) {
            return false;
          }
          String now =
              c.getStatus().getConditions().stream()
                  .filter(x -> !"True".equals(x.getStatus()))
                  .map(x -> x.getType() + "=" + x.getReason())
                  .collect(Collectors.joining(" "));
          if (!now.equals(last[0])) {
            System.out.println("remediation IT: " + (now.isEmpty() ? "all True" : now));
            last[0] = now;
          }
          return isReady(c);
        });
  }

  /** Ready for this generation, and the nodes agree: five, none deleting, each Ready. */
  private boolean isReady(MesosCluster c) {
    Condition ready = condition(c, "Ready");
    if (ready == null
        || !"True".equals(ready.getStatus())
        || ready.getObservedGeneration() == null
        || ready.getObservedGeneration() < c.getMetadata().getGeneration()) {
      return false;
    }
    List<MesosNode> nodes = nodes();
    return nodes.size() == 5
        && nodes.stream()
            .allMatch(
                n ->
                    n.getMetadata().getDeletionTimestamp() == null
                        && condition(n, "Ready") != null
                        && "True".equals(condition(n, "Ready").getStatus()));
  }

  private static Condition condition(MesosCluster c, String type) {
    if (c == null || c.getStatus() == null) {
      return null;
    }
    return c.getStatus().getConditions().stream()
        .filter(x -> type.equals(x.getType()))
        .findFirst()
        .orElse(null);
  }

  private static Condition condition(MesosNode n, String type) {
    if (n == null || n.getStatus() == null) {
      return null;
    }
    return n.getStatus().getConditions().stream()
        .filter(x -> type.equals(x.getType()))
        .findFirst()
        .orElse(null);
  }

  private Map<String, String> machineOfNode() {
    Map<String, String> out = new LinkedHashMap<>();
    for (MesosNode n : nodes()) {
      out.put(
          n.getMetadata().getName(), n.getStatus() == null ? null : n.getStatus().getMachineId());
    }
    return out;
  }

  private Map<String, Integer> zkIds() {
    Map<String, Integer> out = new LinkedHashMap<>();
    masters().forEach(n -> out.put(n.getMetadata().getName(), n.getSpec().getZkId()));
    return out;
  }

  private List<String> agentNames() {
    return nodes().stream()
        .filter(n -> n.getSpec().getRoleType() == RoleType.AGENT)
        .map(n -> n.getMetadata().getName())
        .toList();
  }

  private MesosCluster load(String yaml) {
    return client
        .resources(MesosCluster.class)
        .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
        .item();
  }

  private MesosCluster cluster() {
    return client.resources(MesosCluster.class).inNamespace(NS).withName(NAME).get();
  }

  private MesosNode node(String name) {
    return client.resources(MesosNode.class).inNamespace(NS).withName(name).get();
  }

  private List<MesosNode> nodes() {
    return client.resources(MesosNode.class).inNamespace(NS).list().getItems().stream()
        .filter(n -> NAME.equals(n.getSpec().getCluster()))
        .sorted(Comparator.comparing(n -> n.getMetadata().getName()))
        .toList();
  }

  private List<MesosNode> masters() {
    return nodes().stream()
        .filter(n -> n.getSpec().getRoleType() == RoleType.MASTER)
        .sorted(Comparator.comparingInt(n -> n.getSpec().getOrdinal()))
        .toList();
  }

  private List<String> masterAddresses() {
    return masters().stream().map(RemediationRealIT::address).toList();
  }

  private static String address(MesosNode n) {
    return n.getStatus().getPrivateAddress();
  }

  private List<Machine> machines() throws Exception {
    return operator.local(uid).list(uid);
  }

  private static long ms(long t0) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
  }
}
