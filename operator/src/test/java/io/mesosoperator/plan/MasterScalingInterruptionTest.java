package io.mesosoperator.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mesosoperator.api.RoleType;
import io.mesosoperator.plan.MasterScaling.Create;
import io.mesosoperator.plan.MasterScaling.Delete;
import io.mesosoperator.plan.MasterScaling.Done;
import io.mesosoperator.plan.MasterScaling.Health;
import io.mesosoperator.plan.MasterScaling.Input;
import io.mesosoperator.plan.MasterScaling.Member;
import io.mesosoperator.plan.MasterScaling.Pin;
import io.mesosoperator.plan.MasterScaling.Reconfigure;
import io.mesosoperator.plan.MasterScaling.Settings;
import io.mesosoperator.plan.MasterScaling.Step;
import io.mesosoperator.plan.MasterScaling.Wait;
import io.mesosoperator.plan.Observation.ServiceState;
import io.mesosoperator.render.InitStyle;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeFacts;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Master scaling with steps that are not atomic: each step is carried out on a simulated master by
 * the real {@link NodePlan} and {@link RestartGate}, one action at a time (a file write, a restart,
 * a record), and the apply is cut after every action (a dropped SSH connection or a dead operator:
 * the node's status is not written). What the services actually run is what their files said when
 * they last (re)started, not what the files say now. Throughout, and while each ZooKeeper member
 * restarts, the running mesos-masters never exceed {@code 2 * quorum - 1} for the lowest quorum
 * they run with, and the running ZooKeeper members keep a majority of an ensemble in use.
 *
 * <p>The same simulation with a node that reports every running service as started with what its
 * files say (the premise "applied means running" of the operator before start records) finds the
 * lost restart: four masters running with a real quorum of 2 during 3→5.
 */
class MasterScalingInterruptionTest {
  static final String QUORUM = "/etc/mesos-master/quorum";
  static final String ZK = "/etc/mesos/zk";
  static final String MYID = "/etc/zookeeper/conf/myid";
  static final String ZOO_CFG = "/etc/zookeeper/conf/zoo.cfg";
  static final List<String> SERVICES = List.of("zookeeper", "mesos-master");
  static final NodeFacts FACTS = new NodeFacts("debian", "bookworm", InitStyle.SYSTEMD);

  /** The files a master renders for its settings (the renderer's shape, reduced to the quorum). */
  static NodeConfig config(String node, int zkId, Settings s) {
    StringBuilder zoo = new StringBuilder("tickTime=2000\ndataDir=/var/lib/zookeeper\n");
    StringBuilder zk = new StringBuilder();
    for (int id : s.ensemble()) {
      zoo.append("server.").append(id).append("=10.0.0.").append(id).append(":2888:3888\n");
      zk.append(zk.length() == 0 ? "zk://" : ",").append("10.0.0.").append(id).append(":2181");
    }
    List<ManagedFile> files =
        List.of(
            ManagedFile.whole(ZK, zk + "/mesos\n"),
            ManagedFile.whole(MYID, zkId + "\n"),
            ManagedFile.whole(ZOO_CFG, zoo.toString()),
            ManagedFile.whole(QUORUM, s.quorum() + "\n"));
    Map<String, List<String>> triggers = new LinkedHashMap<>();
    triggers.put("zookeeper", List.of(MYID, ZOO_CFG));
    triggers.put("mesos-master", List.of(ZK, QUORUM));
    return new NodeConfig(
        node,
        RoleType.MASTER,
        node,
        files,
        null,
        List.of(),
        false,
        false,
        s.fenced() ? List.of() : SERVICES,
        s.fenced() ? SERVICES : List.of(),
        triggers);
  }

  /** One simulated master: its files, its processes (what they read at start), its records. */
  static final class Node {
    final String name;
    final int ordinal;
    final int zkId;
    Settings wanted;
    Settings applied;
    boolean configured;
    boolean deleting;
    final Map<String, String> disk = new HashMap<>();
    final Map<String, Map<String, String>> running = new HashMap<>();
    final Map<String, String> started = new HashMap<>();
    final Set<String> disabled = new TreeSet<>();
    String appliedDigest = "";

    Node(String name, int ordinal, int zkId, Settings wanted) {
      this.name = name;
      this.ordinal = ordinal;
      this.zkId = zkId;
      this.wanted = wanted;
    }

    Member member() {
      return new Member(name, ordinal, zkId, deleting, wanted, applied, configured);
    }

    /** The quorum the running mesos-master read when it started, or 0 when it is not running. */
    int runningQuorum() {
      Map<String, String> seen = running.get("mesos-master");
      return seen == null ? 0 : Integer.parseInt(seen.get(QUORUM).trim());
    }

    /** The ensemble the running ZooKeeper member read when it started, or null. */
    Set<Integer> runningEnsemble() {
      Map<String, String> seen = running.get("zookeeper");
      if (seen == null) {
        return null;
      }
      Set<Integer> ids = new TreeSet<>();
      for (String line : seen.get(ZOO_CFG).split("\n")) {
        if (line.startsWith("server.")) {
          ids.add(Integer.parseInt(line.substring(7, line.indexOf('='))));
        }
      }
      return ids;
    }

    Observation observe(NodeConfig c, boolean recordsFromFiles) {
      Map<String, String> whole = new HashMap<>();
      disk.forEach((path, text) -> whole.put(path, Digests.sha256(text)));
      Map<String, ServiceState> services = new HashMap<>();
      for (String s : SERVICES) {
        services.put(s, new ServiceState(running.containsKey(s), !disabled.contains(s), true));
      }
      Map<String, String> records = new HashMap<>(started);
      if (recordsFromFiles) {
        // The old premise: whatever runs, runs what its files say.
        running.keySet().forEach(s -> records.put(s, ConfigDigest.ofService(c, s)));
      }
      return new Observation(
          FACTS,
          whole,
          Map.of(),
          Map.of(),
          services,
          true,
          true,
          true,
          true,
          Map.of(),
          "unknown",
          appliedDigest,
          records);
    }
  }

  /** The cluster: nodes by name, the checks, and the count of cuts made. */
  static final class Cluster {
    final Map<String, Node> nodes = new TreeMap<>();
    final boolean recordsFromFiles;
    int cuts;

    Cluster(int n, boolean recordsFromFiles) {
      this.recordsFromFiles = recordsFromFiles;
      List<Integer> ids = IntStream.rangeClosed(1, n).boxed().toList();
      Settings s = new Settings(MasterScaling.majority(n), ids, false, 0);
      for (int i = 0; i < n; i++) {
        Node node = new Node("c-master-" + i, i, i + 1, s);
        nodes.put(node.name, node);
        pass(node, Integer.MAX_VALUE);
      }
    }

    List<Member> members() {
      return nodes.values().stream().map(Node::member).toList();
    }

    Input input(int desired) {
      String leader =
          nodes.values().stream()
              .filter(n -> n.zkId == 2 && n.running.containsKey("zookeeper"))
              .map(n -> n.name)
              .findFirst()
              .orElse(null);
      return new Input(
          "c", "master", desired, true, members(), new Health(true, true, true, leader));
    }

    /** What the cluster reconciler writes for a step (specs, a new node, a deletion). */
    void write(Step step) {
      if (step instanceof Reconfigure r) {
        nodes.get(r.node()).wanted = r.settings();
      } else if (step instanceof Create c) {
        nodes.put(c.node(), new Node(c.node(), c.ordinal(), c.zkId(), c.settings()));
      } else if (step instanceof Delete d) {
        Node gone = nodes.remove(d.node());
        assertThat(gone.running).as("a deleted master runs nothing").isEmpty();
      } else if (step instanceof Pin p) {
        p.settings().forEach((name, s) -> nodes.get(name).wanted = s);
      }
    }

    /**
     * One node pass as SshNodeConfigurer and MesosNodeReconciler make it, cut after {@code cut}
     * actions (nothing reported: the status keeps what it had). Returns the number of actions the
     * full plan had.
     */
    int pass(Node node, int cut) {
      NodeConfig c = config(node.name, node.zkId, node.wanted);
      Observation seen = node.observe(c, recordsFromFiles);
      List<Action> plan = NodePlan.diff(c, seen);
      boolean scalingStep = node.applied == null || !node.wanted.equals(node.applied);
      RestartGate.Decision gate = RestartGate.gate(c, seen, plan, !scalingStep, false);
      if (gate instanceof RestartGate.Hold) {
        node.configured = false;
        return plan.size();
      }
      plan = ((RestartGate.Run) gate).actions();
      for (int i = 0; i < plan.size(); i++) {
        if (i == cut) {
          cuts++;
          check("after a cut before \"" + plan.get(i).describe() + "\" on " + node.name);
          return plan.size();
        }
        run(node, c, plan.get(i));
        check("after \"" + plan.get(i).describe() + "\" on " + node.name);
      }
      if (cut == plan.size() && !plan.isEmpty()) {
        // Everything ran on the node; the operator died before writing the status.
        cuts++;
        return plan.size();
      }
      // Configured=True: the settings are recorded as applied.
      node.configured = true;
      node.applied = node.wanted;
      return plan.size();
    }

    void run(Node node, NodeConfig c, Action a) {
      if (a instanceof Action.WriteFile w) {
        node.disk.put(w.file().path(), w.file().content());
      } else if (a instanceof Action.RestartService r) {
        zooKeeperMajorityWithout(node, r.name());
        start(node, c, r.name());
      } else if (a instanceof Action.StartService s) {
        start(node, c, s.name());
      } else if (a instanceof Action.DisableService d) {
        zooKeeperMajorityWithout(node, d.name());
        node.running.remove(d.name());
        node.disabled.add(d.name());
      } else if (a instanceof Action.RecordStarted r) {
        node.started.put(r.service(), r.digest());
      } else if (a instanceof Action.RecordDigest d) {
        node.appliedDigest = d.digest();
      }
    }

    static void start(Node node, NodeConfig c, String service) {
      Map<String, String> read = new HashMap<>();
      for (String path : c.restartTriggers().get(service)) {
        read.put(path, node.disk.get(path));
      }
      node.running.put(service, read);
    }

    /** Mesos: running masters at most 2 * (lowest quorum they run with) - 1. */
    void check(String when) {
      List<Integer> quorums =
          nodes.values().stream().map(Node::runningQuorum).filter(q -> q > 0).toList();
      if (!quorums.isEmpty()) {
        int min = quorums.stream().mapToInt(Integer::intValue).min().orElseThrow();
        assertThat(quorums.size())
            .as("mesos-masters running with quorums " + quorums + " " + when)
            .isLessThanOrEqualTo(2 * min - 1);
      }
    }

    /**
     * While {@code service} on {@code node} restarts or stops: if it is ZooKeeper, the other
     * running members hold a majority of an ensemble in use, wherever at least three run.
     */
    void zooKeeperMajorityWithout(Node node, String service) {
      if (!"zookeeper".equals(service) || !node.running.containsKey("zookeeper")) {
        return;
      }
      List<Node> up = nodes.values().stream().filter(n -> n.runningEnsemble() != null).toList();
      if (up.size() < 3) {
        return; // from and to one master: disruptive by nature, documented
      }
      List<Node> others = up.stream().filter(n -> n != node).toList();
      boolean majority =
          up.stream()
              .map(Node::runningEnsemble)
              .anyMatch(
                  e -> others.stream().filter(n -> e.contains(n.zkId)).count() * 2 > e.size());
      assertThat(majority)
          .as("ZooKeeper majority while " + node.name + " restarts its member")
          .isTrue();
    }

    /** Passes on every node until none has anything to do (bounded). */
    void settle() {
      for (int round = 0; round < 10; round++) {
        int work = 0;
        for (Node n : List.copyOf(nodes.values())) {
          work += pass(n, Integer.MAX_VALUE);
        }
        if (work == 0) {
          return;
        }
      }
      throw new AssertionError("the nodes do not settle");
    }

    /**
     * Scales to {@code desired}; the node pass of every step is cut after {@code cut} actions (a
     * new pass follows, as the next reconcile), and where {@code everyPass} every pass is cut until
     * none has work left after the cut.
     */
    void scale(int desired, int cut, boolean everyPass) {
      for (int i = 0; i < 200; i++) {
        Step step = MasterScaling.plan(input(desired));
        if (step instanceof Done) {
          return;
        }
        if (step instanceof Wait) {
          settle();
          continue;
        }
        assertThat(step).isInstanceOfAny(Reconfigure.class, Create.class, Delete.class, Pin.class);
        write(step);
        String target =
            step instanceof Reconfigure r ? r.node() : step instanceof Create c ? c.node() : null;
        if (target != null) {
          Node node = nodes.get(target);
          int size = pass(node, cut);
          for (int k = 0; everyPass && k < 50 && size >= cut && size > 0; k++) {
            size = pass(node, cut);
          }
          if (size >= cut && size > 0) {
            // The cut pass reported nothing: the planner, asked again, waits for the node.
            assertThat(MasterScaling.plan(input(desired))).isInstanceOf(Wait.class);
          }
        }
        settle();
      }
      throw new AssertionError("no end after 200 steps");
    }

    void assertSteady(int n) {
      assertThat(nodes).hasSize(n);
      for (Node node : nodes.values()) {
        assertThat(node.runningQuorum()).as(node.name).isEqualTo(MasterScaling.majority(n));
        assertThat(node.runningEnsemble()).as(node.name).hasSize(n);
      }
    }
  }

  @ParameterizedTest(name = "{0} to {1}, every step cut after {2} actions")
  @CsvSource({
    "3,5,0", "3,5,1", "3,5,2", "3,5,3", "3,5,4", "3,5,5", "3,5,6", "3,5,7", "5,3,0", "5,3,1",
    "5,3,2", "5,3,3", "5,3,4", "5,3,5", "5,3,6", "5,3,7", "1,3,1", "1,3,3", "3,1,1", "3,1,3",
    "5,7,2", "7,5,2"
  })
  void cutAfterAnyActionOfEveryStepTheRulesHoldAndTheNextPassRestartsWhatWasPending(
      int from, int to, int cut) {
    Cluster cluster = new Cluster(from, false);
    cluster.scale(to, cut, false);
    cluster.assertSteady(to);
    if (cut < 3) {
      assertThat(cluster.cuts).as("cuts made").isPositive();
    }
  }

  @ParameterizedTest(name = "{0} to {1}, every pass cut after {2} actions")
  @CsvSource({"3,5,1", "3,5,2", "5,3,1", "5,3,2", "1,3,1", "3,1,1"})
  void everyPassCutUntilTheNodeIsDoneStillKeepsTheRules(int from, int to, int cut) {
    Cluster cluster = new Cluster(from, false);
    cluster.scale(to, cut, true);
    cluster.assertSteady(to);
  }

  /**
   * The old premise on the same simulation: a pass cut after the quorum file was written and before
   * mesos-master restarted leaves it running quorum 2; the next pass sees the file right, restarts
   * nothing and reports the quorum applied; then a fourth master starts beside it.
   */
  @org.junit.jupiter.api.Test
  void withoutStartRecordsTheLostRestartBreaksTheQuorumRule() {
    Cluster cluster = new Cluster(3, true);
    assertThatThrownBy(() -> cluster.scale(5, 1, false))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("mesos-masters running with quorums [2, 2, 2, 3]");
  }

  /** The same on the way down: members keep running the old ensemble of five. */
  @org.junit.jupiter.api.Test
  void withoutStartRecordsALostRestartLeavesZooKeeperOnTheOldEnsemble() {
    Cluster cluster = new Cluster(5, true);
    assertThatThrownBy(
            () -> {
              cluster.scale(3, 1, false);
              cluster.assertSteady(3);
            })
        .isInstanceOf(AssertionError.class);
  }
}
