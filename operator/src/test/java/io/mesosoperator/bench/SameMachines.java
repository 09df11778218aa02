package io.mesosoperator.bench;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.mesosoperator.api.MesosCluster;
import io.mesosoperator.api.MesosNode;
import io.mesosoperator.api.RoleType;
import io.mesosoperator.e2e.LocalCluster;
import io.mesosoperator.mesos.ZkMode;
import io.mesosoperator.mesos.ZooKeeperProbe;
import io.mesosoperator.node.Shell;
import io.mesosoperator.node.SshSession;
import io.mesosoperator.node.SshSessions;
import io.mesosoperator.node.SshjSessions;
import io.mesosoperator.reconcile.ClusterKeys;
import io.mesosoperator.render.ClusterRenderer;
import io.mesosoperator.render.ManagedFile;
import io.mesosoperator.render.NodeConfig;
import io.mesosoperator.render.NodeInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * The machines of a Ready local cluster as every peer of the operator sees them (the admin user and
 * its key, each node's address, pinned host key and rendered files), and the like-for-like steps
 * run on them: one parallel SSH round trip to all (the floor), removing every managed file, waiting
 * for a ZooKeeper quorum. Traffic goes only to the nodes' addresses (the scenario's own bridge
 * range).
 */
final class SameMachines {

  /** One node: where it is and what the tutorial puts on it. */
  record Node(String name, String address, String hostKey, boolean master, NodeConfig config) {}

  final String user;
  final int port;
  final int zkPort;
  final ClusterKeys.Key key;
  final List<Node> nodes;

  private SameMachines(String user, int port, int zkPort, ClusterKeys.Key key, List<Node> nodes) {
    this.user = user;
    this.port = port;
    this.zkPort = zkPort;
    this.key = key;
    this.nodes = nodes;
  }

  /** Reads the cluster's nodes and renders each one's files as the operator does. */
  static SameMachines of(KubernetesClient client, MesosCluster cluster, List<MesosNode> nodes)
      throws IOException {
    ClusterKeys.Key key = new ClusterKeys(client).read(cluster);
    List<NodeInfo> infos = nodes.stream().map(SameMachines::info).toList();
    List<Node> list = new ArrayList<>();
    for (MesosNode n : nodes) {
      NodeConfig config =
          ClusterRenderer.render(cluster.getSpec(), infos, info(n), LocalCluster.BOOKWORM);
      list.add(
          new Node(
              n.getMetadata().getName(),
              n.getStatus().getPrivateAddress(),
              n.getStatus().getHostKey(),
              n.getSpec().getRoleType() == RoleType.MASTER,
              config));
    }
    return new SameMachines(
        cluster.getSpec().getSsh().getUser(),
        cluster.getSpec().getSsh().getPort(),
        cluster.getSpec().getZookeeper().getClientPort(),
        key,
        List.copyOf(list));
  }

  static NodeInfo info(MesosNode n) {
    return new NodeInfo(
        n.getMetadata().getName(),
        n.getSpec().getRole(),
        n.getStatus().getPrivateAddress(),
        n.getStatus().getPublicAddress(),
        n.getStatus().getIpv6Address(),
        n.getSpec().getZkId());
  }

  List<String> names() {
    return nodes.stream().map(Node::name).toList();
  }

  SshSessions.Login login() {
    return SshSessions.Login.key(user, key.privateKey(), key.publicKey());
  }

  /**
   * Runs one command per node, every node at once, each over a new SSH connection (connect, key
   * exchange, login, command); returns the wall clock from the first connect to the last answer.
   */
  double parallel(java.util.function.Function<Node, String> command) throws Exception {
    SshjSessions ssh = new SshjSessions();
    ExecutorService pool = Executors.newFixedThreadPool(nodes.size());
    try {
      long t0 = System.nanoTime();
      List<Future<SshSession.Exec>> runs = new ArrayList<>();
      for (Node n : nodes) {
        runs.add(
            pool.submit(
                () -> {
                  try (SshSession s = ssh.open(n.address(), port, login(), n.hostKey())) {
                    return s.run(command.apply(n));
                  }
                }));
      }
      for (int i = 0; i < runs.size(); i++) {
        SshSession.Exec e = runs.get(i).get();
        if (!e.ok()) {
          throw new IOException(
              nodes.get(i).name() + ": exit " + e.exitStatus() + ": " + e.stderr().strip());
        }
      }
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      pool.shutdownNow();
    }
  }

  /** The floor: one round trip to every node at once reading the managed files' digests. */
  double floor() throws Exception {
    return parallel(
        n ->
            "sudo -n sha256sum -- "
                + n.config().files().stream()
                    .map(f -> Shell.quote(f.path()))
                    .distinct()
                    .collect(Collectors.joining(" "))
                + " >/dev/null");
  }

  /**
   * Removes every managed file on every node: whole files deleted, the marked blocks cut out of
   * /etc/hosts and sshd_config (the rest of those files stays). Services are left as they run.
   */
  void removeManagedFiles() throws Exception {
    parallel(SameMachines::removeScript);
  }

  static String removeScript(Node n) {
    StringBuilder b = new StringBuilder("set -e\n");
    for (ManagedFile f : n.config().files()) {
      String path = Shell.quote(f.path());
      if (f.kind() == ManagedFile.Kind.WHOLE) {
        b.append("sudo -n rm -f -- ").append(path).append('\n');
      } else {
        b.append("sudo -n sed -i '/^")
            .append(ManagedFile.BLOCK_BEGIN)
            .append("$/,/^")
            .append(ManagedFile.BLOCK_FINISH)
            .append("$/d' ")
            .append(path)
            .append('\n');
      }
    }
    return b.toString();
  }

  /**
   * Waits until the masters' ZooKeeper has a quorum: a leader, and a majority of the members
   * serving (asked with {@code srvr} from this process every 100 ms). Returns when it held.
   */
  void awaitQuorum(Duration deadline) throws Exception {
    List<Node> masters = nodes.stream().filter(Node::master).toList();
    int majority = masters.size() / 2 + 1;
    ZooKeeperProbe probe = ZooKeeperProbe.direct(Duration.ofSeconds(1));
    long end = System.nanoTime() + deadline.toNanos();
    String last = "";
    while (System.nanoTime() < end) {
      int serving = 0;
      boolean leader = false;
      List<String> modes = new ArrayList<>();
      for (Node m : masters) {
        ZkMode mode = probe.mode(m.address(), zkPort);
        modes.add(m.name() + "=" + mode.state());
        serving += mode.serving() ? 1 : 0;
        leader |= mode.state() == ZkMode.State.LEADER;
      }
      if (leader && serving >= majority) {
        return;
      }
      last = String.join(", ", modes);
      Thread.sleep(100);
    }
    throw new IllegalStateException("no ZooKeeper quorum within " + deadline + ": " + last);
  }
}
